// File sizes, lancet vs Lance 12, on the same Arrow batches: one single-column (or three-column)
// table per shape, written by lancet's file writer (default version 2.2) and by Lance 12 through
// @lancedb/lancedb (storage version 2.2); compares the data file bytes and prints the ratio.
//
//   npm run build && node bench/file-sizes.mjs            # 200k rows
//   LANCET_SIZES_ROWS=1000000 node bench/file-sizes.mjs
//   LANCET_DIST=/path/to/other/dist node bench/file-sizes.mjs   # e.g. an older build
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { prng } from './lib.mjs';

const ROWS = Number(process.env.LANCET_SIZES_ROWS ?? 200_000);
const dist = resolve(process.env.LANCET_DIST ?? new URL('../dist', import.meta.url).pathname);
const { LocalStore } = await import(pathToFileURL(join(dist, 'io/local-store.js')).href);
const { createFileWriter } = await import(pathToFileURL(join(dist, 'format/file/index.js')).href);
const { lanceSchemaFromArrow } = await import(pathToFileURL(join(dist, 'format/schema.js')).href);
const require = createRequire(import.meta.url);
const lancedb = require('@lancedb/lancedb');
const peerArrow = require('apache-arrow');

const enc = new TextEncoder();

function strings(n, pick) {
  const parts = [];
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const b = enc.encode(pick(i));
    parts.push(b);
    offsets[i + 1] = offsets[i] + b.length;
  }
  const data = new Uint8Array(offsets[n]);
  parts.forEach((p, i) => data.set(p, offsets[i]));
  return { offsets, data };
}

function validity(n, rnd, nullRate) {
  const v = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (rnd() >= nullRate) v[i >> 3] |= 1 << (i & 7);
  return v;
}

function zipf(rnd, k) {
  // P(rank r) ∝ 1 / r over k ranks.
  let h = 0;
  for (let r = 1; r <= k; r++) h += 1 / r;
  const u = rnd() * h;
  let acc = 0;
  for (let r = 1; r <= k; r++) {
    acc += 1 / r;
    if (u <= acc) return r - 1;
  }
  return k - 1;
}

function table(fields, datas, n) {
  const schema = new arrow.Schema(fields);
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, children: datas }))]);
}

const SHAPES = {
  'int64 sequential ids': (n) => table([new arrow.Field('id', new arrow.Int64(), false)], [arrow.makeData({ type: new arrow.Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) })], n),
  'int32 in [0,100)': (n, rnd) => table([new arrow.Field('v', new arrow.Int32(), false)], [arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from({ length: n }, () => Math.floor(rnd() * 100)) })], n),
  'utf8 24 zipf categories': (n, rnd) => {
    const cats = Array.from({ length: 24 }, (_, k) => `category-${String.fromCharCode(97 + k)}-${k * 37}`);
    const s = strings(n, () => cats[zipf(rnd, 24)]);
    return table([new arrow.Field('c', new arrow.Utf8(), false)], [arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: s.offsets, data: s.data })], n);
  },
  'utf8 product titles (2k words)': (n, rnd) => {
    const syll = ['ka', 'lo', 'mi', 'ne', 'ro', 'sa', 'ti', 'vu', 'ze', 'pa', 'qui', 'dor', 'ban', 'tel', 'mor'];
    const vocab = Array.from({ length: 2000 }, (_, k) => {
      let w = '';
      for (let j = 0, x = k + 7; j < 2 + (k % 3); j++, x = Math.floor(x / 15) + j * 11) w += syll[x % syll.length];
      return w;
    });
    const s = strings(n, () => {
      const words = 4 + Math.floor(rnd() * 6);
      return Array.from({ length: words }, () => vocab[zipf(rnd, 2000)]).join(' ');
    });
    return table([new arrow.Field('title', new arrow.Utf8(), false)], [arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: s.offsets, data: s.data })], n);
  },
  'timestamp[us] increasing': (n, rnd) => {
    let t = 1_700_000_000_000_000;
    const d = BigInt64Array.from({ length: n }, () => BigInt((t += Math.floor(rnd() * 2_000_000))));
    const type = new arrow.TimestampMicrosecond();
    return table([new arrow.Field('ts', type, false)], [arrow.makeData({ type, length: n, data: d })], n);
  },
  'int64+float64+utf8, 30% nulls': (n, rnd) => {
    const ids = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 1e6)));
    const f = Float64Array.from({ length: n }, () => Math.round(rnd() * 1e4) / 100);
    const s = strings(n, () => `user-${Math.floor(rnd() * 5000)}@example.com`);
    return table(
      [new arrow.Field('a', new arrow.Int64(), true), new arrow.Field('b', new arrow.Float64(), true), new arrow.Field('c', new arrow.Utf8(), true)],
      [
        arrow.makeData({ type: new arrow.Int64(), length: n, data: ids, nullBitmap: validity(n, rnd, 0.3) }),
        arrow.makeData({ type: new arrow.Float64(), length: n, data: f, nullBitmap: validity(n, rnd, 0.3) }),
        arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: s.offsets, data: s.data, nullBitmap: validity(n, rnd, 0.3) }),
      ],
      n,
    );
  },
  'FSL<float32>[64]': (n, rnd) => {
    const item = new arrow.Field('item', new arrow.Float32(), true);
    const type = new arrow.FixedSizeList(64, item);
    const values = Float32Array.from({ length: n * 64 }, () => rnd() * 2 - 1);
    const child = arrow.makeData({ type: new arrow.Float32(), length: n * 64, data: values });
    return table([new arrow.Field('vec', type, false)], [arrow.makeData({ type, length: n, child })], n);
  },
};

function dataBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir)) total += statSync(join(dir, e)).size;
  return total;
}

async function lancetSize(dir, t) {
  const store = new LocalStore(dir);
  const w = await createFileWriter(store, 'x.lance', lanceSchemaFromArrow(t.schema));
  for (const b of t.batches) await w.write(b);
  const res = await w.finish();
  return res.fileSize;
}

async function lanceSize(dir, t) {
  const db = await lancedb.connect(dir);
  const peerTable = peerArrow.tableFromIPC(arrow.tableToIPC(t, 'stream'));
  await db.createTable('t', peerTable, { mode: 'overwrite', storageOptions: { newTableDataStorageVersion: '2.2' } });
  return dataBytes(join(dir, 't.lance', 'data'));
}

const only = process.env.LANCET_SIZES_ONLY;
const rows = [];
for (const [name, make] of Object.entries(SHAPES)) {
  if (only && !name.includes(only)) continue;
  const t = make(ROWS, prng(1234));
  const dir = mkdtempSync(join(tmpdir(), 'lancet-sizes-'));
  try {
    const ours = await lancetSize(dir, t);
    const theirs = await lanceSize(dir, t);
    rows.push({ shape: name, lancet: ours, lance12: theirs, ratio: ours / theirs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`rows per shape: ${ROWS}; lancet build: ${dist}`);
console.log('| shape | lancet bytes | Lance 12 bytes | lancet / Lance 12 |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.shape} | ${r.lancet} | ${r.lance12} | ${r.ratio.toFixed(2)}x |`);
