// Child process for the concurrency spec: opens the table through the compiled library and
// commits `count` appends of `rows` rows each, tagging rows with the worker id.
const [lib, root, worker, count, rows] = process.argv.slice(2);
const { connect } = await import(lib);
const db = await connect(root);
const t = await db.openTable('c');
const versions = [];
for (let k = 0; k < Number(count); k++) {
  const batch = Array.from({ length: Number(rows) }, (_, i) => ({ worker: Number(worker), seq: k * 1000 + i }));
  const r = await t.add(batch, { backoffMs: 5 });
  versions.push(r.version);
}
process.stdout.write(JSON.stringify({ worker: Number(worker), versions }) + '\n');
