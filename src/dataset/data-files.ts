// The seam between the dataset layer and the Lance data-file format. The dataset only needs
// "write batches into a new .lance file" and "read these fields / row ranges from one"; the
// implementation comes from src/format/file (loaded lazily) or is injected (tests, tools).
import type * as arrow from 'apache-arrow';
import type { ObjectStore } from '../io/object-store.js';
import type { LanceField, LanceSchema } from '../format/schema.js';
import { createFileWriter, openLanceFile } from '../format/file/index.js';

export interface DataFileWriteResult {
  numRows: number;
  fileSize: number;
  version: string;
  fieldIds: number[];
  columnIndices: number[];
}

export interface DataFileWriter {
  write(batch: arrow.RecordBatch): Promise<void> | void;
  /** Bytes placed in the file's data region (64-byte aligned); returns their absolute offset. Used by blob columns. */
  appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint | number> | bigint | number;
  finish(): Promise<DataFileWriteResult> | DataFileWriteResult;
  abort(): Promise<void> | void;
}

export interface DataFileReader {
  numRows: number;
  schema?: LanceSchema;
  /**
   * Rows of `fields` (top-level Lance fields with their children), all rows or the concatenation
   * of the half-open row `ranges`; `columnOf` maps a column-owning field id to its column index.
   */
  read(fields: LanceField[], columnOf: (fieldId: number) => number | undefined, opts?: { ranges?: [number, number][] }): Promise<arrow.RecordBatch> | arrow.RecordBatch;
}

export interface DataFileFormat {
  createFileWriter(store: ObjectStore, path: string, schema: LanceSchema, opts: { version: string }): Promise<DataFileWriter> | DataFileWriter;
  openLanceFile(store: ObjectStore, path: string, opts?: { size?: number }): Promise<DataFileReader> | DataFileReader;
}

let injected: DataFileFormat | undefined;

/** Replaces the data-file implementation (undefined restores the default). */
export function setDataFileFormat(f: DataFileFormat | undefined): void {
  injected = f;
}

const lanceFiles: DataFileFormat = {
  createFileWriter: (store, path, schema, opts) => createFileWriter(store, path, schema, { version: opts.version as '2.1' | '2.2' }),
  openLanceFile: (store, path, opts) => openLanceFile(store, path, opts ?? {}),
};

export async function dataFileFormat(): Promise<DataFileFormat> {
  return injected ?? lanceFiles;
}
