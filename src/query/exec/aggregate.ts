// Hash aggregation for count/sum/min/max/avg with GROUP BY. Groups come out in order of first
// appearance, so results are deterministic without an ORDER BY.
import * as arrow from 'apache-arrow';
import { compareCells, groupKey, keyPart, vectorOf, type Cell } from './values.js';
import { columnData, takeData } from '../../dataset/arrow/kernels.js';

export type AggFn = 'count' | 'sum' | 'min' | 'max' | 'avg';

export interface AggSpec {
  fn: AggFn;
  /** null for count(*). */
  arg: arrow.Vector | null;
  distinct?: boolean;
}

export interface AggResult {
  /** First input row of each group, to gather the GROUP BY key columns. */
  groupRows: Int32Array;
  /** One vector per AggSpec, one value per group. */
  values: arrow.Vector[];
}

/** Result type of an aggregate over an argument type (Spark rules: sum of integers is BIGINT). */
export function aggType(fn: AggFn, argType: arrow.DataType | null): arrow.DataType {
  if (fn === 'count') return new arrow.Int64();
  if (fn === 'avg') return new arrow.Float64();
  if (!argType) return new arrow.Int64();
  if (fn === 'sum') return arrow.DataType.isInt(argType) ? new arrow.Int64() : arrow.DataType.isDecimal(argType) ? argType : new arrow.Float64();
  return argType;
}

interface Acc {
  count: number;
  sum: number | bigint | null;
  best: Cell;
  /** Input row holding `best`: min/max come out as a copy of that row (exact for every type). */
  bestRow: number;
  seen?: Set<string>;
}

function add(a: number | bigint | null, x: Cell): number | bigint {
  if (typeof x === 'bigint' || typeof a === 'bigint') {
    const bx = typeof x === 'bigint' ? x : BigInt(Math.trunc(Number(x)));
    return (a === null ? 0n : typeof a === 'bigint' ? a : BigInt(Math.trunc(a))) + bx;
  }
  return (a ?? 0) + Number(x);
}

/**
 * With no group keys and no rows, SQL still yields one group (count 0, others null); pass
 * `global` for that case.
 */
export function hashAggregate(groupKeys: readonly arrow.Vector[], aggs: readonly AggSpec[], rows: number, global: boolean): AggResult {
  const groups = new Map<string, number>();
  const firstRows: number[] = [];
  const accs: Acc[][] = [];
  const fresh = (): Acc[] => aggs.map((a) => ({ count: 0, sum: null, best: null, bestRow: -1, seen: a.distinct ? new Set<string>() : undefined }));
  if (global && groupKeys.length === 0) {
    groups.set('', 0);
    firstRows.push(-1);
    accs.push(fresh());
  }
  for (let i = 0; i < rows; i++) {
    const k = groupKey(groupKeys, i);
    let g = groups.get(k);
    if (g === undefined) {
      g = firstRows.length;
      groups.set(k, g);
      firstRows.push(i);
      accs.push(fresh());
    }
    const row = accs[g]!;
    for (let a = 0; a < aggs.length; a++) {
      const spec = aggs[a]!;
      const acc = row[a]!;
      if (spec.arg === null) {
        acc.count++;
        continue;
      }
      const x = spec.arg.get(i);
      if (x === null || x === undefined) continue;
      if (acc.seen) {
        const kp = keyPart(x)!;
        if (acc.seen.has(kp)) continue;
        acc.seen.add(kp);
      }
      acc.count++;
      if (spec.fn === 'sum' || spec.fn === 'avg') acc.sum = add(acc.sum, x);
      else if (spec.fn === 'min' || spec.fn === 'max') {
        if (acc.best === null || acc.best === undefined) (acc.best = x), (acc.bestRow = i);
        else {
          const c = compareCells(x, acc.best);
          if ((spec.fn === 'min' && c < 0) || (spec.fn === 'max' && c > 0)) (acc.best = x), (acc.bestRow = i);
        }
      }
    }
  }
  const values = aggs.map((spec, a) => {
    const type = aggType(spec.fn, spec.arg?.type ?? null);
    if ((spec.fn === 'min' || spec.fn === 'max') && spec.arg) return arrow.makeVector(takeData(columnData(spec.arg), accs.map((row) => row[a]!.bestRow)));
    const cells = accs.map((row) => {
      const acc = row[a]!;
      switch (spec.fn) {
        case 'count':
          return BigInt(acc.count);
        case 'sum':
          if (acc.count === 0) return null;
          return arrow.DataType.isInt(type) ? BigInt(acc.sum as number | bigint) : Number(acc.sum);
        case 'avg':
          return acc.count === 0 ? null : Number(acc.sum) / acc.count;
        default:
          return acc.best ?? null;
      }
    });
    return vectorOf(type, cells);
  });
  return { groupRows: Int32Array.from(firstRows), values };
}
