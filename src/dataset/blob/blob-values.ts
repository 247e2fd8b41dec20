// Blob values inside Arrow data. The logical column is Struct<data: LargeBinary, uri: Utf8>, so
// bytes and URIs fit as they are; values that cannot live in Arrow (references to stored blobs,
// streams, files, web Blobs) travel as a process-local token in `uri` that the write hook swaps
// back for the value — the same idea as Lance Spark's LANCEREF tokens, but never persisted.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import type { BlobInput } from '../../format/blob/blob-input.js';

const TOKEN_PREFIX = 'lancet-blob-token:';
// Strong references: the Arrow column holds only the token string, so a weak reference could be
// collected between building the batch and writing it (seen under memory pressure). An entry is
// released when the write hook resolves it; each token stands in exactly one cell.
const live = new Map<string, object>();
// A write that fails part-way never resolves the tokens of the rows it did not reach, so each
// write runs in a scope that remembers what it issued and releases all of it when the write
// settles, whatever the outcome.
const scopes = new AsyncLocalStorage<Set<string>>();

/**
 * Runs `fn` (one write: building its rows and writing them) in a token scope: every token issued
 * inside is released when `fn` settles. A scope inside a scope joins the outer one, so tokens
 * live as long as the outermost write.
 */
export async function withBlobTokenScope<T>(fn: () => Promise<T>): Promise<T> {
  if (scopes.getStore()) return fn();
  const issued = new Set<string>();
  try {
    return await scopes.run(issued, fn);
  } finally {
    for (const token of issued) live.delete(token);
  }
}

export interface LogicalBlobValue {
  data: Uint8Array | null;
  uri: string | null;
}

/** A row value for the logical blob struct; objects that Arrow cannot hold become tokens. */
export function toLogicalBlobValue(v: BlobInput): LogicalBlobValue | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return { data: v, uri: null };
  if (v instanceof ArrayBuffer) return { data: new Uint8Array(v), uri: null };
  if (typeof v === 'string') return { data: null, uri: v };
  if (v instanceof URL) return { data: null, uri: v.href };
  const o = v as Record<string, unknown>;
  const plainData = 'data' in o && !('uri' in o && o['uri'] != null) && (o['data'] == null || o['data'] instanceof Uint8Array);
  if (plainData && !('position' in o)) return o['data'] == null ? null : { data: o['data'] as Uint8Array, uri: null };
  if (typeof o['uri'] === 'string' && !('data' in o && o['data'] != null) && o['position'] === undefined && o['size'] === undefined) return { data: null, uri: o['uri'] };
  const token = TOKEN_PREFIX + randomUUID();
  live.set(token, v as object);
  scopes.getStore()?.add(token);
  return { data: null, uri: token };
}

export function isBlobToken(uri: string): boolean {
  return uri.startsWith(TOKEN_PREFIX);
}

/** The writer input a logical struct value stands for. */
export function fromLogicalBlobValue(v: { data?: Uint8Array | null; uri?: string | null } | null): BlobInput {
  if (v === null || v === undefined) return null;
  const data = v.data ?? null;
  const uri = v.uri ?? null;
  if (data !== null && uri !== null) throw new InvalidInputError('BAD_BLOB_VALUE', 'a blob value must set exactly one of data and uri, not both');
  if (data !== null) return data;
  if (uri === null) return null;
  if (!isBlobToken(uri)) return uri;
  const value = live.get(uri);
  if (value === undefined) {
    throw new InvalidInputError('STALE_BLOB_TOKEN', 'a blob reference/stream token was already written or never issued by this process', { token: uri });
  }
  live.delete(uri);
  return value as BlobInput;
}

/** Tokens issued and not yet written (tests; a steady non-zero count after writes means a leak). */
export function pendingBlobTokens(): number {
  return live.size;
}
