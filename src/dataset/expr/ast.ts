// lancet's own expression IR, independent of the SQL parser's AST. Filters, UPDATE SET values,
// and SELECT projections are all expressed in it, evaluated by eval.ts over Arrow batches.

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type BinaryOp = CompareOp | ArithOp | 'and' | 'or' | '||';
export type UnaryOp = 'not' | 'neg' | 'pos';

/** Target types of CAST, named like Lance logical types. */
export type CastType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string'
  | 'binary'
  | 'date'
  | 'timestamp';

export type Literal =
  | { type: 'null' }
  | { type: 'bool'; value: boolean }
  /** Integers are kept exact (bigint) whatever their size, within [-2^63, 2^64). */
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  /** Days since the Unix epoch. */
  | { type: 'date'; days: number }
  /** Microseconds since the Unix epoch (UTC). */
  | { type: 'timestamp'; micros: bigint };

export type Expr =
  /**
   * `path[0]` names a top-level column and the rest are struct fields (`image.size`), unless
   * `path[0]` is not a column and `path[1]` is: then `path[0]` is a table qualifier (`t.label`).
   * The SQL layer may also set `qualifier` explicitly once it has bound the name.
   */
  | { kind: 'column'; path: string[]; qualifier?: string }
  /**
   * `as`: the Arrow type Lance's literal coercion gave the literal (DataFusion dialect only,
   * set by lance-literals.ts: `int32_col = 7` compares with an Int32 7, not an Int64 one).
   */
  | { kind: 'literal'; value: Literal; as?: CastType }
  | { kind: 'unary'; op: UnaryOp; arg: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'isNull'; arg: Expr; negated: boolean }
  | { kind: 'in'; arg: Expr; list: Expr[]; negated: boolean }
  | { kind: 'between'; arg: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: 'like'; arg: Expr; pattern: Expr; escape?: string; negated: boolean; caseInsensitive: boolean }
  | { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr }
  /**
   * `implicit`: a conversion the engine adds (an UPDATE value to its column's type), not one
   * the user wrote; the DataFusion dialect resolves literals beneath it as at the root.
   */
  | { kind: 'cast'; arg: Expr; to: CastType; safe: boolean; implicit?: boolean }
  /** `name` is lower-case; see functions.ts for the registry. */
  | { kind: 'call'; name: string; args: Expr[] };

// ---------------------------------------------------------------------------------------------
// Small constructors (used by tests and by the SQL layer when it synthesizes predicates)

export const col = (...path: string[]): Expr => ({ kind: 'column', path });
export const lit = (v: null | boolean | number | bigint | string | Uint8Array): Expr => ({ kind: 'literal', value: literalOf(v) });

export function literalOf(v: null | boolean | number | bigint | string | Uint8Array): Literal {
  if (v === null) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'bigint') return { type: 'int', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: BigInt(v) } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  return { type: 'bytes', value: v };
}

// ---------------------------------------------------------------------------------------------
// Printing

const PRECEDENCE: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  '=': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '||': 8,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

/** Prints an expression back as SQL text that parses to the same IR. */
export function exprToString(e: Expr): string {
  return print(e, 0);
}

function print(e: Expr, outer: number): string {
  const wrap = (s: string, prec: number) => (prec < outer ? `(${s})` : s);
  switch (e.kind) {
    case 'column':
      return [...(e.qualifier !== undefined ? [e.qualifier] : []), ...e.path].map(quoteIdent).join('.');
    case 'literal':
      return literalToString(e.value);
    case 'unary':
      if (e.op === 'not') return wrap(`NOT ${print(e.arg, 3)}`, 3);
      {
        // A space keeps `- -5` from printing as the comment `--5`.
        const inner = print(e.arg, 9);
        return wrap(`${e.op === 'neg' ? '-' : '+'}${/^[-+]/.test(inner) ? ' ' : ''}${inner}`, 9);
      }
    case 'binary': {
      const p = PRECEDENCE[e.op];
      const op = e.op === 'and' || e.op === 'or' ? e.op.toUpperCase() : e.op;
      // Comparisons are non-associative, so both sides of one get a tighter bound.
      const rightPrec = p + 1;
      const leftPrec = p === 4 ? p + 1 : p;
      return wrap(`${print(e.left, leftPrec)} ${op} ${print(e.right, rightPrec)}`, p);
    }
    case 'isNull':
      return wrap(`${print(e.arg, 5)} IS ${e.negated ? 'NOT ' : ''}NULL`, 4);
    case 'in':
      return wrap(`${print(e.arg, 5)} ${e.negated ? 'NOT ' : ''}IN (${e.list.map((x) => print(x, 0)).join(', ')})`, 4);
    case 'between':
      return wrap(`${print(e.arg, 5)} ${e.negated ? 'NOT ' : ''}BETWEEN ${print(e.low, 5)} AND ${print(e.high, 5)}`, 4);
    case 'like': {
      const kw = e.caseInsensitive ? 'ILIKE' : 'LIKE';
      const esc = e.escape !== undefined ? ` ESCAPE ${quoteString(e.escape)}` : '';
      return wrap(`${print(e.arg, 5)} ${e.negated ? 'NOT ' : ''}${kw} ${print(e.pattern, 5)}${esc}`, 4);
    }
    case 'case': {
      const parts = ['CASE'];
      if (e.operand) parts.push(print(e.operand, 0));
      for (const w of e.whens) parts.push(`WHEN ${print(w.when, 0)} THEN ${print(w.then, 0)}`);
      if (e.else) parts.push(`ELSE ${print(e.else, 0)}`);
      parts.push('END');
      return parts.join(' ');
    }
    case 'cast':
      return `${e.safe ? 'TRY_CAST' : 'CAST'}(${print(e.arg, 0)} AS ${CAST_SQL_NAMES[e.to]})`;
    case 'call':
      return `${e.name}(${e.args.map((a) => print(a, 0)).join(', ')})`;
  }
}

export const CAST_SQL_NAMES: Record<CastType, string> = {
  bool: 'BOOLEAN',
  int8: 'TINYINT',
  int16: 'SMALLINT',
  int32: 'INT',
  int64: 'BIGINT',
  uint8: 'TINYINT UNSIGNED',
  uint16: 'SMALLINT UNSIGNED',
  uint32: 'INT UNSIGNED',
  uint64: 'BIGINT UNSIGNED',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  string: 'STRING',
  binary: 'BINARY',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

export function literalToString(l: Literal): string {
  switch (l.type) {
    case 'null':
      return 'NULL';
    case 'bool':
      return l.value ? 'TRUE' : 'FALSE';
    case 'int':
      return l.value.toString();
    case 'float': {
      if (Number.isNaN(l.value)) return "CAST('NaN' AS DOUBLE)";
      if (!Number.isFinite(l.value)) return `CAST('${l.value > 0 ? 'Infinity' : '-Infinity'}' AS DOUBLE)`;
      const s = String(l.value);
      // Keep floats recognisable as floats when printed back (1.0, not 1).
      return /[.eE]/.test(s) ? s : `${s}.0`;
    }
    case 'string':
      return quoteString(l.value);
    case 'bytes':
      return `X'${Array.from(l.value, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('')}'`;
    case 'date':
      return `DATE '${formatDate(l.days)}'`;
    case 'timestamp':
      return `TIMESTAMP '${formatTimestamp(l.micros)}'`;
  }
}

export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['and', 'or', 'not', 'null', 'true', 'false', 'is', 'in', 'between', 'like', 'ilike', 'case', 'when', 'then', 'else', 'end', 'cast', 'select', 'from', 'where']);

export function quoteIdent(name: string): string {
  return PLAIN_IDENT.test(name) && !RESERVED.has(name.toLowerCase()) ? name : `\`${name.replace(/`/g, '``')}\``;
}

export function formatDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

export function formatTimestamp(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ');
  return frac === 0n ? base : `${base}.${frac.toString().padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Walking

/** Direct sub-expressions, in evaluation order. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'unary':
    case 'isNull':
    case 'cast':
      return [e.arg];
    case 'binary':
      return [e.left, e.right];
    case 'in':
      return [e.arg, ...e.list];
    case 'between':
      return [e.arg, e.low, e.high];
    case 'like':
      return [e.arg, e.pattern];
    case 'case':
      return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'call':
      return e.args;
  }
}

/**
 * Top-level columns an expression reads, de-duplicated, in first-use order. With `columnNames`
 * (the table's top-level columns), qualified references (`t.label`) resolve to `label`;
 * without it, `path[0]` is reported.
 */
export function exprColumns(e: Expr, columnNames?: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (x: Expr) => {
    if (x.kind === 'column') {
      const [first, second] = x.path;
      if (columnNames && !columnNames.includes(first!) && second !== undefined && columnNames.includes(second)) out.add(second);
      else out.add(first!);
    }
    children(x).forEach(visit);
  };
  visit(e);
  return [...out];
}
