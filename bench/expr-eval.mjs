// Predicate evaluation benchmark: evalPredicate over one 1M-row batch (int64 id, int32, float64,
// utf8 with nulls) for a few common filters; median of 7 runs after 2 warm-ups, in ms.
import * as arrow from 'apache-arrow';
import { evalPredicate, parseFilter } from '../dist/dataset/expr/index.js';
import { SCALE, median, report, r3 } from './lib.mjs';

const N = Math.max(1000, Math.round(1_000_000 * Math.min(1, SCALE * 10)));
const ids = new BigInt64Array(N);
const small = new Int32Array(N);
const score = new Float64Array(N);
const enc = new TextEncoder();
const strOffsets = new Int32Array(N + 1);
const parts = [];
let len = 0;
for (let i = 0; i < N; i++) {
  ids[i] = BigInt(i);
  small[i] = i % 1000;
  score[i] = (i % 997) / 997;
  const b = enc.encode(`cat${i % 10}`);
  parts.push(b);
  len += b.length;
  strOffsets[i + 1] = len;
}
const strData = new Uint8Array(len);
parts.forEach((b, i) => strData.set(b, strOffsets[i]));
const nullBitmap = new Uint8Array((N + 7) >> 3).fill(0xff);
for (let i = 0; i < N; i += 7) nullBitmap[i >> 3] &= ~(1 << (i & 7));
let nulls = 0;
for (let i = 0; i < N; i++) if (!((nullBitmap[i >> 3] >> (i & 7)) & 1)) nulls++;
const batch = new arrow.RecordBatch({
  id: arrow.makeData({ type: new arrow.Int64(), length: N, data: ids }),
  small: arrow.makeData({ type: new arrow.Int32(), length: N, data: small }),
  score: arrow.makeData({ type: new arrow.Float64(), length: N, data: score }),
  category: arrow.makeData({ type: new arrow.Utf8(), length: N, nullCount: nulls, nullBitmap, valueOffsets: strOffsets, data: strData }),
});
const preds = {
  idGt: 'id > 500000',
  andOrIn: 'id > 10 AND id < 900000 OR id IN (1, 2, 3)',
  int32Between: 'small BETWEEN 100 AND 200',
  floatLt: 'score < 0.25',
  strEq: "category = 'cat3'",
  strIn: "category IN ('cat1', 'cat2') AND category IS NOT NULL",
  notNull: 'NOT (category IS NULL) OR id < 5',
};
const out = { bench: 'expr-eval', rows: N };
for (const [name, sql] of Object.entries(preds)) {
  const e = parseFilter(sql);
  let hits = 0;
  const ts = [];
  for (let r = 0; r < 9; r++) {
    const t0 = process.hrtime.bigint();
    const m = evalPredicate(e, batch);
    if (r >= 2) ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    hits = m.reduce((a, b) => a + b, 0);
  }
  out[`${name}Ms`] = r3(median(ts));
  out[`${name}Hits`] = hits;
}
report(out);
