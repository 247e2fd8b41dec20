// Concurrency worker: `commits` operations on table "r", a random mix of appends of its own rows
// and deletes of a sub-range of its own live rows. Prints one JSON line: every operation with its
// outcome (landed version, or the error's class and code) and the lost manifest races.
import { openStore } from './store.mjs';

const cfg = JSON.parse(process.argv[2]);
const { lib, worker, commits, seed } = cfg;
const { connect } = await import(`${lib}/dataset/index.js`);
const { seededRandom } = await import(`${lib}/io/faulty-store.js`);
const { store, stats } = await openStore(lib, cfg.store);
const db = await connect(cfg.store.kind === 'local' ? cfg.store.root : 's3://test', { store });
const t = await db.openTable('r');
const random = seededRandom(seed);
const live = new Map(); // batch -> Set of live seqs
const ops = [];
let batch = 0;
for (let k = 0; k < commits; k++) {
  const candidates = [...live].filter(([, s]) => s.size > 0);
  const doDelete = candidates.length > 0 && random() < 0.3;
  try {
    if (!doDelete) {
      const n = 1 + Math.floor(random() * 8);
      const b = batch++;
      const rows = Array.from({ length: n }, (_, i) => ({ worker, seq: b * 1000 + i }));
      const r = await t.add(rows, { backoffMs: 5 });
      live.set(b, new Set(rows.map((x) => x.seq)));
      ops.push({ op: 'append', ok: true, version: r.version, rows: n });
    } else {
      const [b, seqs] = candidates[Math.floor(random() * candidates.length)];
      const sorted = [...seqs].sort((x, y) => x - y);
      const lo = sorted[Math.floor(random() * sorted.length)];
      const hi = lo + 1 + Math.floor(random() * 4);
      const hits = sorted.filter((s) => s >= lo && s < hi);
      const r = await t.delete(`worker = ${worker} AND seq >= ${lo} AND seq < ${hi}`, { backoffMs: 5 });
      if (r.numDeletedRows !== hits.length) throw new Error(`delete of [${lo},${hi}) removed ${r.numDeletedRows} rows, expected ${hits.length}`);
      for (const s of hits) seqs.delete(s);
      ops.push({ op: 'delete', ok: true, version: r.version, rows: hits.length, batch: b });
    }
  } catch (e) {
    if (e?.name !== 'CommitConflictError') throw e;
    ops.push({ op: doDelete ? 'delete' : 'append', ok: false, error: e.name, code: e.code });
  }
}
const liveSeqs = [...live.values()].flatMap((s) => [...s]).sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ worker, ops, retries: stats.retries, live: liveSeqs }) + '\n');
