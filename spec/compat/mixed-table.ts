// Every column kind older formats store, with nulls sprinkled through each.
import * as arrow from 'apache-arrow';

export function mixedTable(n: number): arrow.Table {
  const at = (i: number, every: number) => i % every === 0;
  const vec = (f: (i: number) => unknown, type: arrow.DataType) => arrow.vectorFromArray(Array.from({ length: n }, (_, i) => f(i)), type);
  return new arrow.Table({
    id: vec((i) => BigInt(i), new arrow.Int64()),
    small: vec((i) => (at(i, 7) ? null : i % 100), new arrow.Int32()),
    score: vec((i) => (at(i, 11) ? null : i / 3), new arrow.Float64()),
    flag: vec((i) => (at(i, 5) ? null : i % 3 === 0), new arrow.Bool()),
    label: vec((i) => (at(i, 13) ? null : `cat-${i % 4}`), new arrow.Utf8()),
    text: vec((i) => (at(i, 17) ? null : `row ${i} ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 5))}`), new arrow.Utf8()),
    big: vec((i) => `L${i}`, new arrow.LargeUtf8()),
    bytes: vec((i) => (at(i, 9) ? null : Uint8Array.from({ length: i % 6 }, (_, k) => (i + k) & 255)), new arrow.Binary()),
    same: vec(() => 42n, new arrow.Int64()),
    emb: vec((i) => (at(i, 19) ? null : [i, i + 0.5, -i]), new arrow.FixedSizeList(3, new arrow.Field('item', new arrow.Float32(), true))),
    pair: vec((i) => ({ a: at(i, 23) ? null : i, b: `p${i % 3}` }), new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)])),
    tags: vec((i) => (at(i, 29) ? null : Array.from({ length: i % 4 }, (_, k) => i * 10 + k)), new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
  });
}
