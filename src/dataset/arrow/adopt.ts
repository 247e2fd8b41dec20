// Arrow data from anywhere, in this package's classes: tables and batches made by another copy of
// apache-arrow (the CommonJS build a user `require`s, another version) fail `instanceof`, and type
// objects spelled differently (`new TimestampMicrosecond()` vs `new Timestamp(MICROSECOND)`) fail
// arrow-js's constructor-based comparison although the data layout is the same. Data buffers are
// shared, never copied: only the type objects are rebuilt.
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors.js';

// Foreign Arrow objects are read through their public shape only.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Foreign = any;

function childField(f: Foreign): arrow.Field {
  return localField(f);
}

/** The same type as an object of this package (foreign or differently spelled types included). */
export function localType(t: Foreign): arrow.DataType {
  switch (t.typeId as arrow.Type) {
    case arrow.Type.Null:
      return new arrow.Null();
    case arrow.Type.Int:
      return new arrow.Int(t.isSigned, t.bitWidth);
    case arrow.Type.Float:
      return new arrow.Float(t.precision);
    case arrow.Type.Binary:
      return new arrow.Binary();
    case arrow.Type.Utf8:
      return new arrow.Utf8();
    case arrow.Type.LargeBinary:
      return new arrow.LargeBinary();
    case arrow.Type.LargeUtf8:
      return new arrow.LargeUtf8();
    case arrow.Type.Bool:
      return new arrow.Bool();
    case arrow.Type.Decimal:
      return new arrow.Decimal(t.scale, t.precision, t.bitWidth ?? 128);
    case arrow.Type.Date:
      return new arrow.Date_(t.unit);
    case arrow.Type.Time:
      return new arrow.Time(t.unit, t.bitWidth);
    case arrow.Type.Timestamp:
      return new arrow.Timestamp(t.unit, t.timezone ?? null);
    case arrow.Type.Interval:
      return new arrow.Interval(t.unit);
    case arrow.Type.Duration:
      return new arrow.Duration(t.unit);
    case arrow.Type.List:
      return new arrow.List(childField(t.children[0]));
    case arrow.Type.Struct:
      return new arrow.Struct(t.children.map(childField));
    case arrow.Type.FixedSizeBinary:
      return new arrow.FixedSizeBinary(t.byteWidth);
    case arrow.Type.FixedSizeList:
      return new arrow.FixedSizeList(t.listSize, childField(t.children[0]));
    case arrow.Type.Map:
      return new arrow.Map_(childField(t.children[0]), t.keysSorted);
    case arrow.Type.Dictionary:
      return new arrow.Dictionary(localType(t.dictionary), localType(t.indices) as arrow.Int as never, t.id, t.isOrdered);
    default:
      throw new InvalidInputError('UNSUPPORTED_TYPE', `Arrow type ${String(t)} (type id ${t.typeId}) is not supported by lancet; convert the column to a supported type`);
  }
}

export function localField(f: Foreign): arrow.Field {
  const metadata = new Map<string, string>(f.metadata instanceof Map || Array.isArray(f.metadata) ? f.metadata : Object.entries(f.metadata ?? {}));
  return new arrow.Field(f.name, localType(f.type), f.nullable, metadata);
}

export function localSchema(s: Foreign): arrow.Schema {
  if (s instanceof arrow.Schema) return s;
  return new arrow.Schema(s.fields.map(localField), new Map<string, string>(s.metadata ?? []));
}

/** Foreign Data as this package's Data over the same buffers (types from `type`). */
function adoptData(d: Foreign, type: arrow.DataType): arrow.Data {
  const children = (d.children ?? []).map((c: Foreign, i: number) => adoptData(c, type.children[i]!.type));
  const dictionary = d.dictionary ? new arrow.Vector((d.dictionary.data as Foreign[]).map((x) => adoptData(x, (type as arrow.Dictionary).dictionary))) : undefined;
  return new arrow.Data(type, d.offset, d.length, d.nullCount, [d.valueOffsets, d.values, d.nullBitmap, d.typeIds], children, dictionary);
}

/** `data` relabelled with `type`, which must have the same layout (sameLayout). */
export function retypeData(data: arrow.Data, type: arrow.DataType): arrow.Data {
  if (data.type === type) return data;
  return adoptData(data, type);
}

/** Any Data (this package's or another copy's) as this package's Data. */
export function localData(d: Foreign): arrow.Data {
  if (d instanceof arrow.Data) return d;
  return adoptData(d, localType(d.type));
}

export function isRecordBatchLike(x: unknown): x is arrow.RecordBatch {
  if (x instanceof arrow.RecordBatch) return true;
  const o = x as Foreign;
  return typeof o === 'object' && o !== null && typeof o.numRows === 'number' && Array.isArray(o.schema?.fields) && typeof o.data === 'object' && Array.isArray(o.data?.children) && !Array.isArray(o.batches);
}

export function isTableLike(x: unknown): x is arrow.Table {
  if (x instanceof arrow.Table) return true;
  const o = x as Foreign;
  return typeof o === 'object' && o !== null && typeof o.numRows === 'number' && Array.isArray(o.schema?.fields) && Array.isArray(o.batches);
}

export function localBatch(b: Foreign): arrow.RecordBatch {
  if (b instanceof arrow.RecordBatch) return b;
  const schema = localSchema(b.schema);
  return new arrow.RecordBatch(schema, adoptData(b.data, new arrow.Struct(schema.fields)) as arrow.Data<arrow.Struct>);
}

export function localTable(t: Foreign): arrow.Table {
  if (t instanceof arrow.Table) return t;
  const schema = localSchema(t.schema);
  return new arrow.Table(schema, (t.batches as Foreign[]).map((b) => new arrow.RecordBatch(schema, adoptData(b.data, new arrow.Struct(schema.fields)) as arrow.Data<arrow.Struct>)));
}

function sameChildren(a: readonly arrow.Field[], b: readonly arrow.Field[], names: boolean): boolean {
  return a.length === b.length && a.every((f, i) => (!names || f.name === b[i]!.name) && sameLayout(f.type, b[i]!.type));
}

/**
 * Whether data of type `a` can be read as type `b` without conversion: the same logical type
 * whatever class spelled it. Struct children must match by name; list items may be named anything.
 */
export function sameLayout(a: arrow.DataType, b: arrow.DataType): boolean {
  if (a === b) return true;
  if (a.typeId !== b.typeId) return false;
  const x = a as Foreign;
  const y = b as Foreign;
  switch (a.typeId) {
    case arrow.Type.Int:
      return x.bitWidth === y.bitWidth && x.isSigned === y.isSigned;
    case arrow.Type.Float:
      return x.precision === y.precision;
    case arrow.Type.Decimal:
      return x.scale === y.scale && x.precision === y.precision && (x.bitWidth ?? 128) === (y.bitWidth ?? 128);
    case arrow.Type.Date:
    case arrow.Type.Interval:
    case arrow.Type.Duration:
      return x.unit === y.unit;
    case arrow.Type.Time:
      return x.unit === y.unit && x.bitWidth === y.bitWidth;
    case arrow.Type.Timestamp:
      return x.unit === y.unit && (x.timezone ?? null) === (y.timezone ?? null);
    case arrow.Type.FixedSizeBinary:
      return x.byteWidth === y.byteWidth;
    case arrow.Type.FixedSizeList:
      return x.listSize === y.listSize && sameChildren(a.children, b.children, false);
    case arrow.Type.List:
      return sameChildren(a.children, b.children, false);
    case arrow.Type.Map:
      return x.keysSorted === y.keysSorted && sameChildren(a.children, b.children, false);
    case arrow.Type.Struct:
      return sameChildren(a.children, b.children, true);
    case arrow.Type.Dictionary:
      return sameLayout(x.dictionary, y.dictionary) && sameLayout(x.indices, y.indices);
    default:
      return true;
  }
}
