// mergeInsert(on): join source rows to target rows on key columns and, in one Update
// transaction, update matched rows, insert unmatched source rows and delete target rows the
// source lacks. Matched rows are updated per fragment like update(): column rewrite (only the
// source's non-key columns, for every physical row) when cheaper, else row rewrite with blob
// payloads carried by reference. Conditions and SET expressions see the target row's columns by
// name (or `target.x`) and the source row as `source.x`.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import type { DataFragment } from '../format/proto/table_pb.js';
import { Transaction_UpdateMode, Transaction_UpdateSchema } from '../format/proto/transaction_pb.js';
import { arrowTypeOf, isBlobV2Field, type LanceField } from '../format/schema.js';
import { InvalidInputError } from '../errors.js';
import { commitTransaction, newTransaction } from './commit.js';
import { Dataset } from './dataset.js';
import { withReplan, type ReplanOptions } from './delete.js';
import { exprModule } from './filter.js';
import { normalizeInput, rowsToBatch, type TableData } from './input.js';
import { prepareBlobRows } from './blob/dataset-blobs.js';
import type { Expr } from './expr/index.js';
import { isRecordBatchLike, retypeData, sameLayout } from './arrow/adopt.js';
import { buildColumn } from './arrow/build-column.js';
import {
  discardWrites,
  evalAs,
  ioReport,
  makeBatch,
  ownerIds,
  readFragment,
  singleData,
  snapshotCounters,
  takeIndices,
  withDeletions,
  writeRows,
  carryStableRowIds,
  type IoReport,
} from './mutation-io.js';
import { chooseMode, rewriteColumns, rowsForRewrite, type FragmentChange, type UpdateMode } from './update.js';

export interface MergeResult {
  version: number;
  numInsertedRows: number;
  numUpdatedRows: number;
  numDeletedRows: number;
  mode: 'rewrite-rows' | 'rewrite-columns' | 'mixed' | 'none';
  bytesWritten: number;
  io: IoReport;
}

interface Plan {
  on: string[];
  matched?: { where?: string; set?: Record<string, string> };
  insert: boolean;
  bySource?: { where?: string };
  mode: UpdateMode;
}

export class MergeInsertBuilder {
  private readonly plan: Plan;

  constructor(
    private readonly run: (plan: Plan, data: TableData, opts: ReplanOptions) => Promise<MergeResult>,
    on: string | string[],
  ) {
    const keys = Array.isArray(on) ? on : [on];
    if (keys.length === 0) throw new InvalidInputError('NO_KEYS', 'mergeInsert needs at least one key column');
    this.plan = { on: keys, insert: false, mode: 'auto' };
  }

  /** Matched target rows take every column the source has (optionally only where `where` holds). */
  whenMatchedUpdateAll(opts: { where?: string } = {}): this {
    this.plan.matched = { ...(opts.where ? { where: opts.where } : {}) };
    return this;
  }

  /** Matched target rows get `set` (column → SQL over target columns and `source.x`). */
  whenMatchedUpdate(set: Record<string, string>, opts: { where?: string } = {}): this {
    this.plan.matched = { set, ...(opts.where ? { where: opts.where } : {}) };
    return this;
  }

  whenNotMatchedInsertAll(): this {
    this.plan.insert = true;
    return this;
  }

  whenNotMatchedBySourceDelete(opts: { where?: string } = {}): this {
    this.plan.bySource = { ...(opts.where ? { where: opts.where } : {}) };
    return this;
  }

  /** Force row or column rewrites of matched rows (default: cheaper per fragment). */
  writeMode(mode: UpdateMode): this {
    this.plan.mode = mode;
    return this;
  }

  execute(data: TableData, opts: ReplanOptions = {}): Promise<MergeResult> {
    return this.run({ ...this.plan }, data, opts);
  }
}

/** Source rows as one batch whose columns carry the target's types. */
async function sourceBatch(ds: Dataset, data: TableData): Promise<arrow.RecordBatch> {
  const target = ds.arrowSchema;
  if (Array.isArray(data) && !data.some((r) => isRecordBatchLike(r))) {
    const rows = data as Record<string, unknown>[];
    const names = new Set(rows.flatMap((r) => Object.keys(r)));
    // No rows, no columns to learn from: an empty source with the table's columns.
    const fields = target.fields.filter((f) => rows.length === 0 || names.has(f.name));
    const unknown = [...names].filter((n) => !target.fields.some((f) => f.name === n));
    if (unknown.length) throw new InvalidInputError('SCHEMA_MISMATCH', `source has columns the table does not: ${unknown.join(', ')}`);
    const schema = new arrow.Schema(fields);
    return rowsToBatch(prepareBlobRows(rows, schema), schema);
  }
  const input = await normalizeInput(data);
  const parts: arrow.RecordBatch[] = [];
  for await (const b of input.batches) parts.push(b);
  const t = new arrow.Table(input.schema, parts);
  const fields: arrow.Field[] = [];
  const cols: arrow.Data[] = [];
  for (const f of input.schema.fields) {
    const tf = target.fields.find((x) => x.name === f.name);
    if (!tf) throw new InvalidInputError('SCHEMA_MISMATCH', `source has a column the table does not: ${f.name}`, { column: f.name });
    const v = t.getChild(f.name)!;
    fields.push(tf);
    // Another type is converted value by value, checked against the table's type.
    cols.push(sameLayout(v.type, tf.type) ? retypeData(singleData(v), tf.type) : buildColumn([...v], tf.type, f.name));
  }
  return makeBatch(fields, cols, t.numRows);
}

function keyOf(batch: arrow.RecordBatch, on: string[], i: number): string {
  return JSON.stringify(on.map((c) => {
    const v = batch.getChild(c)!.get(i);
    return typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
  }));
}

/** Target rows + the matching source rows as a `source` struct column, for conditions and SETs. */
function joinedBatch(target: arrow.RecordBatch, source: arrow.RecordBatch, srcIdx: number[]): arrow.RecordBatch {
  const src = takeIndices(source, srcIdx);
  const structType = new arrow.Struct(src.schema.fields);
  const struct = arrow.makeData({ type: structType, length: src.numRows, nullCount: 0, children: src.schema.fields.map((f) => singleData(src.getChild(f.name)!)) });
  const fields = [...target.schema.fields, new arrow.Field('source', structType, false)];
  return makeBatch(fields, [...target.schema.fields.map((f) => singleData(target.getChild(f.name)!)), struct], target.numRows);
}

async function parsed(sql: string | undefined, filter: boolean): Promise<{ e: Expr; cols: string[] } | undefined> {
  if (!sql || !sql.trim()) return undefined;
  const m = await exprModule();
  const e = (filter ? m.parseFilter(sql) : m.parseExpr!(sql)) as Expr;
  return { e, cols: m.exprColumns(e).filter((c) => c !== 'source' && c !== 'target') };
}

/** Plans and commits one merge on the latest snapshot. */
export async function mergeInsert(ds: Dataset, plan: Plan, data: TableData, opts: ReplanOptions = {}): Promise<MergeResult> {
  const start = await ds.latest().catch(() => ds);
  const before = snapshotCounters(start);
  let committed: Dataset = start;
  const result = await withReplan(start, opts, async (snap) => {
    const schema = snap.schema;
    for (const k of plan.on) if (!schema.fields.some((f) => f.name === k)) throw new InvalidInputError('UNKNOWN_COLUMN', `merge key "${k}" is not a column of the table`, { column: k });
    const source = await sourceBatch(snap, data);
    for (const k of plan.on) if (!source.schema.fields.some((f) => f.name === k)) throw new InvalidInputError('SCHEMA_MISMATCH', `source lacks merge key column "${k}"`, { column: k });
    const bySourceKey = new Map<string, number>();
    for (let i = 0; i < source.numRows; i++) {
      const k = keyOf(source, plan.on, i);
      if (bySourceKey.has(k)) throw new InvalidInputError('AMBIGUOUS_MERGE', `source has more than one row for key ${k}`, { key: k });
      bySourceKey.set(k, i);
    }
    const m = await exprModule();
    const matchedWhere = await parsed(plan.matched?.where, true);
    const sourceWhere = await parsed(plan.bySource?.where, true);
    const sets = new Map<string, Expr>();
    if (plan.matched?.set) for (const [c, sql] of Object.entries(plan.matched.set)) sets.set(c, (await parsed(sql, false))!.e);
    const setCols = plan.matched?.set ? Object.keys(plan.matched.set) : source.schema.fields.map((f) => f.name).filter((n) => !plan.on.includes(n));
    const changed: LanceField[] = schema.fields.filter((f) => setCols.includes(f.name));
    if (changed.length !== setCols.length) throw new InvalidInputError('UNKNOWN_COLUMN', `cannot set unknown column(s): ${setCols.filter((c) => !schema.fields.some((f) => f.name === c)).join(', ')}`);
    // `target.x` names x only after the qualifier; conditions and SETs simply get every non-blob column.
    const exprReads = sets.size || matchedWhere || sourceWhere ? schema.fields.filter((f) => !isBlobV2Field(f)).map((f) => f.name) : [];
    const readNames = new Set([...plan.on, ...(matchedWhere?.cols ?? []), ...(sourceWhere?.cols ?? []), ...exprReads]);
    const readFields = schema.fields.filter((f) => readNames.has(f.name));
    const blobInSet = changed.some(isBlobV2Field);
    const mode: UpdateMode = blobInSet ? 'rewrite-rows' : plan.mode;

    const seen = new Set<string>();
    const updated: DataFragment[] = [];
    const removed: bigint[] = [];
    const rowBatches: arrow.RecordBatch[] = [];
    // Inserted rows go to fragments of their own, so moved rows can keep their stable row ids.
    const insertBatches: arrow.RecordBatch[] = [];
    const moved: { frag: DataFragment; offsets: Uint32Array }[] = [];
    let numUpdated = 0;
    let numDeleted = 0;
    let rowMode = 0;
    let colMode = 0;
    let written: DataFragment[] = [];
    try {
      for (const frag of snap.fragments) {
        const { batch, offsets } = await readFragment(snap, frag, readFields);
        const hit: number[] = [];
        const hitSrc: number[] = [];
        const gone: number[] = [];
        for (let i = 0; i < batch.numRows; i++) {
          const k = keyOf(batch, plan.on, i);
          const s = bySourceKey.get(k);
          if (s !== undefined) {
            seen.add(k);
            if (plan.matched) {
              hit.push(i);
              hitSrc.push(s);
            }
          } else if (plan.bySource) gone.push(i);
        }
        let keepHit = hit.map((_, j) => j);
        let joined: arrow.RecordBatch | undefined;
        if (hit.length) {
          joined = joinedBatch(takeIndices(batch, hit), source, hitSrc);
          if (matchedWhere) {
            const mask = m.evalPredicate(matchedWhere.e, joined);
            keepHit = keepHit.filter((j) => mask[j]);
            joined = takeIndices(joined, keepHit);
          }
        }
        if (sourceWhere && gone.length) {
          const mask = m.evalPredicate(sourceWhere.e, takeIndices(batch, gone));
          const kept = gone.filter((_, j) => mask[j]);
          gone.length = 0;
          gone.push(...kept);
        }
        const delHits: number[] = gone.map((i) => offsets[i]!);
        numDeleted += gone.length;
        let next: DataFragment = frag;
        numUpdated += keepHit.length;
        // A source with only key columns changes nothing in matched rows.
        if (keepHit.length && joined && changed.length) {
          const fresh = new Map<string, arrow.Data>();
          const srcRows = keepHit.map((j) => hitSrc[j]!);
          for (const f of changed) {
            const e = sets.get(f.name);
            fresh.set(f.name, e ? await evalAs(e, joined, arrowTypeOf(f), f.name) : singleData(takeIndices(source, srcRows).getChild(f.name)!));
          }
          const hitOffsets = Uint32Array.from(keepHit.map((j) => offsets[hit[j]!]!));
          const physical = mode === 'rewrite-rows' ? makeBatch([], [], 0) : (await readFragment(snap, frag, changed, { physical: true })).batch;
          const c: FragmentChange = { frag, offsets: hitOffsets, fresh, physical };
          if ((await chooseMode(snap, c, changed, mode)) === 'columns') {
            next = await rewriteColumns(snap, c, changed);
            colMode++;
          } else {
            rowBatches.push(await rowsForRewrite(snap, c));
            moved.push({ frag, offsets: hitOffsets });
            delHits.push(...hitOffsets);
            rowMode++;
          }
        }
        const after = await withDeletions(snap, next, Uint32Array.from(delHits));
        if (!after) removed.push(frag.id);
        else if (after !== frag) updated.push(after);
      }
      if (plan.insert) {
        const fresh: number[] = [];
        for (const [k, i] of bySourceKey) if (!seen.has(k)) fresh.push(i);
        if (fresh.length) insertBatches.push(takeIndices(source, fresh.sort((a, b) => a - b)));
      }
      const numInserted = plan.insert ? bySourceKey.size - seen.size : 0;
      if (numUpdated + numDeleted + numInserted === 0) {
        return { version: snap.version, numInsertedRows: 0, numUpdatedRows: 0, numDeletedRows: 0, mode: 'none' as const, bytesWritten: 0, io: ioReport(snapshotCounters(snap), before) };
      }
      written = rowBatches.length ? await writeRows(snap, rowBatches) : [];
      carryStableRowIds(snap, moved, written);
      if (insertBatches.length) written = [...written, ...(await writeRows(snap, insertBatches))];
      const columnsOnly = colMode > 0 && rowMode === 0;
      const txn = newTransaction(snap.loaded.version, {
        case: 'update',
        value: create(Transaction_UpdateSchema, {
          removedFragmentIds: removed,
          updatedFragments: updated,
          newFragments: written,
          fieldsModified: colMode > 0 ? [...ownerIds(changed)] : [],
          fieldsForPreservingFragBitmap: columnsOnly ? [] : schema.fields.map((f) => f.id),
          updateMode: columnsOnly ? Transaction_UpdateMode.REWRITE_COLUMNS : Transaction_UpdateMode.REWRITE_ROWS,
        }),
      });
      const res = await commitTransaction(snap.loc, txn, opts);
      committed = new Dataset(snap.loc, res.loaded);
      const io = ioReport(snapshotCounters(snap), before);
      const applied = colMode && rowMode ? 'mixed' : colMode ? 'rewrite-columns' : numUpdated ? 'rewrite-rows' : 'none';
      return { version: Number(res.version), numInsertedRows: numInserted, numUpdatedRows: numUpdated, numDeletedRows: numDeleted, mode: applied, bytesWritten: io.bytesWritten, io } as MergeResult;
    } catch (e) {
      await discardWrites(snap, [...written, ...updated], [], e);
      throw e;
    }
  });
  mergeCommitted.set(result, committed);
  return result;
}

/** The snapshot a merge committed (for Table to advance its handle). */
export const mergeCommitted = new WeakMap<MergeResult, Dataset>();
