// The values a blob column accepts, sorted into a few shapes the writer knows how to place.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InvalidInputError } from '../../errors.js';
import { isBlobReference, type BlobReference } from './blob-reference.js';

/** A source of chunks; `size` is known up front for files, web Blobs and some references. */
export interface ChunkSource {
  chunks: () => AsyncIterable<Uint8Array>;
  size?: number;
}

export type BlobInput =
  | null
  | undefined
  | Uint8Array
  | ArrayBuffer
  | string
  | URL
  | { data: Uint8Array | ArrayBuffer | null | undefined; uri?: null | undefined }
  | { uri: string | URL; position?: number | bigint; size?: number | bigint; data?: null | undefined }
  | { path: string }
  | AsyncIterable<Uint8Array>
  | Blob
  | BlobReference;

export type NormalizedInput =
  | { type: 'null' }
  | { type: 'bytes'; bytes: Uint8Array }
  | { type: 'uri'; uri: string; position?: bigint; size?: bigint }
  | { type: 'stream'; source: ChunkSource }
  | { type: 'ref'; ref: BlobReference };

function bad(message: string): InvalidInputError {
  return new InvalidInputError('BAD_BLOB_VALUE', message);
}

function asBytes(v: Uint8Array | ArrayBuffer): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v);
}

async function* checkedChunks(it: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  for await (const c of it) {
    if (c instanceof Uint8Array) yield c;
    else if (c instanceof ArrayBuffer) yield new Uint8Array(c);
    else throw bad(`blob stream yielded a ${typeof c}; streams must yield bytes (no string encoding)`);
  }
}

function uriInput(uri: string | URL, position?: number | bigint, size?: number | bigint): NormalizedInput {
  const s = typeof uri === 'string' ? uri : uri.href;
  if (s.length === 0) throw bad('blob uri must not be empty');
  if ((position === undefined) !== (size === undefined)) throw bad(`blob uri '${s}': position and size must be set together`);
  if (position === undefined || size === undefined) return { type: 'uri', uri: s };
  const p = BigInt(position);
  const n = BigInt(size);
  if (p < 0n || n <= 0n || p + n > 0xffff_ffff_ffff_ffffn) throw bad(`blob uri '${s}': invalid range position=${p} size=${n}`);
  return { type: 'uri', uri: s, position: p, size: n };
}

/** Classifies one input value (files are stat-ed lazily by the writer through `size`). */
export function normalizeBlobInput(v: BlobInput): NormalizedInput {
  if (v === null || v === undefined) return { type: 'null' };
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return { type: 'bytes', bytes: asBytes(v) };
  if (typeof v === 'string' || v instanceof URL) return uriInput(v);
  if (isBlobReference(v)) return { type: 'ref', ref: v };
  if (typeof Blob !== 'undefined' && v instanceof Blob) {
    const blob = v;
    return { type: 'stream', source: { size: blob.size, chunks: () => checkedChunks(blob.stream() as unknown as AsyncIterable<unknown>) } };
  }
  if (typeof v === 'object' && Symbol.asyncIterator in v) {
    const it = v as AsyncIterable<unknown>;
    let used = false;
    return {
      type: 'stream',
      source: {
        chunks: () => {
          if (used) throw bad('a blob stream can be consumed only once');
          used = true;
          return checkedChunks(it);
        },
      },
    };
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['path'] === 'string' && !('data' in o) && !('uri' in o)) return { type: 'stream', source: fileSource(o['path']) };
    const hasData = o['data'] !== null && o['data'] !== undefined;
    const hasUri = o['uri'] !== null && o['uri'] !== undefined;
    if (hasData && hasUri) throw bad('a blob value must set exactly one of data and uri, not both');
    if (hasData) {
      if (!(o['data'] instanceof Uint8Array || o['data'] instanceof ArrayBuffer)) throw bad('blob data must be a Uint8Array, Buffer or ArrayBuffer');
      if (o['position'] !== undefined || o['size'] !== undefined) throw bad('position/size are only allowed with uri');
      return { type: 'bytes', bytes: asBytes(o['data']) };
    }
    if (hasUri) {
      const u = o['uri'];
      if (typeof u !== 'string' && !(u instanceof URL)) throw bad('blob uri must be a string or URL');
      return uriInput(u, o['position'] as number | bigint | undefined, o['size'] as number | bigint | undefined);
    }
    if ('data' in o || 'uri' in o) return { type: 'null' };
  }
  throw bad(`unsupported blob value of type ${typeof v}`);
}

/** A local file streamed in 1 MiB chunks; its size is learned with one stat. */
export function fileSource(path: string): ChunkSource & { stat: () => Promise<number> } {
  const src = {
    size: undefined as number | undefined,
    stat: async () => {
      const st = await stat(path);
      if (!st.isFile()) throw bad(`blob path is not a file: ${path}`);
      src.size = st.size;
      return st.size;
    },
    chunks: () => checkedChunks(createReadStream(path, { highWaterMark: 1 << 20 })),
  };
  return src;
}
