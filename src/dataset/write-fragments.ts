// The one path through which the dataset writes rows: batches -> new data files -> fragments
// (ids left 0, "unassigned", until the manifest is built). Blob columns hook in here through
// `transformBatch`, which sees each batch with the data file it is about to go into.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, type DataFragment } from '../format/proto/table_pb.js';
import { arrowSchemaOf, type LanceSchema } from '../format/schema.js';
import { DATA_DIR, newDataFileName } from '../format/table/file-names.js';
import { joinPath } from '../io/object-store.js';
import { dataFileFormat, type DataFileWriter } from './data-files.js';
import { conformBatch } from './input.js';
import type { DatasetLocation } from './versions.js';

export interface DataFileTarget {
  /** Path inside the store. */
  path: string;
  /** File name without `.lance` (blob sidecars live in `data/<stem>/`). */
  stem: string;
  writer: DataFileWriter;
}

export interface WriteContext {
  loc: DatasetLocation;
  /** '2.1' | '2.2'. */
  fileVersion: string;
  /** Start a new data file (and fragment) after this many rows; default 1,048,576 like Lance. */
  maxRowsPerFile?: number;
  /** Rewrites a batch just before it is written (blob columns: move payloads out of line). */
  transformBatch?: (batch: arrow.RecordBatch, target: DataFileTarget) => Promise<arrow.RecordBatch> | arrow.RecordBatch;
  /** Called once per data file after finish (blob columns: flush pack files). */
  finishFile?: (target: DataFileTarget) => Promise<void> | void;
}

export function parseFileVersion(v: string): { major: number; minor: number } {
  const [major, minor] = v.split('.').map(Number);
  return { major: major ?? 2, minor: minor ?? 2 };
}

/** Writes `batches` (columns by name per `schema`) into new fragments, one data file each. */
export async function writeFragments(ctx: WriteContext, batches: AsyncIterable<arrow.RecordBatch>, schema: LanceSchema): Promise<DataFragment[]> {
  const format = await dataFileFormat();
  const arrowSchema = arrowSchemaOf(schema);
  const maxRows = ctx.maxRowsPerFile ?? 1 << 20;
  const fragments: DataFragment[] = [];
  let current: { target: DataFileTarget; rows: number } | undefined;

  const open = async () => {
    const name = newDataFileName();
    const path = joinPath(ctx.loc.base, DATA_DIR, name);
    const writer = await format.createFileWriter(ctx.loc.store, path, schema, { version: ctx.fileVersion });
    current = { target: { path, stem: name.slice(0, -'.lance'.length), writer }, rows: 0 };
    return current;
  };
  const close = async () => {
    if (!current) return;
    const { target } = current;
    current = undefined;
    const res = await target.writer.finish();
    await ctx.finishFile?.(target);
    const { major, minor } = parseFileVersion(String(res.version));
    fragments.push(
      create(DataFragmentSchema, {
        id: 0n,
        files: [
          {
            path: target.path.slice(target.path.lastIndexOf('/') + 1),
            fields: res.fieldIds,
            columnIndices: res.columnIndices,
            fileMajorVersion: major,
            fileMinorVersion: minor,
            fileSizeBytes: BigInt(res.fileSize),
          },
        ],
        physicalRows: BigInt(res.numRows),
      }),
    );
  };

  try {
    for await (const raw of batches) {
      const batch = conformBatch(raw, arrowSchema);
      let at = 0;
      while (at < batch.numRows) {
        const file = current ?? (await open());
        const take = Math.min(batch.numRows - at, maxRows - file.rows);
        let piece = at === 0 && take === batch.numRows ? batch : batch.slice(at, at + take);
        if (ctx.transformBatch) piece = await ctx.transformBatch(piece, file.target);
        await file.target.writer.write(piece);
        file.rows += take;
        at += take;
        if (file.rows >= maxRows) await close();
      }
    }
    await close();
  } catch (e) {
    // Abandoned files are never referenced by a manifest: abort removes the partial one, and the
    // files (with their blob sidecars) this call already finished go too.
    if (current) await Promise.resolve(current.target.writer.abort()).catch(() => undefined);
    await removeWrittenFiles(ctx.loc, fragments);
    throw e;
  }
  return fragments;
}

/**
 * Deletes the data files of fragments written by a write that will not be committed, with their
 * blob sidecar directories (`data/<stem>/`). Best effort: what remains is an orphan cleanup removes.
 */
export async function removeWrittenFiles(loc: DatasetLocation, fragments: readonly DataFragment[]): Promise<void> {
  for (const f of fragments) {
    for (const d of f.files) {
      await loc.store.delete(joinPath(loc.base, DATA_DIR, d.path)).catch(() => undefined);
      const dir = joinPath(loc.base, DATA_DIR, d.path.replace(/\.lance$/, '')) + '/';
      for (const o of await loc.store.list(dir).catch(() => [])) await loc.store.delete(o.path).catch(() => undefined);
    }
  }
}
