// Blob methods on the public Table, kept out of table.ts: importing this module adds
// fetchBlobs / fetchBlobFiles / copyBlobs / blobColumns to Table, makes createTable/add accept
// raw blob values (bytes, URIs, streams, files, references) in row objects, and installs the
// blob-aware data-file seam. Options for blob placement ride along as `blob` in the write options.
import * as arrow from 'apache-arrow';
import { Table, type AddOptions } from '../table.js';
import { Connection } from '../connection.js';
import { MergeInsertBuilder } from '../merge-insert.js';
import type { CreateOptions } from '../write-ops.js';
import type { TableData } from '../input.js';
import { isBlobV2Field } from '../../format/schema.js';
import type { BlobWriteCounters } from '../../format/blob/blob-writer.js';
import type { BlobFile } from './blob-file.js';
import type { CopiedBlobs } from './copy-blobs.js';
import { copyDatasetBlobs, datasetBlobView, fetchDatasetBlobFiles, fetchDatasetBlobs, prepareBlobRows } from './dataset-blobs.js';
import { enableBlobWrites, withBlobWriteOptions } from './blob-data-files.js';
import type { BlobWriteOptions } from './write-hooks.js';
import { withBlobTokenScope } from './blob-values.js';

export interface BlobWriteParams {
  blob?: BlobWriteOptions;
}

declare module '../table.js' {
  interface Table {
    /** Names of the blob v2 columns. */
    blobColumns(): Promise<string[]>;
    /** Payloads at row addresses, in request order (duplicates kept, null → null). */
    fetchBlobs(column: string, rowAddresses: readonly (bigint | number)[]): Promise<(Uint8Array | null)[]>;
    /** Lazy handles at row addresses, in request order. */
    fetchBlobFiles(column: string, rowAddresses: readonly (bigint | number)[]): Promise<(BlobFile | null)[]>;
    /** References for writing these blobs elsewhere without moving payloads through memory. */
    copyBlobs(column: string, rowAddresses: readonly (bigint | number)[]): Promise<CopiedBlobs>;
    /** Blob counters of the last add() on this handle. */
    lastBlobWrite?: BlobWriteCounters;
  }
}

const big = (xs: readonly (bigint | number)[]) => xs.map((x) => BigInt(x));

function prepare(data: TableData, schema: arrow.Schema | undefined): TableData {
  return Array.isArray(data) && schema ? prepareBlobRows(data, schema) : data;
}

let installed = false;

/** Adds the blob methods and write support (idempotent; runs on import). */
export function installTableBlobs(): void {
  if (installed) return;
  installed = true;
  enableBlobWrites();

  Table.prototype.blobColumns = async function (this: Table) {
    return (await this.dataset()).schema.fields.filter(isBlobV2Field).map((f) => f.name);
  };
  Table.prototype.fetchBlobs = async function (this: Table, column, rowAddresses) {
    return fetchDatasetBlobs(await this.dataset(), column, big(rowAddresses));
  };
  Table.prototype.fetchBlobFiles = async function (this: Table, column, rowAddresses) {
    return fetchDatasetBlobFiles(await this.dataset(), column, big(rowAddresses));
  };
  Table.prototype.copyBlobs = async function (this: Table, column, rowAddresses) {
    return copyDatasetBlobs(await this.dataset(), column, big(rowAddresses));
  };

  const add = Table.prototype.add;
  Table.prototype.add = async function (this: Table, data: TableData, opts: AddOptions & BlobWriteParams = {}) {
    const { blob, ...rest } = opts;
    const ds = await this.dataset();
    const bases = datasetBlobView(ds).basePaths;
    const { result, counters } = await withBlobWriteOptions({ bases, ...blob }, () => add.call(this, prepare(data, ds.arrowSchema), rest));
    this.lastBlobWrite = counters;
    return result;
  };

  // Row rewrites carry blobs as tokens too; a rewrite that fails must release them like add().
  for (const name of ['update', 'delete', 'compact'] as const) {
    const inner = Table.prototype[name] as (...a: unknown[]) => Promise<unknown>;
    (Table.prototype as unknown as Record<string, unknown>)[name] = function (this: Table, ...a: unknown[]) {
      return withBlobTokenScope(() => inner.apply(this, a));
    };
  }
  const execute = MergeInsertBuilder.prototype.execute;
  MergeInsertBuilder.prototype.execute = function (this: MergeInsertBuilder, ...a: Parameters<typeof execute>) {
    return withBlobTokenScope(() => execute.apply(this, a));
  };

  const createTable = Connection.prototype.createTable;
  Connection.prototype.createTable = async function (this: Connection, name: string, data: TableData, opts: CreateOptions & BlobWriteParams = {}) {
    const { blob, ...rest } = opts;
    const schema = opts.schema ?? (data instanceof arrow.Table ? data.schema : undefined);
    const { result, counters } = await withBlobWriteOptions(blob ?? {}, () => createTable.call(this, name, prepare(data, schema), rest));
    result.lastBlobWrite = counters;
    return result;
  };
}

installTableBlobs();
