// Per-column Blob V2 size thresholds. They live in the blob field's metadata as decimal byte
// counts, so a table's layout policy travels with its schema (Lance rejects appends that
// disagree with the persisted values).
import { InvalidInputError } from '../../errors.js';
import { BLOB_DEDICATED_THRESHOLD_KEY, BLOB_INLINE_THRESHOLD_KEY, BLOB_PACK_FILE_THRESHOLD_KEY } from '../schema.js';

export interface BlobThresholds {
  /** Payloads of at most this many bytes stay inline in the data file (0 allowed: only empties inline). */
  inline: number;
  /** Payloads larger than this get a dedicated sidecar; checked before `inline`. */
  dedicated: number;
  /** A pack sidecar rolls over when its size plus the next payload would exceed this. */
  packFile: number;
}

export const DEFAULT_BLOB_THRESHOLDS: Readonly<BlobThresholds> = Object.freeze({
  inline: 64 * 1024,
  dedicated: 4 * 1024 * 1024,
  packFile: 1024 * 1024 * 1024,
});

export interface BlobThresholdOptions {
  inlineSizeThreshold?: number;
  dedicatedSizeThreshold?: number;
  packFileSizeThreshold?: number;
}

const KEYS: readonly [keyof BlobThresholds, string, keyof BlobThresholdOptions, boolean][] = [
  ['inline', BLOB_INLINE_THRESHOLD_KEY, 'inlineSizeThreshold', true],
  ['dedicated', BLOB_DEDICATED_THRESHOLD_KEY, 'dedicatedSizeThreshold', false],
  ['packFile', BLOB_PACK_FILE_THRESHOLD_KEY, 'packFileSizeThreshold', false],
];

function checkThreshold(value: number, allowZero: boolean, what: string, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidInputError(
      'BAD_BLOB_THRESHOLD',
      `invalid blob threshold ${what}=${String(value)} for field '${field}'; expected ${allowZero ? 'a non-negative' : 'a positive'} integer`,
      { field, key: what },
    );
  }
  return value;
}

/** Validates user options and renders them as field metadata (only the keys that were given). */
export function blobThresholdMetadata(opts: BlobThresholdOptions, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, key, opt, allowZero] of KEYS) {
    const v = opts[opt];
    if (v !== undefined) out[key] = String(checkThreshold(v, allowZero, opt, field));
  }
  return out;
}

type MetadataLike = ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined;

function getMeta(md: MetadataLike, key: string): string | undefined {
  if (!md) return undefined;
  if (md instanceof Map) return md.get(key);
  return (md as Record<string, string>)[key];
}

/** Thresholds of a blob field: its metadata over the defaults. Malformed values are an error, not a default. */
export function resolveBlobThresholds(metadata: MetadataLike, field = '?'): BlobThresholds {
  const out: BlobThresholds = { ...DEFAULT_BLOB_THRESHOLDS };
  for (const [name, key, , allowZero] of KEYS) {
    const raw = getMeta(metadata, key);
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw)) {
      throw new InvalidInputError('BAD_BLOB_THRESHOLD', `invalid blob threshold metadata ${key}=${JSON.stringify(raw)} for field '${field}'; expected a ${allowZero ? 'non-negative' : 'positive'} integer`, { field, key });
    }
    out[name] = checkThreshold(Number(raw), allowZero, key, field);
  }
  return out;
}
