// A DataFrame is a lazy plan, not a promise: `await session.table('t')` must settle at once and
// give back the DataFrame itself (an object with a private `then` used to hang every such await).
import { describe, expect, it } from 'vitest';
import { DataFrame } from '../../src/query/dataframe.js';
import { productsFixture } from './helpers.js';

const settlesWithin = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms))]);

describe('awaiting a DataFrame', () => {
  it('resolves to the DataFrame itself, which still runs', async () => {
    const f = await productsFixture(4);
    const df = f.db.table('products');
    expect('then' in df).toBe(false);
    const awaited = await settlesWithin(Promise.resolve(df), 2000);
    expect(awaited).toBe(df);
    expect(awaited).toBeInstanceOf(DataFrame);
    const filtered = await settlesWithin(Promise.resolve(awaited.filter('id > 2')), 2000);
    expect((await filtered.toArrow()).numRows).toBe(2);
  }, 30_000);
});
