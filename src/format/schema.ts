// Lance schemas: the field tree with ids, its flattened protobuf form (manifests and file
// descriptors) and its Arrow form (what users see).
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { FieldSchema, Field_Type, Encoding as PbEncoding, type Field as PbField } from './proto/file_pb.js';
import { LanceFormatError, InvalidInputError } from '../errors.js';

export const BLOB_V2_EXTENSION = 'lance.blob.v2';
export const EXTENSION_KEY = 'ARROW:extension:name';
export const BLOB_INLINE_THRESHOLD_KEY = 'lance-encoding:blob-inline-size-threshold';
export const BLOB_DEDICATED_THRESHOLD_KEY = 'lance-encoding:blob-dedicated-size-threshold';
export const BLOB_PACK_FILE_THRESHOLD_KEY = 'lance-encoding:blob-pack-file-size-threshold';
export const LEGACY_BLOB_KEY = 'lance-encoding:blob';
export const PACKED_STRUCT_KEY = 'lance-encoding:packed';

/**
 * The deepest nesting lancet accepts, counting each struct/list level and each fixed-size-list
 * item type: Arrow C++'s IPC reader refuses schemas past the same 64 levels (kMaxNestingDepth).
 * Checked where a schema enters (manifest, data file, user Arrow schema), so every recursive walk
 * over fields and types after that point is bounded.
 */
export const MAX_SCHEMA_DEPTH = 64;

/** Nesting levels a logical type string adds by itself (fixed-size lists of fixed-size lists). */
function typeStringDepth(logicalType: string): number {
  let n = 0;
  for (let at = logicalType.indexOf('fixed_size_list:'); at !== -1; at = logicalType.indexOf('fixed_size_list:', at + 1)) n++;
  return n;
}

/** One node of a Lance schema. Children are present for structs (and blob v2 columns). */
export interface LanceField {
  id: number;
  name: string;
  /** Lance logical type string, e.g. "int64", "large_binary", "struct", "fixed_size_list:float:16". */
  logicalType: string;
  nullable: boolean;
  metadata: Record<string, string>;
  children: LanceField[];
}

export interface LanceSchema {
  fields: LanceField[];
  metadata: Record<string, string>;
}

export function isBlobV2Field(f: LanceField): boolean {
  return f.metadata[EXTENSION_KEY] === BLOB_V2_EXTENSION;
}

export function isLegacyBlobField(f: LanceField): boolean {
  return f.metadata[LEGACY_BLOB_KEY] === 'true' && !isBlobV2Field(f);
}

/** Pre-order walk: parents before children, the order manifests store fields in. */
export function* walkFields(fields: readonly LanceField[]): Generator<LanceField> {
  for (const f of fields) {
    yield f;
    yield* walkFields(f.children);
  }
}

export function maxFieldId(schema: LanceSchema): number {
  let max = -1;
  for (const f of walkFields(schema.fields)) max = Math.max(max, f.id);
  return max;
}

/**
 * The fields that own a physical column in a 2.1+ data file, in column order: leaves, blob
 * columns (v1 binary and the v2 struct) and packed structs own one column each; plain structs
 * own none and recurse into their children.
 */
export function columnOwners(fields: readonly LanceField[]): LanceField[] {
  const out: LanceField[] = [];
  const visit = (f: LanceField) => {
    if (f.children.length === 0 || isBlobV2Field(f) || f.metadata[PACKED_STRUCT_KEY] !== undefined) out.push(f);
    else f.children.forEach(visit);
  };
  fields.forEach(visit);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Logical type strings <-> Arrow types

const TIME_UNITS: Record<string, arrow.TimeUnit> = { s: arrow.TimeUnit.SECOND, ms: arrow.TimeUnit.MILLISECOND, us: arrow.TimeUnit.MICROSECOND, ns: arrow.TimeUnit.NANOSECOND };
const UNIT_NAMES = ['s', 'ms', 'us', 'ns'];

export function logicalTypeOf(type: arrow.DataType): string {
  switch (type.typeId) {
    case arrow.Type.Null:
      return 'null';
    case arrow.Type.Bool:
      return 'bool';
    case arrow.Type.Int: {
      const t = type as arrow.Int;
      return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
    }
    case arrow.Type.Float: {
      const t = type as arrow.Float;
      return t.precision === arrow.Precision.HALF ? 'halffloat' : t.precision === arrow.Precision.SINGLE ? 'float' : 'double';
    }
    case arrow.Type.Utf8:
      return 'string';
    case arrow.Type.LargeUtf8:
      return 'large_string';
    case arrow.Type.Binary:
      return 'binary';
    case arrow.Type.LargeBinary:
      return 'large_binary';
    case arrow.Type.Date: {
      const t = type as arrow.Date_;
      return t.unit === arrow.DateUnit.DAY ? 'date32:day' : 'date64:ms';
    }
    case arrow.Type.Timestamp: {
      const t = type as arrow.Timestamp;
      return `timestamp:${UNIT_NAMES[t.unit]}:${t.timezone ?? '-'}`;
    }
    case arrow.Type.Time: {
      const t = type as arrow.Time;
      return `${t.bitWidth === 32 ? 'time32' : 'time64'}:${UNIT_NAMES[t.unit]}`;
    }
    case arrow.Type.Duration:
      return `duration:${UNIT_NAMES[(type as arrow.Duration).unit]}`;
    case arrow.Type.Decimal: {
      const t = type as arrow.Decimal;
      return `decimal:${t.bitWidth}:${t.precision}:${t.scale}`;
    }
    case arrow.Type.FixedSizeBinary:
      return `fixed_size_binary:${(type as arrow.FixedSizeBinary).byteWidth}`;
    case arrow.Type.FixedSizeList: {
      const t = type as arrow.FixedSizeList;
      return `fixed_size_list:${logicalTypeOf(t.children[0]!.type)}:${t.listSize}`;
    }
    case arrow.Type.Struct:
      return 'struct';
    case arrow.Type.List: {
      const t = type as arrow.List;
      return t.children[0]!.type.typeId === arrow.Type.Struct ? 'list.struct' : 'list';
    }
    case arrow.Type.Map:
      // Lance 12 names every map "map" (entries struct child with key and value).
      return 'map';
    case arrow.Type.Dictionary: {
      const t = type as arrow.Dictionary;
      return `dict:${logicalTypeOf(t.dictionary)}:${logicalTypeOf(t.indices)}:false`;
    }
    default:
      throw new InvalidInputError('UNSUPPORTED_TYPE', `Arrow type ${String(type)} has no Lance logical type in lancet`, { type: String(type) });
  }
}

/** Arrow type of a Lance field (children come from the field tree). */
export function arrowTypeOf(f: LanceField): arrow.DataType {
  const lt = f.logicalType;
  const simple: Record<string, () => arrow.DataType> = {
    null: () => new arrow.Null(),
    bool: () => new arrow.Bool(),
    int8: () => new arrow.Int8(),
    int16: () => new arrow.Int16(),
    int32: () => new arrow.Int32(),
    int64: () => new arrow.Int64(),
    uint8: () => new arrow.Uint8(),
    uint16: () => new arrow.Uint16(),
    uint32: () => new arrow.Uint32(),
    uint64: () => new arrow.Uint64(),
    halffloat: () => new arrow.Float16(),
    float: () => new arrow.Float32(),
    double: () => new arrow.Float64(),
    string: () => new arrow.Utf8(),
    large_string: () => new arrow.LargeUtf8(),
    binary: () => new arrow.Binary(),
    large_binary: () => new arrow.LargeBinary(),
    json: () => new arrow.LargeBinary(),
    'date32:day': () => new arrow.DateDay(),
    'date64:ms': () => new arrow.DateMillisecond(),
  };
  const make = simple[lt];
  if (make) return make();
  const parts = lt.split(':');
  switch (parts[0]) {
    case 'timestamp': {
      const unit = TIME_UNITS[parts[1]!];
      if (unit === undefined) break;
      const tz = parts.slice(2).join(':');
      return new arrow.Timestamp(unit, tz === '-' || tz === '' ? null : tz);
    }
    case 'time32':
    case 'time64': {
      const unit = TIME_UNITS[parts[1]!];
      if (unit === undefined) break;
      return new arrow.Time(unit, parts[0] === 'time32' ? 32 : 64);
    }
    case 'duration': {
      const unit = TIME_UNITS[parts[1]!];
      if (unit === undefined) break;
      return new arrow.Duration(unit);
    }
    case 'decimal':
      return new arrow.Decimal(Number(parts[3]), Number(parts[2]), Number(parts[1]));
    case 'fixed_size_binary':
      return new arrow.FixedSizeBinary(Number(parts[1]));
    case 'fixed_size_list': {
      const n = Number(parts[parts.length - 1]);
      const itemType = parts.slice(1, -1).join(':');
      const item = arrowTypeOf({ id: -1, name: 'item', logicalType: itemType, nullable: true, metadata: {}, children: [] });
      return new arrow.FixedSizeList(n, new arrow.Field('item', item, true));
    }
    case 'struct':
      return new arrow.Struct(f.children.map(arrowFieldOf));
    case 'list':
    case 'list.struct':
    // Arrow JS has no LargeList: large lists read as lists with 32-bit offsets.
    case 'large_list':
    case 'large_list.struct': {
      const child = f.children[0];
      if (!child) break;
      return new arrow.List(arrowFieldOf(child));
    }
    case 'map': {
      const child = f.children[0];
      if (!child || child.children.length !== 2) break;
      return new arrow.Map_(arrowFieldOf(child) as arrow.Field<arrow.Struct>);
    }
    case 'dict': {
      // dict:{value type}:{index type}:{ordered}; the value type may itself contain ':'.
      const index = arrowTypeOf({ ...f, logicalType: parts[parts.length - 2]!, children: [] });
      const value = arrowTypeOf({ ...f, logicalType: parts.slice(1, -2).join(':'), children: [] });
      if (!arrow.DataType.isInt(index)) break;
      return new arrow.Dictionary(value, index as arrow.Int8, null, parts[parts.length - 1] === 'true');
    }
  }
  throw new LanceFormatError('UNSUPPORTED_TYPE', `unsupported Lance logical type "${lt}" for field "${f.name}"`, { field: f.name });
}

export function arrowFieldOf(f: LanceField): arrow.Field {
  const md = new Map(Object.entries(f.metadata));
  return new arrow.Field(f.name, arrowTypeOf(f), f.nullable, md.size ? md : null);
}

export function arrowSchemaOf(s: LanceSchema): arrow.Schema {
  const md = new Map(Object.entries(s.metadata));
  return new arrow.Schema(s.fields.map(arrowFieldOf), md.size ? md : null);
}

/** Builds a Lance schema from Arrow, assigning field ids depth-first pre-order from `firstId`. */
export function lanceSchemaFromArrow(schema: arrow.Schema, firstId = 0): LanceSchema {
  checkArrowSchemaDepth(schema);
  let next = firstId;
  const convert = (af: arrow.Field): LanceField => {
    const id = next++;
    const metadata = Object.fromEntries(af.metadata ?? new Map<string, string>());
    const logicalType = logicalTypeOf(af.type);
    let children: LanceField[] = [];
    if (af.type.typeId === arrow.Type.Struct || af.type.typeId === arrow.Type.List || af.type.typeId === arrow.Type.Map) {
      children = (af.type.children as arrow.Field[]).map(convert);
    }
    return { id, name: af.name, logicalType, nullable: af.nullable, metadata, children };
  };
  return { fields: schema.fields.map(convert), metadata: Object.fromEntries(schema.metadata ?? new Map<string, string>()) };
}

/** Refuses an Arrow schema nested deeper than MAX_SCHEMA_DEPTH (walked without recursion). */
export function checkArrowSchemaDepth(schema: arrow.Schema): void {
  const stack: Array<{ f: arrow.Field; depth: number; path: string }> = schema.fields.map((f) => ({ f, depth: 1, path: f.name }));
  while (stack.length) {
    const { f, depth, path } = stack.pop()!;
    if (depth > MAX_SCHEMA_DEPTH) {
      throw new InvalidInputError('SCHEMA_TOO_DEEP', `column "${path.split('.')[0]}" is nested more than ${MAX_SCHEMA_DEPTH} levels deep (the limit Arrow C++ also applies); flatten the schema`, {
        depth: MAX_SCHEMA_DEPTH,
      });
    }
    for (const c of (f.type.children ?? []) as arrow.Field[]) stack.push({ f: c, depth: depth + 1, path: depth < 4 ? `${path}.${c.name}` : path });
  }
}

// ---------------------------------------------------------------------------------------------
// Protobuf form: the pre-order flattened list of lance.file.Field

const enc = new TextEncoder();
const dec = new TextDecoder();

function legacyEncodingOf(lt: string): PbEncoding {
  if (lt === 'struct') return PbEncoding.NONE;
  if (['string', 'large_string', 'binary', 'large_binary'].includes(lt)) return PbEncoding.VAR_BINARY;
  return PbEncoding.PLAIN;
}

export function toPbFields(fields: readonly LanceField[]): PbField[] {
  const out: PbField[] = [];
  const visit = (f: LanceField, parentId: number) => {
    const metadata: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(f.metadata)) metadata[k] = enc.encode(v);
    out.push(
      create(FieldSchema, {
        type: Field_Type.PARENT,
        name: f.name,
        id: f.id,
        parentId,
        logicalType: f.logicalType,
        nullable: f.nullable,
        encoding: legacyEncodingOf(f.logicalType),
        extensionName: f.metadata[EXTENSION_KEY] ?? '',
        metadata,
      }),
    );
    for (const c of f.children) visit(c, f.id);
  };
  for (const f of fields) visit(f, -1);
  return out;
}

/** Rebuilds the field tree; every parent must appear before its children. */
export function fromPbFields(pb: readonly PbField[], where: { path?: string } = {}): LanceField[] {
  const byId = new Map<number, LanceField>();
  const depthOf = new Map<LanceField, number>();
  const roots: LanceField[] = [];
  for (const p of pb) {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.metadata)) metadata[k] = dec.decode(v);
    if (p.extensionName && metadata[EXTENSION_KEY] === undefined) metadata[EXTENSION_KEY] = p.extensionName;
    const f: LanceField = { id: p.id, name: p.name, logicalType: p.logicalType, nullable: p.nullable, metadata, children: [] };
    let depth = 1;
    if (p.parentId === -1) roots.push(f);
    else {
      const parent = byId.get(p.parentId);
      if (!parent) {
        throw new LanceFormatError('BAD_SCHEMA', `field "${p.name}" (id ${p.id}) names parent id ${p.parentId}, which does not precede it`, where);
      }
      parent.children.push(f);
      depth = depthOf.get(parent)! + 1;
    }
    depthOf.set(f, depth);
    if (depth + typeStringDepth(p.logicalType) > MAX_SCHEMA_DEPTH) {
      throw new LanceFormatError(
        'SCHEMA_TOO_DEEP',
        `field "${p.name}" (id ${p.id}) is nested more than ${MAX_SCHEMA_DEPTH} levels deep, past the limit lancet (like Arrow C++) reads`,
        where,
      );
    }
    // Lance writes id -1 for the placeholder children of blob descriptors in file schemas.
    if (p.id >= 0) {
      if (byId.has(p.id)) throw new LanceFormatError('BAD_SCHEMA', `duplicate field id ${p.id}`, where);
      byId.set(p.id, f);
    }
  }
  return roots;
}

export function findField(schema: LanceSchema, name: string): LanceField | undefined {
  return schema.fields.find((f) => f.name === name);
}

export function fieldById(schema: LanceSchema, id: number): LanceField | undefined {
  for (const f of walkFields(schema.fields)) if (f.id === id) return f;
  return undefined;
}
