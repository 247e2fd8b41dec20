// Crash-injection worker: commits to table "c" in a loop until it is killed. Appends carry a
// Blob V2 column (inline, packed and dedicated payloads, so sidecars, data files and manifests
// are all written); some iterations delete a few rows (deletion files). Before each commit it
// logs `P rows sum` (the state the commit will produce) and after the commit returns
// `C version rows sum`, both fsync'ed, so the test can check the dataset against the model.
import { appendFileSync, fsyncSync, openSync } from 'node:fs';

const cfg = JSON.parse(process.argv[2]);
const { lib, root } = cfg;
const { connect } = await import(`${lib}/dataset/index.js`);
const { seededRandom } = await import(`${lib}/io/faulty-store.js`);
await import(`${lib}/dataset/blob/table-blobs.js`);

export function payload(id, size) {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (id * 31 + j * 7) & 255;
  return b;
}

// Loaded: wait for the go-line on stdin (the test pre-spawns the next worker while it checks).
process.stdout.write('loaded\n');
const go = await new Promise((res) => {
  let buf = '';
  process.stdin.on('data', (d) => {
    buf += d;
    const nl = buf.indexOf('\n');
    if (nl >= 0) res(buf.slice(0, nl));
  });
});
const { log, seed } = JSON.parse(go);
const fd = openSync(log, 'a');
const note = (line) => {
  appendFileSync(fd, line + '\n');
  fsyncSync(fd);
};
const db = await connect(root);
const t = await db.openTable('c');
const ids = new Set(Array.from((await t.query().select(['id']).toArrow()).getChild('id').toArray()));
let next = 1;
for (const id of ids) if (id >= next) next = id + 1;
const random = seededRandom(seed);
const sum = (s) => [...s].reduce((a, b) => a + b, 0);
process.stdout.write('ready\n');
for (;;) {
  if (ids.size > 0 && random() < 0.2) {
    const live = [...ids].sort((a, b) => a - b);
    const lo = live[Math.floor(random() * live.length)];
    const gone = live.filter((x) => x >= lo && x < lo + 3);
    const after = new Set(ids);
    for (const x of gone) after.delete(x);
    note(`P ${after.size} ${sum(after)}`);
    const r = await t.delete(`id >= ${lo} AND id < ${lo + 3}`);
    for (const x of gone) ids.delete(x);
    note(`C ${r.version} ${ids.size} ${sum(ids)}`);
  } else {
    const n = 1 + Math.floor(random() * 6);
    const rows = [];
    for (let i = 0; i < n; i++) {
      const id = next++;
      const kind = random();
      const size = kind < 0.3 ? Math.floor(random() * 100) : kind < 0.7 ? 200 + Math.floor(random() * 2000) : 5000 + Math.floor(random() * 5000);
      rows.push({ id, payload: random() < 0.05 ? null : payload(id, size) });
    }
    const after = new Set(ids);
    for (const r of rows) after.add(r.id);
    note(`P ${after.size} ${sum(after)}`);
    const r = await t.add(rows);
    for (const x of rows) ids.add(x.id);
    note(`C ${r.version} ${ids.size} ${sum(ids)}`);
  }
}
