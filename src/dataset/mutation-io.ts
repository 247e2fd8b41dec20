// Shared plumbing of the mutation operations (update, merge-insert, add columns, compaction):
// read the physical rows of a fragment, compute SET values with the table's column types, carry
// blob columns by reference, write rows as fragments or a column subset as one extra data file,
// and measure what the store did.
import * as arrow from 'apache-arrow';
import { FLAG_STABLE_ROW_IDS } from '../format/table/feature-flags.js';
import { decodeRowIdSequence, encodeRowIdSequence } from '../format/table/row-ids.js';
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, type DataFile, type DataFragment } from '../format/proto/table_pb.js';
import { arrowTypeOf, columnOwners, isBlobV2Field, type LanceField, type LanceSchema } from '../format/schema.js';
import { diffCounters, joinPath, type IoCounters } from '../io/object-store.js';
import { DATA_DIR, deletionFilePath } from '../format/table/file-names.js';
import { unionSorted, writeDeletionFile } from '../format/table/deletion-file.js';
import { deletedRows as fragmentDeletions, fragmentRows } from './scan.js';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { exprModule } from './filter.js';
import { rowAddress, scanFragment } from './scan.js';
import { writeFragments } from './write-fragments.js';
import { writeContext } from './write-ops.js';
import { copyDatasetBlobs, datasetBlobView } from './blob/dataset-blobs.js';
import { toLogicalBlobValue } from './blob/blob-values.js';
import { withBlobWriteOptions } from './blob/blob-data-files.js';
import type { CastType, Expr } from './expr/index.js';
import { mayDiscardAfter } from './commit.js';
import { columnData, concatData, nullData, scatterData, takeData } from './arrow/kernels.js';
import { buildColumn } from './arrow/build-column.js';
import { retypeData, sameLayout } from './arrow/adopt.js';

/** Bytes the store moved for one operation. */
export interface IoReport {
  bytesRead: number;
  bytesWritten: number;
  /** Payload bytes made visible by link / server-side copy (no bytes through the client). */
  bytesLinked: number;
  /** Payload bytes range-copied by the store. */
  bytesCopied: number;
}

export function ioReport(after: IoCounters, before: IoCounters): IoReport {
  const d = diffCounters(after, before);
  return { bytesRead: d.bytesRead, bytesWritten: d.bytesWritten, bytesLinked: d.bytesLinked, bytesCopied: d.bytesCopied };
}

export function snapshotCounters(ds: Dataset): IoCounters {
  return { ...ds.loc.store.counters };
}

export function makeBatch(fields: readonly arrow.Field[], columns: readonly arrow.Data[], numRows: number): arrow.RecordBatch {
  const schema = new arrow.Schema([...fields]);
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: numRows, nullCount: 0, children: [...columns] }));
}

/** One Data per column, whatever the chunking (chunks concatenated by buffer). */
export function singleData(v: arrow.Vector): arrow.Data {
  return columnData(v);
}

function concatBatches(parts: arrow.RecordBatch[], fields: LanceField[]): arrow.RecordBatch {
  const arrowFields = fields.map((f) => new arrow.Field(f.name, arrowTypeOf(f), f.nullable));
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return makeBatch(arrowFields, arrowFields.map((f) => nullData(f.type, 0)), 0);
  const fs = parts[0]!.schema.fields;
  return makeBatch(fs, fs.map((f, i) => concatData(f.type, parts.map((p) => p.data.children[i]!))), parts.reduce((s, p) => s + p.numRows, 0));
}

/**
 * Rows of `fields` of one fragment in one batch. `physical` reads every physical row (deleted ones
 * too, so the result lines up with row offsets); otherwise live rows, or only `offsets`.
 * Blob v2 columns come back as descriptors.
 */
export async function readFragment(ds: Dataset, frag: DataFragment, fields: LanceField[], opts: { physical?: boolean; offsets?: Uint32Array } = {}): Promise<{ batch: arrow.RecordBatch; offsets: Uint32Array }> {
  const source = opts.physical ? create(DataFragmentSchema, { ...frag, deletionFile: undefined }) : frag;
  const parts: arrow.RecordBatch[] = [];
  const offs: Uint32Array[] = [];
  for await (const { batch, offsets } of scanFragment(ds.loc, source, { fields, ...(opts.offsets ? { offsets: opts.offsets } : {}) }, arrowTypeOf)) {
    parts.push(batch);
    offs.push(offsets);
  }
  const offsets = new Uint32Array(offs.reduce((s, o) => s + o.length, 0));
  let w = 0;
  for (const o of offs) {
    offsets.set(o, w);
    w += o.length;
  }
  return { batch: concatBatches(parts, fields), offsets };
}

/** A filtered copy of `batch` keeping rows whose index is in `idx`. */
export function takeIndices(batch: arrow.RecordBatch, idx: ArrayLike<number>): arrow.RecordBatch {
  const cols = batch.schema.fields.map((_, i) => takeData(batch.data.children[i]!, idx));
  return makeBatch(batch.schema.fields, cols, idx.length);
}

const CAST_BY_TYPE: Partial<Record<arrow.Type, CastType>> = {
  [arrow.Type.Bool]: 'bool',
  [arrow.Type.Int8]: 'int8',
  [arrow.Type.Int16]: 'int16',
  [arrow.Type.Int32]: 'int32',
  [arrow.Type.Int64]: 'int64',
  [arrow.Type.Uint8]: 'uint8',
  [arrow.Type.Uint16]: 'uint16',
  [arrow.Type.Uint32]: 'uint32',
  [arrow.Type.Uint64]: 'uint64',
  [arrow.Type.Float32]: 'float32',
  [arrow.Type.Float64]: 'float64',
  [arrow.Type.Utf8]: 'string',
  [arrow.Type.LargeUtf8]: 'string',
  [arrow.Type.Binary]: 'binary',
  [arrow.Type.LargeBinary]: 'binary',
};

/** Parsed SET expressions by column, checked against the schema. */
export interface Assignments {
  exprs: Map<string, Expr>;
  /** Columns the expressions read. */
  reads: string[];
}

export async function parseAssignments(schema: LanceSchema, values: Record<string, string>): Promise<Assignments> {
  const m = await exprModule();
  const exprs = new Map<string, Expr>();
  const reads = new Set<string>();
  for (const [col, sql] of Object.entries(values)) {
    const f = schema.fields.find((x) => x.name === col);
    if (!f) throw new InvalidInputError('UNKNOWN_COLUMN', `cannot set unknown column "${col}"; columns: ${schema.fields.map((x) => x.name).join(', ')}`, { column: col });
    if (isBlobV2Field(f)) throw new InvalidInputError('BLOB_SET', `blob column "${col}" cannot be set by an expression; rewrite the rows with new blob values instead`, { column: col });
    const e = m.parseExpr!(sql) as Expr;
    for (const c of m.exprColumns(e)) {
      if (!schema.fields.some((x) => x.name === c)) throw new InvalidInputError('UNKNOWN_COLUMN', `expression for "${col}" names unknown column "${c}"`, { column: c });
      reads.add(c);
    }
    exprs.set(col, e);
  }
  if (exprs.size === 0) throw new InvalidInputError('NO_VALUES', 'update needs at least one column to set');
  return { exprs, reads: [...reads] };
}

/**
 * Evaluates `e` on `batch` and converts the result to `type` (CAST when the types differ); a
 * value that still does not fit `type` is an InvalidInputError naming `column` and the row.
 */
export async function evalAs(e: Expr, batch: arrow.RecordBatch, type: arrow.DataType, column = 'expression result'): Promise<arrow.Data> {
  const m = await exprModule();
  let v = m.evalExpr!(e, batch);
  const target: arrow.Type = type.typeId;
  if (!arrow.util.compareTypes(v.type, type) && v.type.typeId !== arrow.Type.Null) {
    const to = CAST_BY_TYPE[target];
    if (to) v = m.evalExpr!({ kind: 'cast', arg: e, to, safe: false, implicit: true } as Expr, batch);
  }
  if (sameLayout(v.type, type)) return retypeData(singleData(v), type);
  return buildColumn([...v], type, column);
}

/** Replaces rows `at` (indices into `old`) with the rows of `fresh`, in order. */
export function scatter(old: arrow.Vector, at: ArrayLike<number>, fresh: arrow.Vector): arrow.Data {
  return scatterData(singleData(old), at, retypeData(singleData(fresh), old.type));
}

/**
 * `batch` with its blob v2 descriptor columns turned into writable references to the same
 * payloads (rows at `addresses` of `ds`): the write then links or range-copies sidecars.
 */
export async function carryBlobs(ds: Dataset, batch: arrow.RecordBatch, addresses: readonly bigint[]): Promise<arrow.RecordBatch> {
  const blobFields = ds.schema.fields.filter(isBlobV2Field);
  if (blobFields.length === 0 || !blobFields.some((f) => batch.schema.fields.some((x) => x.name === f.name))) return batch;
  const fields: arrow.Field[] = [];
  const cols: arrow.Data[] = [];
  for (const af of batch.schema.fields) {
    const lf = blobFields.find((f) => f.name === af.name);
    // Columns already holding logical values (new blobs from the user) are written as they are.
    const isDescriptor = af.type.typeId === arrow.Type.Struct && (af.type as arrow.Struct).children.some((c) => c.name === 'kind');
    if (!lf || !isDescriptor) {
      fields.push(af);
      cols.push(singleData(batch.getChild(af.name)!));
      continue;
    }
    const { values } = await copyDatasetBlobs(ds, lf.name, addresses);
    const type = arrowTypeOf(lf);
    fields.push(new arrow.Field(af.name, type, lf.nullable));
    cols.push(arrow.vectorFromArray(values.map((r) => (r === null ? null : toLogicalBlobValue(r))), type).data[0]!);
  }
  return makeBatch(fields, cols, batch.numRows);
}

export function addressesOf(fragId: bigint, offsets: ArrayLike<number>): bigint[] {
  return Array.from(offsets, (o) => rowAddress(fragId, o));
}

async function* once(batches: readonly arrow.RecordBatch[]): AsyncIterable<arrow.RecordBatch> {
  for (const b of batches) if (b.numRows > 0) yield b;
}

/** Writes full rows (blob columns as logical values/references) as new fragments of `ds`. */
/**
 * With stable row ids, rows that a row rewrite moves keep their ids, as Lance 12 does: the new
 * fragments (holding exactly the moved rows, in order) get the moved rows' old ids. Fragments whose
 * sequence lives in an external file keep lancet's fallback of fresh ids.
 */
export function carryStableRowIds(ds: Dataset, moved: ReadonlyArray<{ frag: DataFragment; offsets: ArrayLike<number> }>, written: readonly DataFragment[]): void {
  if ((ds.manifest.readerFeatureFlags & FLAG_STABLE_ROW_IDS) === 0n) return;
  const ids: bigint[] = [];
  for (const { frag, offsets } of moved) {
    if (frag.rowIdSequence.case !== 'inlineRowIds') return;
    const all = decodeRowIdSequence(frag.rowIdSequence.value, `row ids of fragment ${frag.id}`, frag.physicalRows > 0n ? Number(frag.physicalRows) : undefined);
    for (let i = 0; i < offsets.length; i++) ids.push(all[offsets[i]!]!);
  }
  const total = written.reduce((s, f) => s + Number(f.physicalRows), 0);
  if (total !== ids.length) throw new InvalidInputError('ROW_ID_MISMATCH', `moved ${ids.length} rows but wrote ${total}`);
  let at = 0;
  for (const f of written) {
    const n = Number(f.physicalRows);
    f.rowIdSequence = { case: 'inlineRowIds', value: encodeRowIdSequence(ids.slice(at, at + n)) };
    at += n;
  }
}

export async function writeRows(ds: Dataset, batches: readonly arrow.RecordBatch[], opts: { maxRowsPerFile?: number } = {}): Promise<DataFragment[]> {
  const bases = datasetBlobView(ds).basePaths;
  const { result } = await withBlobWriteOptions({ bases }, () => writeFragments(writeContext(ds.loc, ds.fileVersion, opts), once(batches), ds.schema));
  return result;
}

/** Writes the columns `fields` (all physical rows of a fragment) as one new data file. */
export async function writeColumnFile(ds: Dataset, fields: LanceField[], batch: arrow.RecordBatch): Promise<DataFile> {
  const schema: LanceSchema = { fields, metadata: {} };
  const frags = await writeFragments(writeContext(ds.loc, ds.fileVersion, { maxRowsPerFile: Math.max(1, batch.numRows) }), once([batch]), schema);
  if (frags.length !== 1 || frags[0]!.files.length !== 1) {
    throw new InvalidInputError('COLUMN_FILE', `expected one column file for ${batch.numRows} rows, wrote ${frags.length} fragments`);
  }
  return frags[0]!.files[0]!;
}

/** Column-owning field ids of top-level fields (what data files list). */
export function ownerIds(fields: readonly LanceField[]): Set<number> {
  return new Set(columnOwners(fields).map((f) => f.id));
}

/**
 * The fragment's files with `ids` tombstoned (-2) in the files that held them, the new column
 * file appended; files left with only tombstones are dropped (a later rewrite of the same columns
 * replaces the earlier column file, as Lance does).
 */
export function withColumnFile(frag: DataFragment, ids: Set<number>, file: DataFile): DataFragment {
  const files = frag.files
    .map((f) => ({ ...f, fields: f.fields.map((id) => (ids.has(id) ? -2 : id)) }))
    .filter((f) => f.fields.some((id) => id >= 0));
  return create(DataFragmentSchema, { ...frag, files: [...files, file] });
}

/** Approximate stored bytes per physical row of a fragment (its data files; inline blobs included). */
export function rowWidth(frag: DataFragment): number {
  const rows = Number(frag.physicalRows);
  if (rows === 0) return 0;
  return frag.files.reduce((s, f) => s + Number(f.fileSizeBytes), 0) / rows;
}

/** In-memory size of Arrow data (values, offsets, validity): a write-size estimate. */
export function dataBytes(d: arrow.Data): number {
  let n = 0;
  for (const b of [d.values, d.valueOffsets, d.nullBitmap] as (ArrayBufferView | undefined)[]) if (b) n += b.byteLength;
  for (const c of d.children) n += dataBytes(c);
  return n;
}

/**
 * Removes what a failed operation wrote: new data files with their blob sidecar directories and
 * new deletion files. Files `keep` lists (those of the snapshot it read) are never touched.
 */
export async function discardWrites(ds: Dataset, fragments: readonly DataFragment[], extraFiles: readonly DataFile[] = [], cause?: unknown): Promise<void> {
  // A commit that may have landed references these files: keep them (at worst orphans).
  if (cause !== undefined && !mayDiscardAfter(cause)) return;
  const keep = new Set(ds.fragments.flatMap((f) => f.files.map((d) => d.path)));
  const keepDel = new Set(ds.fragments.flatMap((f) => (f.deletionFile ? [deletionFilePath(f.id, f.deletionFile)] : [])));
  const store = ds.loc.store;
  const files = [...fragments.flatMap((f) => f.files), ...extraFiles];
  for (const d of files) {
    if (keep.has(d.path)) continue;
    await store.delete(joinPath(ds.loc.base, DATA_DIR, d.path)).catch(() => undefined);
    const dir = joinPath(ds.loc.base, DATA_DIR, d.path.replace(/\.lance$/, '')) + '/';
    for (const o of await store.list(dir).catch(() => [])) await store.delete(o.path).catch(() => undefined);
  }
  for (const f of fragments) {
    if (!f.deletionFile) continue;
    const p = deletionFilePath(f.id, f.deletionFile);
    if (!keepDel.has(p)) await store.delete(joinPath(ds.loc.base, p)).catch(() => undefined);
  }
}

/**
 * Marks `hits` (physical offsets) deleted in `frag` (which may already carry a new column file):
 * a new deletion file with the union, or undefined when no row of the fragment is left.
 */
export async function withDeletions(ds: Dataset, frag: DataFragment, hits: Uint32Array): Promise<DataFragment | undefined> {
  if (hits.length === 0) return frag;
  const all = unionSorted(await fragmentDeletions(ds.loc, frag), Uint32Array.from(hits).sort());
  if (all.length >= (await fragmentRows(ds.loc, frag))) return undefined;
  const deletionFile = await writeDeletionFile(ds.loc.store, ds.loc.base, frag.id, ds.loaded.version, all);
  return create(DataFragmentSchema, { ...frag, deletionFile });
}
