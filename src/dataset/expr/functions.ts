// Scalar function registry. Built-ins cover the string/number helpers filters need; the SQL
// layer registers more (e.g. blob_bytes) with registerFunction before planning.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import type { Expr } from './ast.js';
import { toStringValue } from './cast.js';
import type { Dialect } from './dialect.js';
import { category, commonType, isNumeric, typeMismatch, typeName } from './types.js';
import type { Val } from './values.js';

export interface ScalarFunction {
  /** Lower-case name as written in SQL. */
  name: string;
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  /** Result type from argument types; throw typeMismatch(call, ...) to reject arguments. */
  returnType(args: arrow.DataType[], call: Expr): arrow.DataType;
  /** One row: normalised argument values (see values.ts) to a normalised result. */
  evalRow(args: Val[], argTypes: arrow.DataType[], dialect: Dialect): Val;
  /** Default true: a NULL argument makes the result NULL without calling evalRow. */
  propagatesNull?: boolean | ((dialect: Dialect) => boolean);
}

const registry = new Map<string, ScalarFunction>();

export function registerFunction(fn: ScalarFunction): void {
  registry.set(fn.name.toLowerCase(), fn);
}

/** The function called by `call`, with its argument count checked. */
export function lookupFunction(call: Expr & { kind: 'call' }): ScalarFunction {
  const fn = registry.get(call.name);
  if (!fn) {
    throw new SqlError('UNKNOWN_FUNCTION', `unknown function ${call.name}(); available: ${[...registry.keys()].sort().join(', ')}`, { function: call.name });
  }
  const n = call.args.length;
  if (n < fn.minArgs || n > fn.maxArgs) {
    const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new SqlError('WRONG_ARG_COUNT', `${call.name}() takes ${want} argument(s), got ${n}`, { function: call.name });
  }
  return fn;
}

export function functionNames(): string[] {
  return [...registry.keys()].sort();
}

// ---------------------------------------------------------------------------------------------
// Built-ins

function expectString(args: arrow.DataType[], call: Expr, positions: number[]): void {
  for (const i of positions) {
    const c = category(args[i]!);
    if (c !== 'string' && c !== 'null') throw typeMismatch(call, `argument ${i + 1} must be a string, got ${typeName(args[i]!)}`);
  }
}

function expectInt(args: arrow.DataType[], call: Expr, positions: number[]): void {
  for (const i of positions) {
    const c = category(args[i]!);
    if (c !== 'int' && c !== 'null') throw typeMismatch(call, `argument ${i + 1} must be an integer, got ${typeName(args[i]!)}`);
  }
}

const stringFn = (name: string, f: (s: string) => string): ScalarFunction => ({
  name,
  minArgs: 1,
  maxArgs: 1,
  returnType: (args, call) => (expectString(args, call, [0]), new arrow.Utf8()),
  evalRow: ([s]) => f(s as string),
});

function trimFn(name: string, mode: 'both' | 'left' | 'right'): ScalarFunction {
  return {
    name,
    minArgs: 1,
    maxArgs: 2,
    returnType: (args, call) => (expectString(args, call, args.map((_, i) => i)), new arrow.Utf8()),
    evalRow: ([s, chars]) => {
      const set = new Set(chars === undefined ? [' '] : [...(chars as string)]);
      const cps = [...(s as string)];
      let a = 0;
      let b = cps.length;
      if (mode !== 'right') while (a < b && set.has(cps[a]!)) a++;
      if (mode !== 'left') while (b > a && set.has(cps[b - 1]!)) b--;
      return cps.slice(a, b).join('');
    },
  };
}

/** Spark substring: 1-based; start 0 acts as 1; negative start counts from the end. */
function substring(s: string, start: number, len?: number): string {
  const cps = [...s];
  let from = start > 0 ? start - 1 : start < 0 ? Math.max(0, cps.length + start) : 0;
  from = Math.min(from, cps.length);
  if (len === undefined) return cps.slice(from).join('');
  if (len <= 0) return '';
  return cps.slice(from, from + len).join('');
}

const BUILTINS: ScalarFunction[] = [
  stringFn('lower', (s) => s.toLowerCase()),
  stringFn('upper', (s) => s.toUpperCase()),
  trimFn('trim', 'both'),
  trimFn('ltrim', 'left'),
  trimFn('rtrim', 'right'),
  {
    name: 'length',
    minArgs: 1,
    maxArgs: 1,
    returnType: (args, call) => {
      const c = category(args[0]!);
      if (c !== 'string' && c !== 'binary' && c !== 'null') throw typeMismatch(call, `length() needs a string or binary, got ${typeName(args[0]!)}`);
      return new arrow.Int32();
    },
    // Characters for strings (code points, as Spark), bytes for binary.
    evalRow: ([s]) => (typeof s === 'string' ? [...s].length : (s as Uint8Array).length),
  },
  {
    name: 'concat',
    minArgs: 1,
    maxArgs: Infinity,
    returnType: (args, call) => {
      for (const [i, t] of args.entries()) {
        const c = category(t);
        if (c === 'struct' || c === 'other') throw typeMismatch(call, `concat() argument ${i + 1} is ${typeName(t)}`);
      }
      return new arrow.Utf8();
    },
    // Spark: any NULL argument makes the result NULL; DataFusion skips NULL arguments.
    propagatesNull: (dialect) => dialect === 'spark',
    evalRow: (args, types, dialect) => args.map((v, i) => (v === null ? '' : (toStringValue(v, category(types[i]!), dialect) ?? ''))).join(''),
  },
  {
    name: 'coalesce',
    minArgs: 1,
    maxArgs: Infinity,
    propagatesNull: false,
    returnType: (args, call) => commonType(args, call),
    evalRow: (args) => args.find((v) => v !== null) ?? null,
  },
  {
    name: 'abs',
    minArgs: 1,
    maxArgs: 1,
    returnType: (args, call) => {
      if (!isNumeric(category(args[0]!)) && category(args[0]!) !== 'null') throw typeMismatch(call, `abs() needs a number, got ${typeName(args[0]!)}`);
      return args[0]!;
    },
    evalRow: ([v], [t], dialect) => {
      if (typeof v === 'bigint') {
        if (v >= 0n) return v;
        // DataFusion fails where the magnitude does not fit the type (abs of the minimum).
        if (dialect === 'datafusion' && BigInt.asIntN(64, -v) !== -v) throw new SqlError('ARITHMETIC_OVERFLOW', `abs(${v}) overflows ${typeName(t!)}; CAST the argument to a wider type first`);
        return -v;
      }
      const n = v as number;
      if (dialect === 'datafusion' && category(t!) === 'int' && n < 0) {
        const bits = (t as arrow.Int).bitWidth;
        if ((t as arrow.Int).isSigned && -n > 2 ** (bits - 1) - 1) throw new SqlError('ARITHMETIC_OVERFLOW', `abs(${n}) overflows ${typeName(t!)}; CAST the argument to a wider type first`);
      }
      return Math.abs(n);
    },
  },
  ...['substring', 'substr'].map(
    (name): ScalarFunction => ({
      name,
      minArgs: 2,
      maxArgs: 3,
      returnType: (args, call) => (expectString(args, call, [0]), expectInt(args, call, args.map((_, i) => i).slice(1)), new arrow.Utf8()),
      evalRow: ([s, start, len]) => substring(s as string, Number(start), len === undefined ? undefined : Number(len)),
    }),
  ),
  ...(
    [
      ['starts_with', (s: string, p: string) => s.startsWith(p)],
      ['ends_with', (s: string, p: string) => s.endsWith(p)],
      ['contains', (s: string, p: string) => s.includes(p)],
    ] as const
  ).map(
    ([name, f]): ScalarFunction => ({
      name,
      minArgs: 2,
      maxArgs: 2,
      returnType: (args, call) => (expectString(args, call, [0, 1]), new arrow.Bool()),
      evalRow: ([s, p]) => f(s as string, p as string),
    }),
  ),
];

BUILTINS.forEach(registerFunction);
