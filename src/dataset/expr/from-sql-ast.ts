// Parser AST (datafusion-sqlparser-rs JSON, see sql-parser.ts) -> lancet expression IR.
// Anything outside the supported subset raises SqlError('UNSUPPORTED_EXPR') naming the construct.
import { SqlError } from '../../errors.js';
import type { BinaryOp, CastType, Expr, Literal } from './ast.js';
import { parseDate, parseTimestamp } from './temporal.js';
import { astTooDeep, MAX_AST_DEPTH } from './sql-limits.js';

/** A parser AST node: a single-key object `{ Variant: payload }` or a bare string variant. */
export type SqlNode = unknown;
type Obj = Record<string, unknown>;

const BINARY_OPS: Record<string, BinaryOp> = {
  Eq: '=',
  NotEq: '!=',
  Lt: '<',
  LtEq: '<=',
  Gt: '>',
  GtEq: '>=',
  And: 'and',
  Or: 'or',
  Plus: '+',
  Minus: '-',
  Multiply: '*',
  Divide: '/',
  Modulo: '%',
  StringConcat: '||',
};

const INT_MIN = -(1n << 63n);
const INT_MAX = (1n << 64n) - 1n;

function variant(node: SqlNode): [string, unknown] {
  if (typeof node === 'string') return [node, undefined];
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1) return [keys[0]!, (node as Obj)[keys[0]!]];
  }
  throw new SqlError('UNSUPPORTED_EXPR', `unrecognised expression node ${JSON.stringify(node)?.slice(0, 80)}`);
}

function unsupported(what: string): never {
  throw new SqlError('UNSUPPORTED_EXPR', `unsupported expression: ${what}`, { construct: what });
}

const identValue = (id: unknown): string => String((id as Obj).value);

// Depth of the conversion under way. The walk is synchronous, so one counter serves every call;
// a tree deeper than MAX_AST_DEPTH is a typed error instead of a JS stack overflow.
let depth = 0;

/** Converts one parser expression node to the IR. */
export function fromSqlAst(node: SqlNode): Expr {
  if (depth >= MAX_AST_DEPTH) throw astTooDeep();
  depth++;
  try {
    return convert(node);
  } finally {
    depth--;
  }
}

function convert(node: SqlNode): Expr {
  const [kind, p] = variant(node);
  const o = p as Obj;
  switch (kind) {
    case 'Identifier':
      return { kind: 'column', path: [identValue(p)] };
    case 'CompoundIdentifier':
      return { kind: 'column', path: (p as unknown[]).map(identValue) };
    case 'CompoundFieldAccess':
      return fieldAccess(o);
    case 'Nested':
      return fromSqlAst(p);
    case 'Value':
      return { kind: 'literal', value: valueLiteral(o.value) };
    case 'TypedString':
      return typedString(o);
    case 'BinaryOp': {
      const op = BINARY_OPS[String(o.op)];
      if (!op) unsupported(`operator ${String(o.op)}`);
      return { kind: 'binary', op, left: fromSqlAst(o.left), right: fromSqlAst(o.right) };
    }
    case 'UnaryOp':
      return unary(String(o.op), fromSqlAst(o.expr));
    case 'IsNull':
    case 'IsNotNull':
      return { kind: 'isNull', arg: fromSqlAst(p), negated: kind === 'IsNotNull' };
    case 'IsTrue':
    case 'IsNotTrue':
    case 'IsFalse':
    case 'IsNotFalse':
      return isBool(kind, fromSqlAst(p));
    case 'InList':
      return { kind: 'in', arg: fromSqlAst(o.expr), list: (o.list as unknown[]).map(fromSqlAst), negated: Boolean(o.negated) };
    case 'Between':
      return { kind: 'between', arg: fromSqlAst(o.expr), low: fromSqlAst(o.low), high: fromSqlAst(o.high), negated: Boolean(o.negated) };
    case 'Like':
    case 'ILike':
      return like(o, kind === 'ILike');
    case 'Case':
      return {
        kind: 'case',
        ...(o.operand != null ? { operand: fromSqlAst(o.operand) } : {}),
        whens: (o.conditions as Obj[]).map((c) => ({ when: fromSqlAst(c.condition), then: fromSqlAst(c.result) })),
        ...(o.else_result != null ? { else: fromSqlAst(o.else_result) } : {}),
      };
    case 'Cast':
      if (o.format != null) unsupported('CAST ... FORMAT');
      return { kind: 'cast', arg: fromSqlAst(o.expr), to: castType(o.data_type), safe: o.kind === 'TryCast' || o.kind === 'SafeCast' };
    case 'Function':
      return functionCall(o);
    case 'Substring':
      return {
        kind: 'call',
        name: 'substring',
        args: [fromSqlAst(o.expr), ...(o.substring_from != null ? [fromSqlAst(o.substring_from)] : [lit1()]), ...(o.substring_for != null ? [fromSqlAst(o.substring_for)] : [])],
      };
    case 'Trim': {
      const where = o.trim_where == null ? 'Both' : String(o.trim_where);
      const name = where === 'Leading' ? 'ltrim' : where === 'Trailing' ? 'rtrim' : 'trim';
      if (o.trim_characters != null) unsupported('TRIM with a character list');
      return { kind: 'call', name, args: [fromSqlAst(o.expr), ...(o.trim_what != null ? [fromSqlAst(o.trim_what)] : [])] };
    }
    default:
      return unsupported(kind);
  }
}

const lit1 = (): Expr => ({ kind: 'literal', value: { type: 'int', value: 1n } });

function fieldAccess(o: Obj): Expr {
  const root = fromSqlAst(o.root);
  if (root.kind !== 'column') unsupported('field access on a non-column expression');
  const path = [...root.path];
  for (const step of o.access_chain as unknown[]) {
    const [k, v] = variant(step);
    if (k === 'Dot') {
      const inner = fromSqlAst(v);
      if (inner.kind !== 'column') unsupported('field access by expression');
      path.push(...inner.path);
    } else if (k === 'Subscript') {
      const [sk, sv] = variant(v);
      const idx = sk === 'Index' ? fromSqlAst((sv as Obj).index) : undefined;
      if (!idx || idx.kind !== 'literal' || idx.value.type !== 'string') unsupported('subscript other than a string field name');
      path.push(idx.value.value);
    } else unsupported(`field access ${k}`);
  }
  return { kind: 'column', path };
}

function unary(op: string, arg: Expr): Expr {
  if (op === 'Not') return { kind: 'unary', op: 'not', arg };
  if (op === 'Plus') return { kind: 'unary', op: 'pos', arg };
  if (op !== 'Minus') unsupported(`unary operator ${op}`);
  // Fold `-literal` so -9223372036854775808 stays an exact int64.
  if (arg.kind === 'literal') {
    const v = arg.value;
    if (v.type === 'int' && -v.value >= INT_MIN) return { kind: 'literal', value: { type: 'int', value: -v.value } };
    if (v.type === 'int') return { kind: 'literal', value: { type: 'float', value: -Number(v.value) } };
    if (v.type === 'float') return { kind: 'literal', value: { type: 'float', value: -v.value } };
  }
  return { kind: 'unary', op: 'neg', arg };
}

function isBool(kind: string, arg: Expr): Expr {
  // x IS TRUE is never NULL: desugar to CASE so evaluation needs no extra node kind.
  const t: Expr = { kind: 'literal', value: { type: 'bool', value: true } };
  const f: Expr = { kind: 'literal', value: { type: 'bool', value: false } };
  const when: Expr = kind === 'IsTrue' || kind === 'IsNotTrue' ? arg : { kind: 'unary', op: 'not', arg };
  const positive = kind === 'IsTrue' || kind === 'IsFalse';
  return { kind: 'case', whens: [{ when, then: positive ? t : f }], else: positive ? f : t };
}

function like(o: Obj, caseInsensitive: boolean): Expr {
  if (o.any) unsupported('LIKE ANY');
  let escape: string | undefined;
  if (o.escape_char != null) {
    const e = valueLiteral((o.escape_char as Obj).value ?? o.escape_char);
    if (e.type !== 'string' || [...e.value].length !== 1) throw new SqlError('INVALID_LITERAL', `LIKE ESCAPE must be a single character, got ${JSON.stringify(e.type === 'string' ? e.value : e.type)}`);
    escape = e.value;
  }
  return {
    kind: 'like',
    arg: fromSqlAst(o.expr),
    pattern: fromSqlAst(o.pattern),
    ...(escape !== undefined ? { escape } : {}),
    negated: Boolean(o.negated),
    caseInsensitive,
  };
}

/** `Value.value` payload -> literal. */
export function valueLiteral(v: unknown): Literal {
  const [kind, p] = variant(v);
  switch (kind) {
    case 'Null':
      return { type: 'null' };
    case 'Boolean':
      return { type: 'bool', value: Boolean(p) };
    case 'Number':
      return numberLiteral(String((p as unknown[])[0]));
    case 'HexStringLiteral':
      return { type: 'bytes', value: hexBytes(String(p)) };
    default:
      // Single/double/national/escaped string variants all carry the decoded text.
      if (typeof p === 'string' && /String/.test(kind)) return { type: 'string', value: p };
      return unsupported(`literal ${kind}`);
  }
}

function numberLiteral(s: string): Literal {
  if (/^\d+$/.test(s)) {
    const n = BigInt(s);
    if (n <= INT_MAX) return { type: 'int', value: n };
  }
  const f = Number(s);
  if (Number.isNaN(f)) throw new SqlError('INVALID_LITERAL', `invalid number literal ${s}`);
  return { type: 'float', value: f };
}

function hexBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SqlError('INVALID_LITERAL', `invalid hex literal X'${hex}': expected an even number of hex digits`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function typedString(o: Obj): Expr {
  const text = valueLiteral((o.value as Obj).value ?? o.value);
  if (text.type !== 'string') unsupported('typed literal with a non-string value');
  const to = castType(o.data_type);
  if (to === 'date') {
    const days = parseDate(text.value);
    if (days === undefined) throw new SqlError('INVALID_LITERAL', `invalid DATE literal '${text.value}' (expected YYYY-MM-DD)`);
    return { kind: 'literal', value: { type: 'date', days } };
  }
  if (to === 'timestamp') {
    const micros = parseTimestamp(text.value);
    if (micros === undefined) throw new SqlError('INVALID_LITERAL', `invalid TIMESTAMP literal '${text.value}' (expected YYYY-MM-DD HH:MM:SS[.ffffff])`);
    return { kind: 'literal', value: { type: 'timestamp', micros } };
  }
  return { kind: 'cast', arg: { kind: 'literal', value: text }, to, safe: false };
}

const CAST_TYPES: Record<string, CastType> = {
  Boolean: 'bool',
  Bool: 'bool',
  TinyInt: 'int8',
  Int8: 'int8',
  SmallInt: 'int16',
  Int16: 'int16',
  Int: 'int32',
  Integer: 'int32',
  Int32: 'int32',
  BigInt: 'int64',
  Int64: 'int64',
  TinyIntUnsigned: 'uint8',
  UTinyInt: 'uint8',
  UInt8: 'uint8',
  SmallIntUnsigned: 'uint16',
  USmallInt: 'uint16',
  UInt16: 'uint16',
  IntUnsigned: 'uint32',
  IntegerUnsigned: 'uint32',
  UInt32: 'uint32',
  BigIntUnsigned: 'uint64',
  UBigInt: 'uint64',
  UInt64: 'uint64',
  Float: 'float32',
  Real: 'float32',
  Float4: 'float32',
  Float32: 'float32',
  Double: 'float64',
  DoublePrecision: 'float64',
  Float8: 'float64',
  Float64: 'float64',
  String: 'string',
  Varchar: 'string',
  Char: 'string',
  CharVarying: 'string',
  Text: 'string',
  Nvarchar: 'string',
  Binary: 'binary',
  Varbinary: 'binary',
  Blob: 'binary',
  Bytea: 'binary',
  Bytes: 'binary',
  Date: 'date',
  Timestamp: 'timestamp',
  TimestampNtz: 'timestamp',
  Datetime: 'timestamp',
};

/** Parser `DataType` -> CAST target. */
export function castType(dt: unknown): CastType {
  const [name] = variant(dt);
  const t = CAST_TYPES[name];
  if (!t) throw new SqlError('UNSUPPORTED_TYPE', `unsupported type ${name} in CAST; supported: ${[...new Set(Object.values(CAST_TYPES))].join(', ')}`);
  return t;
}

function functionCall(o: Obj): Expr {
  const name = (o.name as unknown[])
    .map((part) => {
      const [k, v] = variant(part);
      return k === 'Identifier' ? identValue(v) : unsupported(`function name ${k}`);
    })
    .join('.')
    .toLowerCase();
  if (o.over != null) unsupported(`window function ${name}(...) OVER`);
  if (o.filter != null) unsupported(`${name}(...) FILTER`);
  const args: Expr[] = [];
  const [argsKind, argsPayload] = variant(o.args);
  if (argsKind === 'List') {
    const list = argsPayload as Obj;
    if (list.duplicate_treatment != null) unsupported(`${name}(DISTINCT ...)`);
    if (Array.isArray(list.clauses) && list.clauses.length > 0) unsupported(`${name}(...) with clauses`);
    for (const a of list.args as unknown[]) {
      const [ak, av] = variant(a);
      if (ak !== 'Unnamed') unsupported(`named argument in ${name}(...)`);
      const [ek, ev] = variant(av);
      if (ek !== 'Expr') unsupported(`${name}(${ek === 'Wildcard' ? '*' : ek})`);
      args.push(fromSqlAst(ev));
    }
  } else if (argsKind !== 'None') unsupported(`${name}(${argsKind})`);
  return { kind: 'call', name, args };
}
