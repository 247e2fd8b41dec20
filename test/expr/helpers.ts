import * as arrow from 'apache-arrow';

/** A single record batch from named vectors (all the same length). */
export function batchOf(cols: Record<string, arrow.Vector>): arrow.RecordBatch {
  const table = new arrow.Table(cols);
  const batch = table.batches[0];
  if (!batch || table.batches.length !== 1) throw new Error('expected exactly one batch');
  return batch;
}

export const ints = (xs: (number | null)[]) => arrow.vectorFromArray(xs, new arrow.Int32());
export const bigs = (xs: (bigint | null)[]) => arrow.vectorFromArray(xs, new arrow.Int64());
export const ubigs = (xs: (bigint | null)[]) => arrow.vectorFromArray(xs, new arrow.Uint64());
export const floats = (xs: (number | null)[]) => arrow.vectorFromArray(xs, new arrow.Float64());
export const strs = (xs: (string | null)[]) => arrow.vectorFromArray(xs, new arrow.Utf8());
export const bools = (xs: (boolean | null)[]) => arrow.vectorFromArray(xs, new arrow.Bool());
export const bins = (xs: (Uint8Array | null)[]) => arrow.vectorFromArray(xs, new arrow.Binary());

/** Row indexes where a predicate mask is set. */
export const selected = (mask: Uint8Array) => Array.from(mask.entries()).flatMap(([i, v]) => (v ? [i] : []));
