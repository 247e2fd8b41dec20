// The one path through which the dataset reads rows: one fragment, chosen fields, live rows
// (or chosen row offsets), in batches. Blob columns hook in downstream of this (descriptors
// come out of the data file like any other column).
import * as arrow from 'apache-arrow';
import type { DataFile, DataFragment } from '../format/proto/table_pb.js';
import { columnOwners, type LanceField } from '../format/schema.js';
import { DATA_DIR } from '../format/table/file-names.js';
import { readDeletionFile } from '../format/table/deletion-file.js';
import { joinPath } from '../io/object-store.js';
import { LanceFormatError } from '../errors.js';
import { dataFileFormat, type DataFileReader } from './data-files.js';
import { columnData, nullData } from './arrow/kernels.js';
import type { DatasetLocation } from './versions.js';

export const ROW_ADDRESS_COLUMN = '_rowaddr';

export interface FragmentScanOptions {
  /** Top-level fields to read, in output order (may be empty). */
  fields: LanceField[];
  withRowAddress?: boolean;
  /** Read only these physical offsets (sorted, unique); deleted ones are skipped. */
  offsets?: ArrayLike<number>;
  /** Physical rows per output batch (default 65,536). */
  batchRows?: number;
}

export interface ScannedBatch {
  batch: arrow.RecordBatch;
  /** Physical offset of each row of `batch` in the fragment. */
  offsets: Uint32Array;
}

export function rowAddress(fragmentId: bigint, offset: number): bigint {
  return (fragmentId << 32n) | BigInt(offset);
}

/** Sorted deleted offsets of a fragment (empty when it has no deletion file). */
export async function deletedRows(loc: DatasetLocation, frag: DataFragment): Promise<Uint32Array> {
  // The fragment's row count bounds what its deletion file may hold (and allocate).
  return frag.deletionFile ? readDeletionFile(loc.store, loc.base, frag.id, frag.deletionFile, await fragmentRows(loc, frag)) : new Uint32Array();
}

function dataFilePath(loc: DatasetLocation, frag: DataFragment, f: DataFile): string {
  if (f.baseId !== undefined) {
    throw new LanceFormatError('UNSUPPORTED_FEATURE', `data file ${f.path} of fragment ${frag.id} lives under base path ${f.baseId}; base paths are not supported`, { path: f.path });
  }
  return joinPath(loc.base, DATA_DIR, f.path);
}

/** Physical rows of a fragment; older writers may leave physical_rows at 0 ("unknown"). */
export async function fragmentRows(loc: DatasetLocation, frag: DataFragment): Promise<number> {
  if (frag.physicalRows > 0n || frag.files.length === 0) return Number(frag.physicalRows);
  const f = frag.files[0]!;
  const reader = await (await dataFileFormat()).openLanceFile(loc.store, dataFilePath(loc, frag, f), sizeOpt(f));
  return reader.numRows;
}

function sizeOpt(f: DataFile): { size?: number } {
  return f.fileSizeBytes > 0n ? { size: Number(f.fileSizeBytes) } : {};
}

/** Half-open runs of consecutive values of a sorted offset list. */
export function toRanges(offsets: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < offsets.length; i++) {
    const v = offsets[i]!;
    const last = out[out.length - 1];
    if (last && last[1] === v) last[1]++;
    else out.push([v, v + 1]);
  }
  return out;
}

/** Live offsets of each batch: windows of `batchRows` physical rows minus deletions (or the chosen offsets). */
function* batchOffsets(physicalRows: number, deleted: Uint32Array, batchRows: number, chosen?: ArrayLike<number>): Generator<Uint32Array> {
  const isDeleted = (() => {
    const set = deleted.length > 0 ? new Set(deleted) : undefined;
    return (o: number) => set?.has(o) ?? false;
  })();
  if (chosen) {
    const live: number[] = [];
    for (let i = 0; i < chosen.length; i++) {
      const o = chosen[i]!;
      if (o < physicalRows && !isDeleted(o)) live.push(o);
    }
    for (let i = 0; i < live.length; i += batchRows) yield Uint32Array.from(live.slice(i, i + batchRows));
    return;
  }
  let d = 0;
  for (let start = 0; start < physicalRows; start += batchRows) {
    const end = Math.min(physicalRows, start + batchRows);
    const out = new Uint32Array(end - start);
    let w = 0;
    for (let o = start; o < end; o++) {
      while (d < deleted.length && deleted[d]! < o) d++;
      if (d < deleted.length && deleted[d] === o) continue;
      out[w++] = o;
    }
    if (w > 0) yield out.subarray(0, w);
  }
}

function nullColumn(field: LanceField, type: arrow.DataType, n: number): arrow.Data {
  return nullData(type, n);
}

/**
 * The manifest's `physical_rows` decides how many rows a scan yields, even for columns no data
 * file holds; a data file must agree with it, or a hostile manifest makes a scan emit null rows
 * without end. Checks the opened readers, or opens the fragment's first data file.
 */
async function checkPhysicalRows(loc: DatasetLocation, frag: DataFragment, physical: number, readers: Map<DataFile, DataFileReader>): Promise<void> {
  const opened = [...readers.entries()];
  if (opened.length === 0 && frag.files[0]) {
    const f = frag.files[0];
    opened.push([f, await (await dataFileFormat()).openLanceFile(loc.store, dataFilePath(loc, frag, f), sizeOpt(f))]);
  }
  for (const [file, reader] of opened) {
    if (reader.numRows !== physical) {
      throw new LanceFormatError('BAD_FRAGMENT', `fragment ${frag.id} has ${physical} physical rows in the manifest, but its data file holds ${reader.numRows}`, { path: file.path });
    }
  }
}

/** Reads a fragment batch by batch. */
export async function* scanFragment(loc: DatasetLocation, frag: DataFragment, opts: FragmentScanOptions, arrowTypeOf: (f: LanceField) => arrow.DataType): AsyncGenerator<ScannedBatch> {
  const physical = await fragmentRows(loc, frag);
  const batchRows = opts.batchRows ?? 65536;

  // Which data file holds each requested field: the file listing its first column owner.
  const plan = new Map<DataFile, LanceField[]>();
  const missing = new Set<LanceField>();
  for (const field of opts.fields) {
    const owner = columnOwners([field])[0];
    const file = owner && frag.files.find((f) => f.fields.includes(owner.id));
    if (!file) missing.add(field);
    else plan.set(file, [...(plan.get(file) ?? []), field]);
  }
  const readers = new Map<DataFile, DataFileReader>();
  const format = plan.size > 0 ? await dataFileFormat() : undefined;
  for (const file of plan.keys()) readers.set(file, await format!.openLanceFile(loc.store, dataFilePath(loc, frag, file), sizeOpt(file)));
  await checkPhysicalRows(loc, frag, physical, readers);
  // Read only once the row count is confirmed: it bounds what the deletion file may allocate.
  const deleted = await deletedRows(loc, frag);

  for (const offsets of batchOffsets(physical, deleted, batchRows, opts.offsets)) {
    const n = offsets.length;
    const ranges = toRanges(offsets);
    const columns = new Map<LanceField, arrow.Data>();
    for (const [file, fields] of plan) {
      const columnOf = (id: number) => {
        const i = file.fields.indexOf(id);
        return i < 0 ? undefined : file.columnIndices[i];
      };
      const read = await readers.get(file)!.read(fields, columnOf, { ranges });
      if (read.numRows !== n) {
        throw new LanceFormatError('BAD_DATA_FILE', `data file returned ${read.numRows} rows for ${n} requested`, { path: file.path });
      }
      for (const f of fields) {
        const col = read.getChild(f.name);
        if (!col) throw new LanceFormatError('BAD_DATA_FILE', `data file did not return column "${f.name}"`, { path: file.path });
        columns.set(f, columnData(col));
      }
    }
    for (const f of missing) columns.set(f, nullColumn(f, arrowTypeOf(f), n));
    const outFields: arrow.Field[] = [];
    const children: arrow.Data[] = [];
    for (const f of opts.fields) {
      const data = columns.get(f)!;
      outFields.push(new arrow.Field(f.name, data.type, f.nullable, new Map(Object.entries(f.metadata))));
      children.push(data);
    }
    if (opts.withRowAddress) {
      const addrs = new BigUint64Array(n);
      for (let i = 0; i < n; i++) addrs[i] = rowAddress(frag.id, offsets[i]!);
      outFields.push(new arrow.Field(ROW_ADDRESS_COLUMN, new arrow.Uint64(), false));
      children.push(arrow.makeData({ type: new arrow.Uint64(), length: n, nullCount: 0, data: addrs }));
    }
    const schema = new arrow.Schema(outFields);
    const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(outFields), length: n, nullCount: 0, children }));
    yield { batch, offsets };
  }
}
