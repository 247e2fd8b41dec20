// Test helper: nested (list / struct / map) Arrow columns with nulls at every level and empty
// lists, from a seeded generator, plus a JSON form for comparing tables across implementations.
import * as arrow from 'apache-arrow';
import { seededRandom } from '../../src/io/faulty-store.js';

const L = (t: arrow.DataType, nullable = true) => new arrow.List(new arrow.Field('item', t, nullable));
const S = (fields: Array<[string, arrow.DataType]>) => new arrow.Struct(fields.map(([n, t]) => new arrow.Field(n, t, true)));

export const nestedTypes = {
  l_i32: L(new arrow.Int32()),
  l_i64: L(new arrow.Int64()),
  l_str: L(new arrow.Utf8()),
  l_bool: L(new arrow.Bool()),
  ll_i32: L(L(new arrow.Int32())),
  l_struct: L(S([['x', new arrow.Int32()], ['y', new arrow.Utf8()]])),
  s_list: S([['q', L(new arrow.Int64())], ['r', new arrow.Float64()]]),
  l_fsl: L(new arrow.FixedSizeList(3, new arrow.Field('item', new arrow.Float32(), true))),
  lsl: L(S([['z', L(new arrow.Int16())]])),
  map: new arrow.Map_(new arrow.Field('entries', new arrow.Struct<{ key: arrow.Utf8; value: arrow.Int32 }>([new arrow.Field('key', new arrow.Utf8(), false), new arrow.Field('value', new arrow.Int32(), true)]), false)),
} as const;

export type NestedName = keyof typeof nestedTypes;

/** A JS value of `type` (nulls with probability pNull at every nullable level). */
export function randomValue(type: arrow.DataType, rnd: () => number, pNull: number, bigStrings = false): unknown {
  if (rnd() < pNull) return null;
  switch (type.typeId) {
    case arrow.Type.Int: {
      const t = type as arrow.Int;
      const v = Math.floor(rnd() * 2000) - 1000;
      return t.bitWidth === 64 ? BigInt(v) : v;
    }
    case arrow.Type.Float:
      return Math.fround(rnd() * 100);
    case arrow.Type.Bool:
      return rnd() < 0.5;
    case arrow.Type.Utf8: {
      const n = bigStrings ? 200 + Math.floor(rnd() * 400) : Math.floor(rnd() * 6);
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(rnd() * 26));
      return s;
    }
    case arrow.Type.FixedSizeList: {
      const t = type as arrow.FixedSizeList;
      return Array.from({ length: t.listSize }, () => randomValue(t.children[0]!.type, rnd, pNull, bigStrings));
    }
    case arrow.Type.List: {
      const n = rnd() < 0.2 ? 0 : Math.floor(rnd() * 4);
      const child = type.children[0]!.type;
      return Array.from({ length: n }, () => randomValue(child, rnd, pNull, bigStrings));
    }
    case arrow.Type.Struct:
      return Object.fromEntries(type.children.map((f: arrow.Field) => [f.name, randomValue(f.type, rnd, pNull, bigStrings)]));
    case arrow.Type.Map: {
      const n = rnd() < 0.2 ? 0 : Math.floor(rnd() * 3);
      const m = new Map<string, unknown>();
      for (let i = 0; i < n; i++) m.set(`k${i}${Math.floor(rnd() * 10)}`, randomValue(new arrow.Int32(), rnd, pNull));
      return m;
    }
    default:
      throw new Error(`no generator for ${String(type)}`);
  }
}

export function nestedTable(names: readonly NestedName[], rows: number, seed: number, opts: { pNull?: number; bigStrings?: boolean } = {}): arrow.Table {
  const rnd = seededRandom(seed);
  const cols: Record<string, arrow.Vector> = {};
  for (const name of names) {
    const type = nestedTypes[name];
    const vals = Array.from({ length: rows }, () => randomValue(type, rnd, opts.pNull ?? 0.15, opts.bigStrings));
    cols[name] = arrow.vectorFromArray(vals, type as arrow.DataType);
  }
  return new arrow.Table(cols);
}

/** Rows as JSON text: bigint -> string, maps -> [key, value] lists, typed arrays -> arrays. */
export function tableJson(t: arrow.Table): string {
  return JSON.stringify(
    t.toArray().map((r: { toJSON(): unknown }) => r.toJSON()),
    (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Map) return [...v];
      if (v && typeof v === 'object' && 'toArray' in v && typeof (v as { toArray: unknown }).toArray === 'function') return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
      if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
      return v;
    },
  );
}
