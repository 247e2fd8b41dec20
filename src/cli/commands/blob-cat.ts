// `lancet blob cat`: the payload of one blob on stdout, streamed in store-sized chunks (a blob
// is never held whole), optionally only the half-open byte range A:B of it.
import { once } from 'node:events';
import * as nodePath from 'node:path';
import { UsageError, type Command, type CliIo } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { InvalidInputError } from '../../errors.js';
import type { Dataset } from '../../dataset/dataset.js';
import { fetchDatasetBlobFiles } from '../../dataset/blob/dataset-blobs.js';
import { deletedRows, fragmentRows } from '../../dataset/scan.js';
import { blobColumnField } from '../inspect/blob-rows.js';
import { guardPipe } from '../inspect/stdout-pipe.js';
import { progress } from '../progress.js';

const LARGE_BLOB = 8 << 20;

/** `123`, `0x7b` or `FRAG:OFFSET` → a row address. */
export function parseRowAddress(text: string): bigint {
  const pair = /^(\d+):(\d+)$/.exec(text);
  if (pair) {
    const frag = BigInt(pair[1]!);
    const off = BigInt(pair[2]!);
    if (frag > 0xffffffffn || off > 0xffffffffn) throw new UsageError(`--row ${text}: fragment and offset must fit in 32 bits`);
    return (frag << 32n) | off;
  }
  if (/^(\d+|0x[0-9a-fA-F]+)$/.test(text)) {
    const v = BigInt(text);
    if (v > 0xffffffffffffffffn) throw new UsageError(`--row ${text} does not fit in 64 bits`);
    return v;
  }
  throw new UsageError(`--row takes a row address (decimal, 0x hex, or FRAGMENT:OFFSET), got "${text}"`);
}

/** `A:B`, `A:` or `:B` (half-open) → bounds; resolved against the size later. */
export function parseRange(text: string): { start?: number; end?: number } {
  const m = /^(\d*):(\d*)$/.exec(text);
  if (!m || (m[1] === '' && m[2] === '')) throw new UsageError(`--range takes START:END (half-open, either side may be omitted), got "${text}"`);
  return { ...(m[1] ? { start: Number(m[1]) } : {}), ...(m[2] ? { end: Number(m[2]) } : {}) };
}

/** Fails with one line naming the row when it is not a live row of the version. */
async function checkRow(ds: Dataset, addr: bigint): Promise<void> {
  const fragId = addr >> 32n;
  const offset = Number(addr & 0xffffffffn);
  const where = `row ${addr} (fragment ${fragId}, offset ${offset})`;
  const frag = ds.fragments.find((f) => f.id === fragId);
  if (!frag) throw new InvalidInputError('ROW_NOT_FOUND', `${where} does not exist at version ${ds.version}: fragments are ${ds.fragments.map((f) => f.id).join(', ') || 'none'}`, { row: addr });
  const rows = await fragmentRows(ds.loc, frag);
  if (offset >= rows) throw new InvalidInputError('ROW_NOT_FOUND', `${where} does not exist at version ${ds.version}: fragment ${fragId} has ${rows} rows`, { row: addr });
  const deleted = await deletedRows(ds.loc, frag);
  if (deleted.includes(offset)) throw new InvalidInputError('ROW_NOT_FOUND', `${where} is deleted at version ${ds.version}`, { row: addr });
}

/** Writes with back-pressure; resolves false when the reader went away (EPIPE). */
async function writeChunk(io: CliIo, chunk: Uint8Array): Promise<boolean> {
  if (io.stdout.write(chunk)) return true;
  const ac = new AbortController();
  try {
    await Promise.race([once(io.stdout, 'drain', { signal: ac.signal }), once(io.stdout, 'close', { signal: ac.signal }).then(() => Promise.reject(new Error('closed')))]);
    return true;
  } catch {
    return false;
  } finally {
    ac.abort();
  }
}

export const blobCatCommand: Command = {
  path: ['blob', 'cat'],
  usage: 'lancet blob cat DATASET --column C --row ROWADDR [--range A:B] [--version N] [--external-root DIR]...',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { column: { type: 'string' }, row: { type: 'string' }, range: { type: 'string' }, version: { type: 'string' }, 'external-root': { type: 'string', multiple: true } },
      ['DATASET'],
    );
    if (typeof values.column !== 'string') throw new UsageError('--column is required');
    if (typeof values.row !== 'string') throw new UsageError('--row is required');
    const addr = parseRowAddress(values.row);
    const range = typeof values.range === 'string' ? parseRange(values.range) : {};
    // External blobs outside the dataset are read only under the roots named here.
    const roots = values['external-root'] as unknown as string[] | undefined;
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'), roots ? { externalBlobRoots: roots.map((r) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(r) ? r : nodePath.resolve(r))) } : {});
    blobColumnField(ds, values.column);
    await checkRow(ds, addr);
    const [file] = await fetchDatasetBlobFiles(ds, values.column, [addr]);
    if (!file) throw new InvalidInputError('BLOB_IS_NULL', `row ${addr} of column "${values.column}" is null (no payload)`, { row: addr });
    const start = range.start ?? 0;
    const end = range.end ?? file.size;
    if (start > end || end > file.size) {
      throw new InvalidInputError('BAD_RANGE', `range ${start}:${end} is outside blob of ${file.size} bytes at row ${addr} (ranges are half-open, 0 ≤ START ≤ END ≤ ${file.size})`, { row: addr });
    }
    const pipe = guardPipe(io);
    // Large copies show a byte-count bar on stderr (terminals only; stdout carries the bytes).
    const bar = end - start >= LARGE_BLOB ? progress(io, 'blob cat (KiB)', Math.ceil((end - start) / 1024)) : undefined;
    try {
      for await (const chunk of file.chunks(start, end)) {
        if (pipe.closed || !(await writeChunk(io, chunk))) break;
        bar?.tick(Math.ceil(chunk.length / 1024));
      }
    } finally {
      bar?.done();
      pipe.release();
    }
    return 0;
  },
};
