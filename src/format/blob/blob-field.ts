// The logical Blob V2 column users declare: Struct<data: LargeBinary, uri: Utf8> tagged with the
// `lance.blob.v2` extension name; threshold overrides ride along as field metadata.
import * as arrow from 'apache-arrow';
import { BLOB_V2_EXTENSION, EXTENSION_KEY } from '../schema.js';
import { blobThresholdMetadata, resolveBlobThresholds, type BlobThresholdOptions, type BlobThresholds } from './thresholds.js';

export interface BlobFieldOptions extends BlobThresholdOptions {
  /** Default true. */
  nullable?: boolean;
}

export type BlobLogicalType = arrow.Struct<{ data: arrow.LargeBinary; uri: arrow.Utf8 }>;

export function blobLogicalType(): BlobLogicalType {
  return new arrow.Struct([new arrow.Field('data', new arrow.LargeBinary(), true), new arrow.Field('uri', new arrow.Utf8(), true)]) as BlobLogicalType;
}

export function blobField(name: string, opts: BlobFieldOptions = {}): arrow.Field<BlobLogicalType> {
  const md = new Map<string, string>([[EXTENSION_KEY, BLOB_V2_EXTENSION], ...Object.entries(blobThresholdMetadata(opts, name))]);
  return new arrow.Field(name, blobLogicalType(), opts.nullable ?? true, md);
}

export function isBlobArrowField(f: arrow.Field): boolean {
  return f.metadata?.get(EXTENSION_KEY) === BLOB_V2_EXTENSION;
}

/** Thresholds of an Arrow blob field (metadata over defaults). */
export function blobFieldThresholds(f: arrow.Field): BlobThresholds {
  return resolveBlobThresholds(f.metadata, f.name);
}
