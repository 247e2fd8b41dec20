// Worker for the cleanup race test, one process per role on table "r":
//   adder:     `commits` appends of its own rows (blob payloads inline, packed and dedicated);
//   compactor: `rounds` compactions with growing fragment targets (4, 8, 16 ... rows);
//   cleaner:   cleanup({ olderThan: 0 }) and cleanup() in turn, until the stop file exists.
// Prints one JSON line: what it did (rows it committed, versions it made, cleanup totals).
import { existsSync } from 'node:fs';

const cfg = JSON.parse(process.argv[2]);
const { lib, root, role, worker, stopFile } = cfg;
const { connect } = await import(`${lib}/dataset/index.js`);
await import(`${lib}/dataset/blob/table-blobs.js`);

/** Payload of row (worker, seq): inline, packed or dedicated by seq, bytes a function of both. */
export function payload(w, seq) {
  const size = seq % 3 === 0 ? 6000 + seq : seq % 3 === 1 ? 1000 + seq : 40;
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (w * 131 + seq * 31 + j * 7) & 255;
  return b;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t = await (await connect(root)).openTable('r');
const out = { role, worker, rows: [], versions: [], conflicts: 0, cleanups: 0, versionsRemoved: 0, filesRemoved: 0 };
process.stdout.write('ready\n');

if (role === 'adder') {
  for (let k = 0; k < cfg.commits; k++) {
    const rows = Array.from({ length: 3 }, (_, i) => ({ worker, seq: k * 10 + i, payload: payload(worker, k * 10 + i) }));
    const r = await t.add(rows, { backoffMs: 5 });
    out.versions.push(r.version);
    out.rows.push(...rows.map((x) => x.seq));
  }
} else if (role === 'compactor') {
  for (let k = 0; k < cfg.rounds; k++) {
    try {
      const r = await t.compact({ targetRowsPerFragment: 4 << k % 6, backoffMs: 5 });
      if (r.fragmentsRemoved > 0) out.versions.push(r.version);
    } catch (e) {
      if (e?.name !== 'CommitConflictError') throw e;
      out.conflicts++;
    }
  }
} else {
  for (let k = 0; !existsSync(stopFile); k++) {
    const r = await t.cleanup(k % 2 === 0 ? { olderThan: 0 } : {});
    out.cleanups++;
    out.versionsRemoved += r.versionsRemoved;
    out.filesRemoved += r.filesRemoved - r.versionsRemoved;
    await sleep(2);
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
