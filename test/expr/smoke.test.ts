import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { parseFilter, evalPredicate, exprToString } from '../../src/dataset/expr/index.js';

describe('smoke', () => {
  it('works', () => {
    const batch = new arrow.RecordBatch({
      a: arrow.vectorFromArray([1, 2, null, 4], new arrow.Int32()),
      s: arrow.vectorFromArray(['x', 'yy', 'z', null]),
    });
    const e = parseFilter("a > 1 AND s LIKE '_%' OR s IS NULL");
    console.log(exprToString(e));
    expect(Array.from(evalPredicate(e, batch))).toEqual([0, 1, 0, 1]);
  });
});
