// Static typing of expressions: column resolution against an Arrow schema, the coercion rules
// (Spark/DataFusion-like: numbers mix freely, strings never compare with numbers), and result
// types for projections and UPDATE SET.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { exprToString, type CastType, type Expr, type Literal } from './ast.js';

/** The comparison/coercion families values fall into. */
export type Category = 'null' | 'bool' | 'int' | 'float' | 'string' | 'binary' | 'date' | 'timestamp' | 'struct' | 'other';

export function category(t: arrow.DataType): Category {
  switch (t.typeId) {
    case arrow.Type.Dictionary:
      // Dictionary-encoded columns behave like their value type.
      return category((t as arrow.Dictionary).dictionary);
    case arrow.Type.Null:
      return 'null';
    case arrow.Type.Bool:
      return 'bool';
    case arrow.Type.Int:
      return 'int';
    case arrow.Type.Float:
      return 'float';
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'string';
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
    case arrow.Type.FixedSizeBinary:
      return 'binary';
    case arrow.Type.Date:
      return 'date';
    case arrow.Type.Timestamp:
      return 'timestamp';
    case arrow.Type.Struct:
      return 'struct';
    default:
      return 'other';
  }
}

export const isNumeric = (c: Category) => c === 'int' || c === 'float';

export function literalType(l: Literal): arrow.DataType {
  switch (l.type) {
    case 'null':
      return new arrow.Null();
    case 'bool':
      return new arrow.Bool();
    case 'int':
      return l.value > 0x7fff_ffff_ffff_ffffn ? new arrow.Uint64() : new arrow.Int64();
    case 'float':
      return new arrow.Float64();
    case 'string':
      return new arrow.Utf8();
    case 'bytes':
      return new arrow.Binary();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond();
  }
}

export function castTargetType(t: CastType): arrow.DataType {
  switch (t) {
    case 'bool':
      return new arrow.Bool();
    case 'int8':
      return new arrow.Int8();
    case 'int16':
      return new arrow.Int16();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'uint8':
      return new arrow.Uint8();
    case 'uint16':
      return new arrow.Uint16();
    case 'uint32':
      return new arrow.Uint32();
    case 'uint64':
      return new arrow.Uint64();
    case 'float32':
      return new arrow.Float32();
    case 'float64':
      return new arrow.Float64();
    case 'string':
      return new arrow.Utf8();
    case 'binary':
      return new arrow.Binary();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond();
  }
}

export function typeName(t: arrow.DataType): string {
  return String(t).toLowerCase();
}

export function typeMismatch(e: Expr, why: string): SqlError {
  return new SqlError('TYPE_MISMATCH', `type mismatch in ${exprToString(e)}: ${why}`, { expr: exprToString(e) });
}

// ---------------------------------------------------------------------------------------------
// Column resolution

export interface ResolvedColumn {
  /** Child indexes from the batch's top level down to the referenced field. */
  indexes: number[];
  fields: arrow.Field[];
  type: arrow.DataType;
}

function findField(fields: readonly arrow.Field[], name: string): number {
  const exact = fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  // Unquoted identifiers may differ in case from the stored name; accept a unique match.
  const lower = name.toLowerCase();
  const matches = fields.flatMap((f, i) => (f.name.toLowerCase() === lower ? [i] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

/** Resolves a column reference (see the `column` IR node for qualifier rules). */
export function resolveColumn(e: Expr & { kind: 'column' }, schema: arrow.Schema): ResolvedColumn {
  let path = e.path;
  let top = findField(schema.fields, path[0]!);
  if (top < 0 && path.length > 1 && findField(schema.fields, path[1]!) >= 0) {
    path = path.slice(1);
    top = findField(schema.fields, path[0]!);
  }
  if (top < 0) {
    const available = schema.fields.map((f) => f.name).join(', ');
    throw new SqlError('UNKNOWN_COLUMN', `unknown column ${exprToString(e)}; available columns: ${available}`, { column: path.join('.') });
  }
  const indexes = [top];
  const fields = [schema.fields[top]!];
  for (const name of path.slice(1)) {
    const parent = fields[fields.length - 1]!;
    if (parent.type.typeId !== arrow.Type.Struct) {
      throw new SqlError('UNKNOWN_COLUMN', `column ${parent.name} (${typeName(parent.type)}) has no field ${name} in ${exprToString(e)}`, { column: path.join('.') });
    }
    const kids = (parent.type as arrow.Struct).children;
    const i = findField(kids, name);
    if (i < 0) {
      throw new SqlError('UNKNOWN_COLUMN', `struct ${parent.name} has no field ${name} in ${exprToString(e)}; fields: ${kids.map((f) => f.name).join(', ')}`, { column: path.join('.') });
    }
    indexes.push(i);
    fields.push(kids[i]!);
  }
  return { indexes, fields, type: fields[fields.length - 1]!.type };
}

// ---------------------------------------------------------------------------------------------
// Coercion rules

/**
 * The category both sides are compared in, or undefined when they cannot be compared.
 * `textMeetsNumbers`: DataFusion compares text with a number as that number's type (casting the
 * text, which fails on non-numbers); Spark refuses the comparison.
 */
export function comparisonDomain(a: arrow.DataType, b: arrow.DataType, textMeetsNumbers = false): Category | undefined {
  const ca = category(a);
  const cb = category(b);
  if (textMeetsNumbers && ca === 'string' && isNumeric(cb)) return cb;
  if (textMeetsNumbers && cb === 'string' && isNumeric(ca)) return ca;
  if (ca === 'null') return cb === 'struct' || cb === 'other' ? undefined : cb;
  if (cb === 'null') return ca === 'struct' || ca === 'other' ? undefined : ca;
  if (isNumeric(ca) && isNumeric(cb)) return ca === 'float' || cb === 'float' ? 'float' : 'int';
  if (ca === cb) return ca === 'struct' || ca === 'other' ? undefined : ca;
  const pair = new Set([ca, cb]);
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  // String literals against temporal columns (d >= '2024-01-01') are parsed, as in Spark.
  if (pair.has('string') && (pair.has('date') || pair.has('timestamp'))) return ca === 'string' ? cb : ca;
  return undefined;
}

/** A common result type for CASE branches and coalesce() arguments. */
export function commonType(types: arrow.DataType[], e: Expr): arrow.DataType {
  const known = types.filter((t) => category(t) !== 'null');
  if (known.length === 0) return types[0] ?? new arrow.Null();
  const first = known[0]!;
  if (known.every((t) => arrow.util.compareTypes(t, first))) return first;
  const cats = new Set(known.map(category));
  if ([...cats].every(isNumeric)) return cats.has('float') ? new arrow.Float64() : new arrow.Int64();
  if (cats.size === 1 && cats.has('string')) return new arrow.Utf8();
  if (cats.size === 1 && cats.has('binary')) return new arrow.Binary();
  if (cats.size === 1 && cats.has('timestamp')) return new arrow.TimestampMicrosecond();
  if (cats.size === 2 && cats.has('date') && cats.has('timestamp')) return new arrow.TimestampMicrosecond();
  throw typeMismatch(e, `branches have incompatible types ${known.map(typeName).join(', ')}`);
}

/** Whether CAST from `from` to `to` is defined. */
export function canCast(from: arrow.DataType, to: CastType): boolean {
  const c = category(from);
  if (c === 'null') return true;
  if (c === 'struct' || c === 'other') return false;
  if (to === 'string') return true;
  if (to === 'binary') return c === 'binary' || c === 'string';
  if (to === 'date' || to === 'timestamp') return c === 'string' || c === 'date' || c === 'timestamp';
  if (to === 'bool') return c === 'bool' || c === 'string' || isNumeric(c);
  // numeric targets
  return c === 'bool' || c === 'string' || isNumeric(c);
}
