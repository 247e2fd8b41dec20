// update(where, SET col = expr, ...) as an Update transaction, per fragment in one of Lance's two
// modes (LANCE-FORMAT §4.2, PEER-LANCE12 §3.4):
//   REWRITE_ROWS    matching rows get deletion marks and are written again, whole, into a new
//                   fragment; blob payloads travel by reference (sidecars linked / range-copied).
//   REWRITE_COLUMNS the fragment gets one new data file holding only the changed columns for all
//                   of its physical rows; the old file's entries for those field ids become -2.
// 'auto' picks per fragment whichever writes fewer bytes. A failed update leaves no visible change.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import type { DataFragment } from '../format/proto/table_pb.js';
import { Transaction_UpdateMode, Transaction_UpdateSchema } from '../format/proto/transaction_pb.js';
import { arrowTypeOf, isBlobV2Field, type LanceField } from '../format/schema.js';
import { BlobKind } from '../format/blob/layout.js';
import { descriptorsOf } from '../format/blob/descriptor.js';
import { InvalidInputError } from '../errors.js';
import { commitTransaction, newTransaction } from './commit.js';
import { Dataset } from './dataset.js';
import { planDeletion, withReplan, type ReplanOptions } from './delete.js';
import { compileFilter } from './filter.js';
import { deletedRows } from './scan.js';
import {
  addressesOf,
  carryBlobs,
  dataBytes,
  discardWrites,
  evalAs,
  ioReport,
  makeBatch,
  ownerIds,
  parseAssignments,
  readFragment,
  rowWidth,
  scatter,
  singleData,
  snapshotCounters,
  takeIndices,
  withColumnFile,
  writeColumnFile,
  writeRows,
  carryStableRowIds,
  type Assignments,
  type IoReport,
} from './mutation-io.js';

export type UpdateMode = 'auto' | 'rewrite-rows' | 'rewrite-columns';
/** What was done: 'mixed' when auto chose differently for different fragments. */
export type AppliedUpdateMode = 'rewrite-rows' | 'rewrite-columns' | 'mixed' | 'none';

export interface UpdateOptions extends ReplanOptions {
  /** SQL predicate; all rows when absent. */
  where?: string;
  /** Column → SQL expression (evaluated on the row's old values). Non-strings are literals. */
  values?: Record<string, string | number | bigint | boolean | null>;
  /** Column → SQL expression (LanceDB's spelling; merged with `values`). */
  valuesSql?: Record<string, string>;
  mode?: UpdateMode;
}

export interface UpdateResult {
  rowsUpdated: number;
  version: number;
  mode: AppliedUpdateMode;
  /** Bytes written to the store (data, deletion, transaction and manifest files). */
  bytesWritten: number;
  io: IoReport;
  dataset: Dataset;
}

/** One fragment's share of an update. */
export interface FragmentChange {
  frag: DataFragment;
  /** Physical offsets of the rows to change (sorted). */
  offsets: Uint32Array;
  /** New values of the changed columns for those rows, by column name. */
  fresh: Map<string, arrow.Data>;
  /** Old values of the changed columns for every physical row (column mode needs them). */
  physical: arrow.RecordBatch;
}

/** SQL text of a literal for `values` entries that are not expressions. */
export function sqlLiteral(v: string | number | bigint | boolean | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return v;
  return String(v);
}

/** Live matches of `where` in one fragment, with new values computed for them. */
async function planFragment(ds: Dataset, frag: DataFragment, asg: Assignments, changed: LanceField[], where: Awaited<ReturnType<typeof compileFilter>> | undefined): Promise<FragmentChange | undefined> {
  const names = new Set([...changed.map((f) => f.name), ...asg.reads, ...(where?.columns ?? [])]);
  const fields = ds.schema.fields.filter((f) => names.has(f.name));
  const { batch } = await readFragment(ds, frag, fields, { physical: true });
  const deleted = new Set(await deletedRows(ds.loc, frag));
  const mask = where ? where.evaluate(batch) : undefined;
  const hits: number[] = [];
  for (let i = 0; i < batch.numRows; i++) if (!deleted.has(i) && (!mask || mask[i])) hits.push(i);
  if (hits.length === 0) return undefined;
  const offsets = Uint32Array.from(hits);
  const subset = takeIndices(batch, offsets);
  const fresh = new Map<string, arrow.Data>();
  for (const f of changed) fresh.set(f.name, await evalAs(asg.exprs.get(f.name)!, subset, arrowTypeOf(f), f.name));
  return { frag, offsets, fresh, physical: batch };
}

/** Payload bytes a row rewrite would copy for these rows (packed slices; dedicated are linked). */
async function carriedBlobBytes(ds: Dataset, c: FragmentChange): Promise<number> {
  const blobs = ds.schema.fields.filter(isBlobV2Field);
  if (blobs.length === 0) return 0;
  const { batch } = await readFragment(ds, c.frag, blobs, { offsets: c.offsets });
  let n = 0;
  for (const f of blobs) {
    for (const d of descriptorsOf(batch.getChild(f.name)!)) if (d && d.kind === BlobKind.Packed) n += Number(d.size);
  }
  return n;
}

/** Chooses the mode for one fragment: the one that writes fewer bytes. */
export async function chooseMode(ds: Dataset, c: FragmentChange, changed: LanceField[], mode: UpdateMode): Promise<'rows' | 'columns'> {
  if (mode === 'rewrite-rows') return 'rows';
  if (mode === 'rewrite-columns') return 'columns';
  const columnBytes = changed.reduce((s, f) => s + dataBytes(singleData(c.physical.getChild(f.name)!)), 0);
  const rowBytes = c.offsets.length * rowWidth(c.frag) + (await carriedBlobBytes(ds, c));
  return columnBytes < rowBytes ? 'columns' : 'rows';
}

/** Column mode: the fragment with a new data file for the changed columns. */
export async function rewriteColumns(ds: Dataset, c: FragmentChange, changed: LanceField[]): Promise<DataFragment> {
  const arrowFields = changed.map((f) => new arrow.Field(f.name, arrowTypeOf(f), f.nullable));
  const cols = changed.map((f) => scatter(c.physical.getChild(f.name)!, c.offsets, arrow.makeVector(c.fresh.get(f.name)!)));
  const file = await writeColumnFile(ds, changed, makeBatch(arrowFields, cols, c.physical.numRows));
  return withColumnFile(c.frag, ownerIds(changed), file);
}

/** Row mode: the changed rows, whole, with blob columns as references, ready to be written. */
export async function rowsForRewrite(ds: Dataset, c: FragmentChange): Promise<arrow.RecordBatch> {
  const { batch } = await readFragment(ds, c.frag, ds.schema.fields, { offsets: c.offsets });
  const fields = batch.schema.fields;
  const cols = fields.map((f) => c.fresh.get(f.name) ?? singleData(batch.getChild(f.name)!));
  const replaced = makeBatch(fields.map((f) => (c.fresh.has(f.name) ? new arrow.Field(f.name, c.fresh.get(f.name)!.type, f.nullable) : f)), cols, batch.numRows);
  return carryBlobs(ds, replaced, addressesOf(c.frag.id, c.offsets));
}

/** Runs an update on the latest snapshot of `ds` (re-planned on retryable conflicts). */
export async function updateRows(ds: Dataset, opts: UpdateOptions): Promise<UpdateResult> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.values ?? {})) values[k] = sqlLiteral(v);
  Object.assign(values, opts.valuesSql ?? {});
  const mode = opts.mode ?? 'auto';
  if (!['auto', 'rewrite-rows', 'rewrite-columns'].includes(mode)) throw new InvalidInputError('BAD_MODE', `update mode must be auto, rewrite-rows or rewrite-columns, got ${mode}`);
  const start = await ds.latest().catch(() => ds);
  const before = snapshotCounters(start);
  return withReplan(start, opts, async (snap) => {
    const asg = await parseAssignments(snap.schema, values);
    const changed = snap.schema.fields.filter((f) => asg.exprs.has(f.name));
    const where = opts.where && opts.where.trim() ? await compileFilter(opts.where, snap.schema.fields.map((f) => f.name)) : undefined;

    const updated: DataFragment[] = [];
    const rowBatches: arrow.RecordBatch[] = [];
    const rowHits = new Map<bigint, Uint32Array>();
    let rowsUpdated = 0;
    let written: DataFragment[] = [];
    let deletions: DataFragment[] = [];
    try {
      for (const frag of snap.fragments) {
        const c = await planFragment(snap, frag, asg, changed, where);
        if (!c) continue;
        rowsUpdated += c.offsets.length;
        if ((await chooseMode(snap, c, changed, mode)) === 'columns') {
          updated.push(await rewriteColumns(snap, c, changed));
        } else {
          rowBatches.push(await rowsForRewrite(snap, c));
          rowHits.set(frag.id, c.offsets);
        }
      }
      if (rowsUpdated === 0) return { rowsUpdated: 0, version: snap.version, mode: 'none' as const, bytesWritten: 0, io: ioReport(snapshotCounters(snap), before), dataset: snap };
      written = rowBatches.length ? await writeRows(snap, rowBatches) : [];
      carryStableRowIds(snap, [...rowHits].map(([id, offsets]) => ({ frag: snap.fragments.find((f) => f.id === id)!, offsets })), written);
      const plan = await planDeletion(snap, async (f) => rowHits.get(f.id) ?? new Uint32Array());
      deletions = plan.updated;
      const applied: AppliedUpdateMode = rowHits.size === 0 ? 'rewrite-columns' : updated.length === 0 ? 'rewrite-rows' : 'mixed';
      const modified = applied === 'rewrite-rows' ? [] : [...ownerIds(changed)];
      const txn = newTransaction(snap.loaded.version, {
        case: 'update',
        value: create(Transaction_UpdateSchema, {
          removedFragmentIds: plan.removed,
          updatedFragments: [...updated, ...plan.updated],
          newFragments: written,
          fieldsModified: modified,
          fieldsForPreservingFragBitmap: applied === 'rewrite-columns' ? [] : changed.map((f) => f.id),
          updateMode: applied === 'rewrite-columns' ? Transaction_UpdateMode.REWRITE_COLUMNS : Transaction_UpdateMode.REWRITE_ROWS,
        }),
      });
      const res = await commitTransaction(snap.loc, txn, opts);
      const io = ioReport(snapshotCounters(snap), before);
      return { rowsUpdated, version: Number(res.version), mode: applied, bytesWritten: io.bytesWritten, io, dataset: new Dataset(snap.loc, res.loaded) };
    } catch (e) {
      await discardWrites(snap, [...written, ...updated, ...deletions], [], e);
      throw e;
    }
  });
}
