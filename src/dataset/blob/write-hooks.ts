// The dataset write path's blob hook: each batch on its way into a data file has its blob
// columns placed by a per-data-file blob writer and replaced by descriptor columns; when the data
// file is finished its packs are closed; if the write fails every sidecar is removed.
import * as arrow from 'apache-arrow';
import type { ObjectStore } from '../../io/object-store.js';
import { blobFieldThresholds, isBlobArrowField } from '../../format/blob/blob-field.js';
import { createBlobFileWriter, newBlobWriteCounters, type BlobFileWriter, type BlobWriteCounters, type OutOfLineSink } from '../../format/blob/blob-writer.js';
import { blobDescriptorType, descriptorVector, type BlobDescriptor } from '../../format/blob/descriptor.js';
import type { ExternalOpener } from '../../format/blob/external-store.js';
import type { BasePathInfo } from '../../format/blob/external-uri.js';
import { fromLogicalBlobValue } from './blob-values.js';

export interface BlobWriteOptions {
  bases?: readonly BasePathInfo[];
  allowExternalOutsideBases?: boolean;
  externalMode?: 'reference' | 'ingest';
  maxBufferedBytes?: number;
  packFileSizeOverride?: number;
  openExternal?: ExternalOpener;
}

/** The data file a batch is about to be written to (matches the dataset's DataFileTarget). */
export interface BlobTarget {
  path: string;
  writer: { appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint | number> | bigint | number };
}

export interface BlobWriteHooks {
  readonly counters: BlobWriteCounters;
  /** Replaces the blob columns of `batch` by descriptor columns (no-op without blob columns). */
  transformBatch(batch: arrow.RecordBatch, target: BlobTarget): Promise<arrow.RecordBatch>;
  /** Closes the packs of a finished data file. */
  finishFile(target: { path: string }): Promise<void>;
  /** Removes every sidecar written by these hooks (a failed or abandoned write). */
  abort(): Promise<void>;
}

/** A blob column still in its logical shape (descriptor-shaped columns pass through). */
function isLogicalBlob(f: arrow.Field): boolean {
  return isBlobArrowField(f) && f.type instanceof arrow.Struct && f.type.children.some((c) => c.name === 'data');
}

export function hasBlobColumns(schema: arrow.Schema): boolean {
  return schema.fields.some(isLogicalBlob);
}

export function createBlobWriteHooks(store: ObjectStore, opts: BlobWriteOptions = {}): BlobWriteHooks {
  const counters = newBlobWriteCounters();
  const files = new Map<string, BlobFileWriter>();
  const all: BlobFileWriter[] = [];

  const writerFor = (target: BlobTarget): BlobFileWriter => {
    let w = files.get(target.path);
    if (!w) {
      const sink: OutOfLineSink = { appendOutOfLineBuffer: async (b) => BigInt(await target.writer.appendOutOfLineBuffer(b)) };
      w = createBlobFileWriter({ store, dataFilePath: target.path, sink, counters, ...opts });
      files.set(target.path, w);
      all.push(w);
    }
    return w;
  };

  return {
    counters,
    async transformBatch(batch, target) {
      if (!hasBlobColumns(batch.schema)) return batch;
      const w = writerFor(target);
      const fields: arrow.Field[] = [];
      const children: arrow.Data[] = [];
      for (let c = 0; c < batch.schema.fields.length; c++) {
        const f = batch.schema.fields[c]!;
        const col = batch.getChildAt(c)!;
        if (!isLogicalBlob(f)) {
          fields.push(f);
          children.push(col.data.length === 1 ? col.data[0]! : arrow.vectorFromArray([...col], f.type).data[0]!);
          continue;
        }
        const cw = columnWriter(w, f);
        const descs: (BlobDescriptor | null)[] = [];
        for (let i = 0; i < batch.numRows; i++) {
          const row = col.get(i) as { data?: Uint8Array | null; uri?: string | null } | null;
          descs.push(await cw.write(fromLogicalBlobValue(row === null ? null : { data: row.data ?? null, uri: row.uri ?? null })));
        }
        fields.push(new arrow.Field(f.name, blobDescriptorType(), f.nullable, f.metadata));
        children.push(descriptorVector(descs).data[0]!);
      }
      const schema = new arrow.Schema(fields, batch.schema.metadata);
      return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, nullCount: 0, children }));
    },
    async finishFile(target) {
      const w = files.get(target.path);
      if (!w) return;
      files.delete(target.path);
      await w.finish();
    },
    async abort() {
      files.clear();
      for (const w of all.splice(0)) await w.abort();
    },
  };
}

const columnWriters = new WeakMap<BlobFileWriter, Map<string, ReturnType<BlobFileWriter['column']>>>();
function columnWriter(w: BlobFileWriter, f: arrow.Field) {
  let m = columnWriters.get(w);
  if (!m) columnWriters.set(w, (m = new Map()));
  let cw = m.get(f.name);
  if (!cw) m.set(f.name, (cw = w.column(f.name, blobFieldThresholds(f))));
  return cw;
}
