// Writes that add or replace data: create, append, overwrite, restore. Each builds a
// transaction and commits it; data files are written first and stay invisible until then.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { Transaction_AppendSchema, Transaction_OverwriteSchema, Transaction_RestoreSchema } from '../format/proto/transaction_pb.js';
import type { DataFragment } from '../format/proto/table_pb.js';
import type { Field } from '../format/proto/file_pb.js';
import { arrowSchemaOf, lanceSchemaFromArrow, toPbFields, type LanceSchema } from '../format/schema.js';
import { CommitConflictError, InvalidInputError } from '../errors.js';
import { commitTransaction, mayDiscardAfter, newTransaction, type CommitOptions } from './commit.js';
import { Dataset } from './dataset.js';
import { normalizeInput, rowsToBatch, type TableData } from './input.js';
import { DEFAULT_FILE_VERSION } from './manifest-builder.js';
import { removeWrittenFiles, writeFragments, type WriteContext } from './write-fragments.js';
import { loadLatest, VersionNotFoundError, type DatasetLocation } from './versions.js';
import { isRecordBatchLike, localSchema } from './arrow/adopt.js';

export type FileVersionOption = '2.1' | '2.2';

export interface CreateOptions extends CommitOptions {
  mode?: 'create' | 'overwrite';
  /** Arrow schema: required for empty data, used to build batches from row objects. */
  schema?: arrow.Schema;
  fileVersion?: FileVersionOption;
  maxRowsPerFile?: number;
}

export interface WriteOptions extends CommitOptions {
  maxRowsPerFile?: number;
}

/** The write context for a dataset; blob columns extend it with transformBatch/finishFile. */
export function writeContext(loc: DatasetLocation, fileVersion: string, opts: { maxRowsPerFile?: number } = {}): WriteContext {
  // lancet reads 2.0 and v1 (0.1) datasets but writes only 2.1 / 2.2 files, and one dataset keeps one format.
  if (fileVersion !== '2.1' && fileVersion !== '2.2') {
    throw new InvalidInputError(
      'UNSUPPORTED_WRITE_FORMAT',
      `${loc.uri} stores its data in file format ${fileVersion}, which lancet reads but does not write; ` +
        'deletes work, but writes that add data files do not. Copy the table into a new one (createTable(name, await table.toArrow())) to get a 2.2 table lancet can write',
      { uri: loc.uri, fileVersion },
    );
  }
  return { loc, fileVersion, ...(opts.maxRowsPerFile ? { maxRowsPerFile: opts.maxRowsPerFile } : {}) };
}

function checkFileVersion(v: string): void {
  if (v !== '2.1' && v !== '2.2') throw new InvalidInputError('BAD_FILE_VERSION', `file version must be '2.1' or '2.2', got '${v}'`, { fileVersion: v });
}

const encoder = new TextEncoder();

function pbSchemaMetadata(s: LanceSchema): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(s.metadata).map(([k, v]) => [k, encoder.encode(v)]));
}

/** Creates (or, with mode 'overwrite', replaces) the dataset at `loc`. */
export async function createDataset(loc: DatasetLocation, data: TableData, opts: CreateOptions = {}): Promise<Dataset> {
  const mode = opts.mode ?? 'create';
  const fileVersion = opts.fileVersion ?? DEFAULT_FILE_VERSION;
  checkFileVersion(fileVersion);
  let readVersion = 0n;
  try {
    const latest = await loadLatest(loc);
    if (mode === 'create') throw new InvalidInputError('TABLE_EXISTS', `a dataset already exists at ${loc.uri} (version ${latest.version}); use mode 'overwrite'`, { uri: loc.uri });
    readVersion = latest.version;
  } catch (e) {
    if (!(e instanceof VersionNotFoundError)) throw e;
  }
  const input = await normalizeInput(data, opts.schema);
  const schema = lanceSchemaFromArrow(opts.schema ? localSchema(opts.schema) : input.schema);
  const fragments = await writeFragments(writeContext(loc, fileVersion, opts), input.batches, schema);
  const txn = newTransaction(readVersion, {
    case: 'overwrite',
    value: create(Transaction_OverwriteSchema, { fragments, schema: toPbFields(schema.fields), schemaMetadata: pbSchemaMetadata(schema) }),
  });
  const res = await commitOrDiscard(loc, fragments, () => commitTransaction(loc, txn, { ...opts, fileVersion, mustCreate: mode === 'create' }));
  return new Dataset(loc, res.loaded);
}

/** Data as batches following the dataset's schema (row objects are built with it). */
async function inputFor(ds: Dataset, data: TableData) {
  const schema = arrowSchemaOf(ds.schema);
  if (Array.isArray(data) && !data.some((r) => isRecordBatchLike(r))) return normalizeInput(rowsToBatch(data as Record<string, unknown>[], schema), schema);
  return normalizeInput(data, schema);
}

/** Appends rows as new fragments. */
export async function appendData(ds: Dataset, data: TableData, opts: WriteOptions = {}): Promise<Dataset> {
  const input = await inputFor(ds, data);
  const fragments = await writeFragments(writeContext(ds.loc, ds.fileVersion, opts), input.batches, ds.schema);
  if (fragments.length === 0) return ds;
  const res = await commitOrDiscard(ds.loc, fragments, () => commitAppend(ds, fragments, opts));
  return new Dataset(ds.loc, res.loaded);
}

/** Fields as the files written for them depend on: id, parent, name, type. */
function fieldShape(fields: readonly Field[]): string {
  return JSON.stringify(fields.map((f) => [f.id, f.parentId, f.name, f.logicalType]));
}

/**
 * Commits appended fragments. When versions committed since the read version were removed by
 * cleanup (VERSION_GAP), their changes cannot be checked, but an append conflicts only with a
 * replacement of the table, and appending to the replaced table is still a valid order of the two
 * as long as the files fit its schema: so the append re-bases on the latest version when that
 * version has the schema the files were written with, and fails with the conflict otherwise.
 */
async function commitAppend(ds: Dataset, fragments: DataFragment[], opts: CommitOptions) {
  const shape = fieldShape(ds.manifest.fields);
  let readVersion = ds.loaded.version;
  for (let replans = 0; ; replans++) {
    const txn = newTransaction(readVersion, { case: 'append', value: create(Transaction_AppendSchema, { fragments }) });
    try {
      return await commitTransaction(ds.loc, txn, opts);
    } catch (e) {
      if (!(e instanceof CommitConflictError && e.code === 'VERSION_GAP') || replans >= 10) throw e;
      const latest = await loadLatest(ds.loc);
      if (fieldShape(latest.manifest.fields) !== shape) throw e;
      readVersion = latest.version;
    }
  }
}

/** A commit that definitely did not land leaves none of the files written for it behind. */
async function commitOrDiscard<T>(loc: DatasetLocation, fragments: readonly DataFragment[], commit: () => Promise<T>): Promise<T> {
  try {
    return await commit();
  } catch (e) {
    if (mayDiscardAfter(e)) await removeWrittenFiles(loc, fragments);
    throw e;
  }
}

/** Replaces all rows (and the schema, when the data brings another one). */
export async function overwriteData(ds: Dataset, data: TableData, opts: WriteOptions & { schema?: arrow.Schema } = {}): Promise<Dataset> {
  const { fileVersion, ...rest } = opts;
  return createDataset(ds.loc, data, { ...rest, fileVersion: (fileVersion ?? ds.fileVersion) as FileVersionOption, mode: 'overwrite' });
}

/** Makes an old version the newest one (a new version whose content equals `version`'s). */
export async function restoreVersion(ds: Dataset, version?: number, opts: CommitOptions = {}): Promise<Dataset> {
  const target = BigInt(version ?? ds.version);
  const latest = await ds.latest();
  const txn = newTransaction(latest.loaded.version, { case: 'restore', value: create(Transaction_RestoreSchema, { version: target }) });
  const res = await commitTransaction(ds.loc, txn, opts);
  return new Dataset(ds.loc, res.loaded);
}
