// Reading a snapshot: projection, filter (two phases: filter columns first, then the projected
// columns of matching rows only), offset/limit, row addresses, counts and takes.
import * as arrow from 'apache-arrow';
import { arrowTypeOf, type LanceField } from '../format/schema.js';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { compileFilter, type CompiledFilter } from './filter.js';
import type { Dialect } from './expr/dialect.js';
import { deletedRows, fragmentRows, ROW_ADDRESS_COLUMN, scanFragment } from './scan.js';
import type { DataFragment } from '../format/proto/table_pb.js';

export interface ScanOptions {
  /** Top-level columns, in output order (default: all). */
  columns?: readonly string[];
  /** SQL predicate. */
  filter?: string;
  /** Semantics of `filter`: the Table API's (DataFusion) unless the SQL session says 'spark'. */
  dialect?: Dialect;
  limit?: number;
  offset?: number;
  withRowAddress?: boolean;
  batchRows?: number;
  /** Restrict to these fragments (default: all). */
  fragments?: readonly DataFragment[];
}

export function resolveColumns(ds: Dataset, columns: readonly string[] | undefined): LanceField[] {
  if (!columns) return ds.schema.fields;
  return columns.map((c) => {
    const f = ds.schema.fields.find((x) => x.name === c);
    if (!f) throw new InvalidInputError('UNKNOWN_COLUMN', `no column "${c}" in ${ds.loc.uri}; columns: ${ds.schema.fields.map((x) => x.name).join(', ')}`, { column: c });
    return f;
  });
}

async function filterFor(ds: Dataset, sql: string | undefined, dialect?: Dialect): Promise<CompiledFilter | undefined> {
  if (sql === undefined || sql.trim() === '') return undefined;
  return compileFilter(sql, ds.schema.fields.map((f) => f.name), dialect);
}

/**
 * A batch of `n` rows for a filter that reads no column (`true`, `-7/2 = -3`): Arrow JS drops the
 * length of a batch without children, so it gets one NULL column the filter cannot name.
 */
function rowsOnly(n: number): arrow.RecordBatch {
  const field = new arrow.Field('', new arrow.Null(), true);
  const rows = arrow.makeData({ type: new arrow.Null(), length: n });
  return new arrow.RecordBatch(new arrow.Schema([field]), arrow.makeData({ type: new arrow.Struct([field]), length: n, nullCount: 0, children: [rows] }));
}

/** Physical offsets of the rows of `frag` that match `filter`, batch by batch. */
async function* matchingOffsets(ds: Dataset, frag: DataFragment, filter: CompiledFilter, batchRows?: number): AsyncGenerator<Uint32Array> {
  const fields = resolveColumns(ds, filter.columns);
  for await (const { batch, offsets } of scanFragment(ds.loc, frag, { fields, ...(batchRows ? { batchRows } : {}) }, arrowTypeOf)) {
    const mask = filter.evaluate(fields.length === 0 ? rowsOnly(offsets.length) : batch);
    let n = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
    if (n === 0) continue;
    const out = new Uint32Array(n);
    let w = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) out[w++] = offsets[i]!;
    yield out;
  }
}

/** All matching offsets of one fragment (sorted). */
export async function fragmentMatches(ds: Dataset, frag: DataFragment, sql: string): Promise<Uint32Array> {
  const filter = (await filterFor(ds, sql))!;
  const parts: Uint32Array[] = [];
  for await (const o of matchingOffsets(ds, frag, filter)) parts.push(o);
  const out = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
  let w = 0;
  for (const p of parts) {
    out.set(p, w);
    w += p.length;
  }
  return out;
}

/** Streams the rows of a snapshot. */
export async function* scanDataset(ds: Dataset, opts: ScanOptions = {}): AsyncGenerator<arrow.RecordBatch> {
  const fields = resolveColumns(ds, opts.columns);
  const filter = await filterFor(ds, opts.filter, opts.dialect);
  let skip = opts.offset ?? 0;
  let left = opts.limit ?? Infinity;
  if (left <= 0) return;
  const scanOpts = { fields, withRowAddress: opts.withRowAddress ?? false, ...(opts.batchRows ? { batchRows: opts.batchRows } : {}) };
  for (const frag of opts.fragments ?? ds.fragments) {
    const sources: AsyncIterable<{ batch: arrow.RecordBatch }> = filter
      ? (async function* () {
          for await (const offsets of matchingOffsets(ds, frag, filter, opts.batchRows)) {
            yield* scanFragment(ds.loc, frag, { ...scanOpts, offsets }, arrowTypeOf);
          }
        })()
      : scanFragment(ds.loc, frag, scanOpts, arrowTypeOf);
    for await (const { batch } of sources) {
      let b = batch;
      if (skip > 0) {
        if (skip >= b.numRows) {
          skip -= b.numRows;
          continue;
        }
        b = b.slice(skip);
        skip = 0;
      }
      if (b.numRows > left) b = b.slice(0, left);
      left -= b.numRows;
      if (b.numRows > 0) yield b;
      if (left <= 0) return;
    }
  }
}

/** Live rows, optionally only those matching `filter`. */
export async function countRows(ds: Dataset, filter?: string): Promise<number> {
  const f = await filterFor(ds, filter);
  if (!f) {
    const fast = ds.countRowsFast();
    if (fast !== undefined) return fast;
    // Counted per fragment, not from a column-less scan: Arrow JS drops the row count of a batch without columns.
    let n = 0;
    for (const frag of ds.fragments) n += (await fragmentRows(ds.loc, frag)) - (await deletedRows(ds.loc, frag)).length;
    return n;
  }
  let n = 0;
  for (const frag of ds.fragments) for await (const o of matchingOffsets(ds, frag, f)) n += o.length;
  return n;
}

/**
 * Rows at the given row addresses (fragment_id << 32 | offset), in address order without
 * duplicates — as Lance's takeRowIds returns them. Deleted or unknown addresses are skipped.
 */
export async function takeRows(ds: Dataset, addresses: readonly bigint[], opts: { columns?: readonly string[]; withRowAddress?: boolean } = {}): Promise<arrow.Table> {
  const fields = resolveColumns(ds, opts.columns);
  const byFrag = new Map<bigint, Set<number>>();
  for (const a of addresses) {
    const frag = a >> 32n;
    const set = byFrag.get(frag) ?? new Set<number>();
    set.add(Number(a & 0xffffffffn));
    byFrag.set(frag, set);
  }
  const batches: arrow.RecordBatch[] = [];
  for (const frag of [...ds.fragments].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const wanted = byFrag.get(frag.id);
    if (!wanted) continue;
    const offsets = Uint32Array.from(wanted).sort();
    for await (const { batch } of scanFragment(ds.loc, frag, { fields, withRowAddress: opts.withRowAddress ?? false, offsets }, arrowTypeOf)) batches.push(batch);
  }
  return collect(batches, ds, fields, opts.withRowAddress ?? false);
}

/** A table of batches; an empty result still carries the projected schema. */
export function collect(batches: arrow.RecordBatch[], ds: Dataset, fields: LanceField[], withRowAddress: boolean): arrow.Table {
  if (batches.length > 0) return new arrow.Table(batches);
  const outFields = fields.map((f) => new arrow.Field(f.name, arrowTypeOf(f), f.nullable, new Map(Object.entries(f.metadata))));
  if (withRowAddress) outFields.push(new arrow.Field(ROW_ADDRESS_COLUMN, new arrow.Uint64(), false));
  return new arrow.Table(new arrow.Schema(outFields));
}
