// ORDER BY: a stable permutation over evaluated key vectors.
import type * as arrow from 'apache-arrow';
import { compareCells } from './values.js';

export interface SortKey {
  values: arrow.Vector;
  descending: boolean;
  /** Spark default: NULLS FIRST for ascending, NULLS LAST for descending. */
  nullsFirst?: boolean;
}

export function sortPermutation(keys: readonly SortKey[], rows: number): Int32Array {
  const idx = Array.from({ length: rows }, (_, i) => i);
  const cols = keys.map((k) => ({ cells: Array.from({ length: rows }, (_, i) => k.values.get(i)), desc: k.descending, nullsFirst: k.nullsFirst ?? !k.descending }));
  idx.sort((a, b) => {
    for (const k of cols) {
      const x = k.cells[a];
      const y = k.cells[b];
      const xn = x === null || x === undefined;
      const yn = y === null || y === undefined;
      if (xn || yn) {
        if (xn && yn) continue;
        return (xn ? -1 : 1) * (k.nullsFirst ? 1 : -1);
      }
      const c = compareCells(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return a - b;
  });
  return Int32Array.from(idx);
}

/** Rows [offset, offset+limit) of 0..rows-1 (limit undefined = all). */
export function limitRange(rows: number, limit: number | undefined, offset: number): Int32Array {
  const start = Math.min(rows, Math.max(0, offset));
  const end = limit === undefined ? rows : Math.min(rows, start + Math.max(0, limit));
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
