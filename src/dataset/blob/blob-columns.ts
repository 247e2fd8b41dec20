// Plain Arrow columns written into a Blob V2 column: binary values become the `data` child and
// strings become external URIs (`uri` child) of the logical blob struct. Payload buffers are shared,
// not copied; only 32-bit offsets are widened to the struct's 64-bit ones.
import * as arrow from 'apache-arrow';
import { BLOB_V2_EXTENSION, EXTENSION_KEY } from '../../format/schema.js';

function isBlobStructField(f: arrow.Field): boolean {
  return f.metadata.get(EXTENSION_KEY) === BLOB_V2_EXTENSION && f.type.typeId === arrow.Type.Struct;
}

function allNull(type: arrow.DataType, n: number): arrow.Data {
  const wide = type.typeId === arrow.Type.LargeBinary || type.typeId === arrow.Type.LargeUtf8;
  return arrow.makeData({
    type,
    length: n,
    nullCount: n,
    nullBitmap: new Uint8Array(Math.ceil(n / 8)),
    valueOffsets: wide ? new BigInt64Array(n + 1) : new Int32Array(n + 1),
    data: new Uint8Array(0),
  } as never);
}

/** The validity bitmap of `d` starting at bit 0 (slices keep theirs at a bit offset). */
function validity(d: arrow.Data): Uint8Array | undefined {
  if (d.nullCount === 0) return undefined;
  if (d.offset === 0) return d.nullBitmap;
  const out = new Uint8Array(Math.ceil(d.length / 8));
  for (let i = 0; i < d.length; i++) if (d.getValid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Variable-width data re-typed with 64-bit (large) or 32-bit offsets, sharing the value bytes. */
function retype(d: arrow.Data, type: arrow.DataType, large: boolean): arrow.Data {
  const src = d.valueOffsets as Int32Array | BigInt64Array;
  const n = d.length;
  let offsets: Int32Array | BigInt64Array;
  if (large) {
    offsets = src instanceof BigInt64Array ? src.subarray(0, n + 1) : BigInt64Array.from(src.subarray(0, n + 1), (x) => BigInt(x));
  } else {
    offsets = src instanceof Int32Array ? src.subarray(0, n + 1) : Int32Array.from(src.subarray(0, n + 1), (x) => Number(x));
  }
  return arrow.makeData({ type, length: n, nullCount: d.nullCount, nullBitmap: validity(d), valueOffsets: offsets, data: d.values } as never);
}

/**
 * The logical blob struct for a binary or string column bound for a Blob V2 field, or undefined when
 * `field` is not a blob column or `col` is not binary/string (the caller then checks types as usual).
 */
export function blobStructFromColumn(col: arrow.Data, field: arrow.Field): arrow.Data | undefined {
  if (!isBlobStructField(field)) return undefined;
  const [dataField, uriField] = (field.type as arrow.Struct).children as [arrow.Field, arrow.Field];
  const t = col.type.typeId;
  const n = col.length;
  let data: arrow.Data;
  let uri: arrow.Data;
  if (t === arrow.Type.Binary || t === arrow.Type.LargeBinary) {
    data = retype(col, dataField.type, true);
    uri = allNull(uriField.type, n);
  } else if (t === arrow.Type.Utf8 || t === arrow.Type.LargeUtf8) {
    data = allNull(dataField.type, n);
    uri = retype(col, uriField.type, uriField.type.typeId === arrow.Type.LargeUtf8);
  } else {
    return undefined;
  }
  return arrow.makeData({ type: field.type, length: n, nullCount: col.nullCount, nullBitmap: validity(col), children: [data, uri] } as never);
}
