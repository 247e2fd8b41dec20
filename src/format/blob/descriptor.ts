// The stored Blob V2 descriptor: Struct<kind u8, position u64, size u64, blob_id u32, blob_uri utf8>.
// Field names, order, types and kind values are a durable file-format contract. A null blob is
// a null struct slot; an inline descriptor with size 0 is an empty blob, never null.
import * as arrow from 'apache-arrow';
import { LanceFormatError } from '../../errors.js';
import { LEGACY_BLOB_KEY, PACKED_STRUCT_KEY } from '../schema.js';
import { BlobKind } from './layout.js';

export interface BlobDescriptor {
  kind: BlobKind;
  /** Inline: absolute offset in the data file; packed: offset in the pack; dedicated: 0; external: range start. */
  position: bigint;
  /** Payload length; for external, 0 means "the whole object". */
  size: bigint;
  /** Sidecar id (packed/dedicated), base path id (external, 0 = absolute URI), 0 for inline. */
  blobId: number;
  /** External only: relative path under the base, or an absolute URI. */
  blobUri: string;
}

export type DescriptorType = arrow.Struct<{
  kind: arrow.Uint8;
  position: arrow.Uint64;
  size: arrow.Uint64;
  blob_id: arrow.Uint32;
  blob_uri: arrow.Utf8;
}>;

export function blobDescriptorType(): DescriptorType {
  return new arrow.Struct([
    new arrow.Field('kind', new arrow.Uint8(), false),
    new arrow.Field('position', new arrow.Uint64(), false),
    new arrow.Field('size', new arrow.Uint64(), false),
    new arrow.Field('blob_id', new arrow.Uint32(), false),
    new arrow.Field('blob_uri', new arrow.Utf8(), false),
  ]) as DescriptorType;
}

/** The descriptor column as a data file stores it (packed struct, marked as blob). */
export function blobDescriptorField(name: string, nullable = true): arrow.Field<DescriptorType> {
  return new arrow.Field(name, blobDescriptorType(), nullable, new Map([[LEGACY_BLOB_KEY, 'true'], [PACKED_STRUCT_KEY, 'true']]));
}

export const inlineDescriptor = (position: bigint, size: bigint): BlobDescriptor => ({ kind: BlobKind.Inline, position, size, blobId: 0, blobUri: '' });
export const packedDescriptor = (blobId: number, position: bigint, size: bigint): BlobDescriptor => ({ kind: BlobKind.Packed, position, size, blobId, blobUri: '' });
export const dedicatedDescriptor = (blobId: number, size: bigint): BlobDescriptor => ({ kind: BlobKind.Dedicated, position: 0n, size, blobId, blobUri: '' });
export const externalDescriptor = (blobId: number, blobUri: string, position = 0n, size = 0n): BlobDescriptor => ({ kind: BlobKind.External, position, size, blobId, blobUri });

/** Builds the descriptor column for a batch (null → null slot). */
export function descriptorVector(descs: readonly (BlobDescriptor | null)[]): arrow.Vector<DescriptorType> {
  const rows = descs.map((d) => (d === null ? null : { kind: d.kind, position: d.position, size: d.size, blob_id: d.blobId, blob_uri: d.blobUri }));
  return arrow.vectorFromArray(rows, blobDescriptorType()) as arrow.Vector<DescriptorType>;
}

function toBig(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/** Reads row `i` of a descriptor column; null slots and (older writers') null kinds are null. */
export function descriptorAt(vec: arrow.Vector, i: number, where: { path?: string } = {}): BlobDescriptor | null {
  if (!vec.isValid(i)) return null;
  const row = vec.get(i) as Record<string, unknown> | null;
  if (row === null) return null;
  // Legacy (v1) blob descriptors are {position, size}: the bytes always sit in the row's data file.
  if (vec.type.children.length === 2) return { kind: BlobKind.Inline, position: toBig(row['position']), size: toBig(row['size']), blobId: 0, blobUri: '' };
  const kindRaw = row['kind'];
  if (kindRaw === null || kindRaw === undefined) return null;
  const kind = Number(kindRaw);
  if (kind < 0 || kind > 3) throw new LanceFormatError('UNKNOWN_BLOB_KIND', `Unknown blob kind ${kind}`, where);
  return {
    kind: kind as BlobKind,
    position: toBig(row['position'] ?? 0n),
    size: toBig(row['size'] ?? 0n),
    blobId: Number(row['blob_id'] ?? 0),
    blobUri: (row['blob_uri'] as string | null) ?? '',
  };
}

export function descriptorsOf(vec: arrow.Vector, where: { path?: string } = {}): (BlobDescriptor | null)[] {
  const out: (BlobDescriptor | null)[] = new Array(vec.length);
  for (let i = 0; i < vec.length; i++) out[i] = descriptorAt(vec, i, where);
  return out;
}
