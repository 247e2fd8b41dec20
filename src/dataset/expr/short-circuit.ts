// DataFusion 54's short-circuit of AND / OR, decided per batch from the left side's result: it
// decides whether an error in the right side (an integer division by zero) surfaces at all, so
// the DataFusion dialect follows it. With no NULL on the left: AND skips the right side when the
// left is FALSE everywhere and evaluates it only on the left's TRUE rows when those are at most
// 20% of the batch; OR skips it when the left is TRUE everywhere. Otherwise the right side runs
// on every row. (`i = 7 AND 10 / i > 0` passes over i = 0 rows; `i <> 0 AND 10 / i > 0` fails
// as soon as more than a fifth of the rows are not 0.)
import type * as arrow from 'apache-arrow';

export type RightSide = 'skip' | 'all' | 'selected';

/** How the right side of `op` is evaluated, given the left side's TRUE flags and NULLs. */
export function rightSide(op: 'and' | 'or', t: Uint8Array, leftHasNull: boolean): RightSide {
  const n = t.length;
  if (leftHasNull || n === 0) return 'all';
  let trues = 0;
  for (let i = 0; i < n; i++) trues += t[i]!;
  if (op === 'or') return trues === n ? 'skip' : 'all';
  if (trues === 0) return 'skip';
  return trues < n && trues / n <= 0.2 ? 'selected' : 'all';
}

/** Half-open runs of consecutive selected rows. */
export function selectedRuns(sel: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < sel.length; i++) {
    if (!sel[i]) continue;
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1]++;
    else out.push([i, i + 1]);
  }
  return out;
}

/**
 * `evalOn` for the rows `sel` selects: over the whole batch when that succeeds (rows outside the
 * selection are then ignored by the caller), else over the selected runs only, so only a failure
 * on a selected row surfaces. `place` copies a run's result into the whole-batch result.
 */
export function evalSelected<T>(batch: arrow.RecordBatch, sel: Uint8Array, evalOn: (b: arrow.RecordBatch) => T, empty: () => T, place: (into: T, part: T, start: number) => void): T {
  try {
    return evalOn(batch);
  } catch (err) {
    const out = empty();
    for (const [start, end] of selectedRuns(sel)) place(out, evalOn(batch.slice(start, end)), start);
    // Nothing selected failed: the error came from rows DataFusion never evaluates.
    void err;
    return out;
  }
}
