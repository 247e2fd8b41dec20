// LanceDB-style query builder over a snapshot: select / where / limit / offset /
// withRowAddress, then toArrow() or `for await` over batches.
import type * as arrow from 'apache-arrow';
import type { Dataset } from './dataset.js';
import { collect, resolveColumns, scanDataset, type ScanOptions } from './scanner.js';
import { InvalidInputError } from '../errors.js';

export class Query implements AsyncIterable<arrow.RecordBatch> {
  private opts: ScanOptions = {};

  constructor(private readonly snapshot: () => Promise<Dataset>) {}

  select(columns: readonly string[]): this {
    this.opts.columns = [...columns];
    return this;
  }

  where(sql: string): this {
    this.opts.filter = sql;
    return this;
  }

  /** Alias of where(), as in LanceDB. */
  filter(sql: string): this {
    return this.where(sql);
  }

  limit(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new InvalidInputError('BAD_LIMIT', `limit must be a non-negative integer, got ${n}`);
    this.opts.limit = n;
    return this;
  }

  offset(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new InvalidInputError('BAD_OFFSET', `offset must be a non-negative integer, got ${n}`);
    this.opts.offset = n;
    return this;
  }

  /** Adds `_rowaddr` (uint64, fragment_id << 32 | offset). */
  withRowAddress(): this {
    this.opts.withRowAddress = true;
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<arrow.RecordBatch> {
    yield* scanDataset(await this.snapshot(), this.opts);
  }

  async toArrow(): Promise<arrow.Table> {
    const ds = await this.snapshot();
    const batches: arrow.RecordBatch[] = [];
    for await (const b of scanDataset(ds, this.opts)) batches.push(b);
    return collect(batches, ds, resolveColumns(ds, this.opts.columns), this.opts.withRowAddress ?? false);
  }

  /** Rows as plain objects (via Arrow's row proxies). */
  async toArray(): Promise<Record<string, unknown>[]> {
    return (await this.toArrow()).toArray().map((r) => ({ ...(r as object) }));
  }
}
