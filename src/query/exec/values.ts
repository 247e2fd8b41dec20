// Value-level helpers shared by the operators: total ordering for sort/min/max, hash keys for
// joins and GROUP BY, and gathering rows of an Arrow vector by index.
import * as arrow from 'apache-arrow';
import { columnData, nullData, takeData } from '../../dataset/arrow/kernels.js';

/** One cell as arrow-js hands it out (number, bigint, string, boolean, bytes, struct row...). */
export type Cell = unknown;

/** Reads the cell; arrow-js `get` already maps nulls to null. */
export function cellAt(v: arrow.Vector, i: number): Cell {
  return v.get(i);
}

/**
 * Compares two non-null cells of compatible types. Numbers and bigints compare numerically
 * across each other (an INT key can match a BIGINT key); bytes compare lexicographically.
 */
export function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    const x = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a) : undefined;
    const y = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b) : undefined;
    if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
    const fx = Number(a);
    const fy = Number(b);
    return fx < fy ? -1 : fx > fy ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * A hashable key for one cell: equal SQL values give equal keys. Integral numbers and
 * bigints share one form so INT = BIGINT joins match; null has no key (never equal).
 */
export function keyPart(c: Cell): string | undefined {
  if (c === null || c === undefined) return undefined;
  switch (typeof c) {
    case 'number':
      return Number.isInteger(c) ? `i${c}` : `f${c}`;
    case 'bigint':
      return `i${c}`;
    case 'string':
      return `s${c}`;
    case 'boolean':
      return c ? 'bt' : 'bf';
  }
  if (c instanceof Uint8Array) return `x${Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('hex')}`;
  if (c instanceof Date) return `d${c.getTime()}`;
  return `o${JSON.stringify(c, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
}

/** Composite key of row i over several key vectors; undefined when any part is null. */
export function rowKey(keys: readonly arrow.Vector[], i: number): string | undefined {
  if (keys.length === 1) return keyPart(keys[0]!.get(i));
  let out = '';
  for (const k of keys) {
    const p = keyPart(k.get(i));
    if (p === undefined) return undefined;
    out += p.length + ':' + p;
  }
  return out;
}

/** Composite key that treats null as a value of its own (GROUP BY puts nulls in one group). */
export function groupKey(keys: readonly arrow.Vector[], i: number): string {
  let out = '';
  for (const k of keys) {
    const p = keyPart(k.get(i)) ?? 'N';
    out += p.length + ':' + p;
  }
  return out;
}

/** Rows of `v` at `indices` as a new single-chunk vector (copied by buffer); index -1 yields null. */
export function takeVector(v: arrow.Vector, indices: ArrayLike<number>): arrow.Vector {
  return arrow.makeVector(takeData(columnData(v), indices));
}

/** A vector of `n` nulls of the given type. */
export function nullVector(type: arrow.DataType, n: number): arrow.Vector {
  return arrow.makeVector(nullData(type, n));
}

/** Builds a vector of `type` from plain cells. */
export function vectorOf(type: arrow.DataType, cells: readonly Cell[]): arrow.Vector {
  const b = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (const c of cells) b.append(c);
  return b.finish().toVector();
}

/** Identity take that merges a multi-chunk vector into one chunk (RecordBatch needs one Data). */
export function singleChunk(v: arrow.Vector): arrow.Vector {
  if (v.data.length <= 1) return v;
  return arrow.makeVector(columnData(v));
}
