// Blob support at the dataset's data-file seam. A data file writer for a schema with blob v2
// columns is wrapped so that each batch's blob columns are placed (inline through the file's
// out-of-line buffer, packs and dedicated sidecars next to it) and replaced by descriptors
// before the file sees them; finishing the file closes its packs, aborting removes its sidecars.
// Per-write options (external bases, ingest mode) travel in an async context so that the
// dataset's write functions need no blob-specific parameters.
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as arrow from 'apache-arrow';
import { isBlobV2Field } from '../../format/schema.js';
import { dataFileFormat, setDataFileFormat, type DataFileFormat, type DataFileWriter } from '../data-files.js';
import { createBlobWriteHooks, type BlobWriteHooks, type BlobWriteOptions } from './write-hooks.js';
import { newBlobWriteCounters, type BlobWriteCounters } from '../../format/blob/blob-writer.js';
import { withBlobTokenScope } from './blob-values.js';

const context = new AsyncLocalStorage<{ opts: BlobWriteOptions; counters: BlobWriteCounters }>();
const WRAPPED = Symbol.for('lancet.blob-data-files');

/**
 * Runs `fn` (a dataset write) with blob write options; returns its result and the blob counters.
 * Blob tokens issued inside `fn` are released when it settles (see withBlobTokenScope).
 */
export async function withBlobWriteOptions<T>(opts: BlobWriteOptions, fn: () => Promise<T>): Promise<{ result: T; counters: BlobWriteCounters }> {
  const counters = newBlobWriteCounters();
  const result = await withBlobTokenScope(() => context.run({ opts, counters }, fn));
  return { result, counters };
}

function addCounters(into: BlobWriteCounters, from: BlobWriteCounters): void {
  into.payloadBytesWritten += from.payloadBytesWritten;
  into.payloadBytesLinked += from.payloadBytesLinked;
  into.payloadBytesRead += from.payloadBytesRead;
  into.metadataBytesWritten += from.metadataBytesWritten;
  for (const k of Object.keys(into.values) as (keyof BlobWriteCounters['values'])[]) into.values[k] += from.values[k];
}

/** The data-file format with blob columns handled; files without blob columns are untouched. */
export function blobAwareFormat(inner: DataFileFormat): DataFileFormat {
  if ((inner as { [WRAPPED]?: boolean })[WRAPPED]) return inner;
  const wrapped: DataFileFormat & { [WRAPPED]: boolean } = {
    [WRAPPED]: true,
    openLanceFile: (store, path, opts) => inner.openLanceFile(store, path, opts),
    async createFileWriter(store, path, schema, opts) {
      const w = await inner.createFileWriter(store, path, schema, opts);
      if (!schema.fields.some(isBlobV2Field)) return w;
      const ctx = context.getStore();
      const hooks: BlobWriteHooks = createBlobWriteHooks(store, ctx?.opts ?? {});
      const target = { path, writer: w };
      const out: DataFileWriter = {
        async write(batch: arrow.RecordBatch) {
          await w.write(await hooks.transformBatch(batch, target));
        },
        appendOutOfLineBuffer: (bytes) => w.appendOutOfLineBuffer(bytes),
        async finish() {
          await hooks.finishFile(target);
          if (ctx) addCounters(ctx.counters, hooks.counters);
          return w.finish();
        },
        async abort() {
          await Promise.resolve(w.abort());
          await hooks.abort();
        },
      };
      return out;
    },
  };
  return wrapped;
}

/** Installs blob support on the dataset's data-file seam (idempotent, synchronous). */
export function enableBlobWrites(): void {
  // Capture the current format before replacing it, so the wrapper delegates to it.
  const current = dataFileFormat();
  // blobAwareFormat returns an already blob-aware format unchanged, so wrappers never stack.
  const inner = current.then(blobAwareFormat);
  const lazy: DataFileFormat & { [WRAPPED]: boolean } = {
    [WRAPPED]: true,
    createFileWriter: async (store, path, schema, o) => (await inner).createFileWriter(store, path, schema, o),
    openLanceFile: async (store, path, o) => (await inner).openLanceFile(store, path, o),
  };
  setDataFileFormat(lazy);
}
