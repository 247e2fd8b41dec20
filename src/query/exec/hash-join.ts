// Hash join on equality keys. Returns row index pairs rather than rows so the caller gathers
// each column once, and so blob reference columns (row addresses) fan out like any other.
import type * as arrow from 'apache-arrow';
import { rowKey } from './values.js';

export type JoinKind = 'inner' | 'left';

export interface JoinIndices {
  /** Row of the left input for each output row. */
  left: Int32Array;
  /** Row of the right input for each output row; -1 for a left row without a match. */
  right: Int32Array;
}

/**
 * Builds on the right input, probes with the left, so output rows follow left order and, within
 * one left row, right order (a stable, deterministic one-to-many fan-out). Null keys never match.
 * `residual` (non-equality ON conditions) is checked per candidate pair.
 */
export function hashJoin(
  leftKeys: readonly arrow.Vector[],
  rightKeys: readonly arrow.Vector[],
  leftRows: number,
  rightRows: number,
  kind: JoinKind,
  residual?: (pairs: JoinIndices) => Uint8Array,
): JoinIndices {
  const table = new Map<string, number[]>();
  for (let r = 0; r < rightRows; r++) {
    const k = rightKeys.length === 0 ? '' : rowKey(rightKeys, r);
    if (k === undefined) continue;
    const bucket = table.get(k);
    if (bucket) bucket.push(r);
    else table.set(k, [r]);
  }
  const outL: number[] = [];
  const outR: number[] = [];
  for (let l = 0; l < leftRows; l++) {
    const k = leftKeys.length === 0 ? '' : rowKey(leftKeys, l);
    const bucket = k === undefined ? undefined : table.get(k);
    if (bucket) for (const r of bucket) outL.push(l), outR.push(r);
  }
  let pairs: JoinIndices = { left: Int32Array.from(outL), right: Int32Array.from(outR) };
  if (residual && pairs.left.length > 0) {
    const keep = residual(pairs);
    const l2: number[] = [];
    const r2: number[] = [];
    for (let i = 0; i < keep.length; i++) if (keep[i]) l2.push(pairs.left[i]!), r2.push(pairs.right[i]!);
    pairs = { left: Int32Array.from(l2), right: Int32Array.from(r2) };
  }
  if (kind === 'inner') return pairs;
  // Left join: re-insert unmatched left rows at their place in left order.
  const matched = new Uint8Array(leftRows);
  for (const l of pairs.left) matched[l] = 1;
  const L: number[] = [];
  const R: number[] = [];
  let p = 0;
  for (let l = 0; l < leftRows; l++) {
    if (!matched[l]) {
      L.push(l), R.push(-1);
      continue;
    }
    while (p < pairs.left.length && pairs.left[p] === l) L.push(l), R.push(pairs.right[p]!), p++;
  }
  return { left: Int32Array.from(L), right: Int32Array.from(R) };
}
