// How a column-owning field is stored physically: the writer and reader agree on this mapping
// from Lance logical types to a handful of physical shapes.
import * as arrow from 'apache-arrow';
import { arrowTypeOf, isBlobV2Field, isLegacyBlobField, type LanceField } from '../schema.js';
import { LanceFormatError } from '../../errors.js';

export type LeafKind =
  /** Fixed-width values of `bits` each (bool = 1, LSB first). */
  | { kind: 'fixed'; bits: number }
  /** Variable-width bytes with 32- or 64-bit offsets. */
  | { kind: 'variable'; offsetBits: 32 | 64 }
  /** FixedSizeList of fixed-width items. */
  | { kind: 'fsl'; dim: number; itemBits: number }
  /** Blob descriptor struct: V2 (kind, position, size, blob_id, blob_uri) or legacy v1 (position, size). */
  | { kind: 'blob' };

/** Arrow type of the descriptor struct a blob v2 column reads and writes as. */
export function blobDescriptorType(): arrow.Struct {
  return new arrow.Struct([
    new arrow.Field('kind', new arrow.Uint8(), false),
    new arrow.Field('position', new arrow.Uint64(), false),
    new arrow.Field('size', new arrow.Uint64(), false),
    new arrow.Field('blob_id', new arrow.Uint32(), false),
    new arrow.Field('blob_uri', new arrow.Utf8(), false),
  ]);
}

/** Bits per value of a fixed-width Arrow type, or undefined when it is not fixed width. */
export function fixedBitsOf(t: arrow.DataType): number | undefined {
  switch (t.typeId) {
    case arrow.Type.Bool:
      return 1;
    case arrow.Type.Int:
      return (t as arrow.Int).bitWidth;
    case arrow.Type.Float:
      return [16, 32, 64][(t as arrow.Float).precision];
    case arrow.Type.Date:
      return (t as arrow.Date_).unit === arrow.DateUnit.DAY ? 32 : 64;
    case arrow.Type.Timestamp:
    case arrow.Type.Duration:
      return 64;
    case arrow.Type.Time:
      return (t as arrow.Time).bitWidth;
    case arrow.Type.Decimal:
      return (t as arrow.Decimal).bitWidth;
    case arrow.Type.FixedSizeBinary:
      return (t as arrow.FixedSizeBinary).byteWidth * 8;
    default:
      return undefined;
  }
}

/** Arrow type a legacy (v1) blob column scans as, as in Lance 12: where its bytes are in the data file. */
export function legacyBlobDescriptorType(): arrow.Struct {
  return new arrow.Struct([new arrow.Field('position', new arrow.Uint64(), false), new arrow.Field('size', new arrow.Uint64(), false)]);
}

export function leafKindOf(f: LanceField): LeafKind {
  if (isBlobV2Field(f) || isLegacyBlobField(f)) return { kind: 'blob' };
  const declared = arrowTypeOf(f);
  // Dictionary columns are stored as their values.
  const t = declared.typeId === arrow.Type.Dictionary ? (declared as arrow.Dictionary).dictionary : declared;
  // A null column has no values to store: every row is null at the leaf, so its pages are all-null.
  if (t.typeId === arrow.Type.Null) return { kind: 'fixed', bits: 0 };
  const bits = fixedBitsOf(t);
  if (bits !== undefined) return { kind: 'fixed', bits };
  switch (t.typeId) {
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
      return { kind: 'variable', offsetBits: 32 };
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary:
      return { kind: 'variable', offsetBits: 64 };
    case arrow.Type.FixedSizeList: {
      const fsl = t as arrow.FixedSizeList;
      const itemBits = fixedBitsOf(fsl.children[0]!.type);
      if (itemBits !== undefined) return { kind: 'fsl', dim: fsl.listSize, itemBits };
    }
  }
  throw new LanceFormatError('UNSUPPORTED_TYPE', `lancet cannot store field "${f.name}" of type ${f.logicalType} in a data file yet`, { field: f.name });
}

/**
 * Null-typed fields are written only as top-level columns (buffer-less all-null pages). Below a
 * struct or list they would need all-null pages that carry definition levels, which lancet's
 * writer does not produce; Lance 12 does not write them either (its struct encoder fails with
 * "Arrays of type Null cannot contain a null bitmask").
 */
export function assertNotNestedNull(kind: LeafKind, nested: boolean): void {
  if (nested && kind.kind === 'fixed' && kind.bits === 0) {
    throw new LanceFormatError(
      'UNSUPPORTED_TYPE',
      'lancet writes a null-typed field only as a top-level column, not inside a struct or list: such a page needs definition levels with no values, which lancet does not write; store the field at the top level or give it a concrete nullable type',
    );
  }
}

/** Arrow type of the values a column-owning field reads back as. */
export function arrowTypeOfColumn(f: LanceField): arrow.DataType {
  if (isLegacyBlobField(f)) return legacyBlobDescriptorType();
  return isBlobV2Field(f) ? blobDescriptorType() : arrowTypeOf(f);
}
