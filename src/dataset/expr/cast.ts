// CAST over normalised values (see values.ts). CAST raises SqlError('CAST_FAILED') on values
// that do not convert; TRY_CAST yields NULL instead. The DataFusion dialect follows Arrow's cast
// kernels as Lance 12 runs them: text converts only when it is exactly a number (no surrounding
// spaces, no fraction for integers), and floats print as Rust does (1.0, -0.0, 1e300, inf).
import { SqlError } from '../../errors.js';
import { exprToString, formatDate, formatTimestamp, type CastType, type Expr } from './ast.js';
import { parseDate, parseTimestamp } from './temporal.js';
import type { Dialect } from './dialect.js';
import { category, type Category } from './types.js';
import type * as arrow from 'apache-arrow';
import { floorDiv, NS_PER_DAY, signBit, type Val } from './values.js';

const INT_RANGES: Partial<Record<CastType, [bigint, bigint]>> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(1n << 63n), (1n << 63n) - 1n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 4294967295n],
  uint64: [0n, (1n << 64n) - 1n],
};

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Casts one column of values of Arrow type `from` to `to`. */
export function castValues(values: readonly Val[], from: arrow.DataType, to: CastType, safe: boolean, e: Expr, dialect: Dialect): Val[] {
  const c = category(from);
  return values.map((v) => {
    if (v === null) return null;
    const r = castOne(v, c, to, dialect);
    if (r !== undefined) return r;
    if (safe) return null;
    throw new SqlError('CAST_FAILED', `cannot cast ${describe(v)} to ${to} in ${exprToString(e)}`, { expr: exprToString(e) });
  });
}

function describe(v: Val): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return String(v);
}

/** undefined = the value does not convert. */
function castOne(v: Val, from: Category, to: CastType, dialect: Dialect): Val | undefined {
  const range = INT_RANGES[to];
  if (range) return toInt(v, from, to, range, dialect);
  switch (to) {
    case 'float32':
    case 'float64': {
      const f = dialect === 'datafusion' && from === 'string' ? rustParseFloat(v as string) : toFloat(v, from);
      return f === undefined ? undefined : to === 'float32' ? Math.fround(f) : f;
    }
    case 'bool':
      if (from === 'bool') return v;
      if (from === 'string') {
        const s = (v as string).trim().toLowerCase();
        const [yes, no] = dialect === 'datafusion' ? [ARROW_TRUE, ARROW_FALSE] : [SPARK_TRUE, SPARK_FALSE];
        return yes.includes(s) ? true : no.includes(s) ? false : undefined;
      }
      return typeof v === 'bigint' ? v !== 0n : (v as number) !== 0;
    case 'string':
      return toStringValue(v, from, dialect);
    case 'binary':
      return from === 'string' ? utf8.encode(v as string) : v;
    case 'date':
      if (from === 'date') return v;
      if (from === 'timestamp') return Number(floorDiv(v as bigint, NS_PER_DAY));
      return parseDate(v as string) ?? dateFromTimestampText(v as string);
    case 'timestamp': {
      if (from === 'timestamp') return v;
      if (from === 'date') return BigInt(v as number) * NS_PER_DAY;
      const micros = parseTimestamp(v as string);
      return micros === undefined ? undefined : micros * 1000n;
    }
  }
  return undefined;
}

function dateFromTimestampText(s: string): number | undefined {
  const micros = parseTimestamp(s);
  return micros === undefined ? undefined : Number(floorDiv(micros, 86_400_000_000n));
}

const SPARK_TRUE = ['true', 't', 'yes', 'y', '1'];
const SPARK_FALSE = ['false', 'f', 'no', 'n', '0'];
const ARROW_TRUE = ['true', 't', 'yes', 'y', 'on', '1'];
const ARROW_FALSE = ['false', 'f', 'no', 'n', 'off', '0'];

function toInt(v: Val, from: Category, to: CastType, [lo, hi]: [bigint, bigint], dialect: Dialect): Val | undefined {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'boolean') b = v ? 1n : 0n;
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    b = BigInt(Math.trunc(v));
  } else if (from === 'string' && dialect === 'datafusion') {
    const s = v as string;
    if (!/^[+-]?\d+$/.test(s)) return undefined;
    b = BigInt(s);
  } else if (from === 'string') {
    const s = (v as string).trim();
    if (/^[+-]?\d+$/.test(s)) b = BigInt(s);
    else {
      const f = Number(s);
      if (s === '' || !Number.isFinite(f)) return undefined;
      b = BigInt(Math.trunc(f));
    }
  } else return undefined;
  if (b < lo || b > hi) return undefined;
  return to === 'int64' || to === 'uint64' ? b : Number(b);
}

function toFloat(v: Val, from: Category): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (from === 'string') {
    const s = (v as string).trim();
    const lower = s.toLowerCase();
    if (lower === 'nan') return NaN;
    if (lower === 'infinity' || lower === '+infinity' || lower === 'inf') return Infinity;
    if (lower === '-infinity' || lower === '-inf') return -Infinity;
    const f = Number(s);
    return s === '' || Number.isNaN(f) ? undefined : f;
  }
  return undefined;
}

const NEGATIVE_NAN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0]!;

/** Rust's f64 parser: digits with an optional fraction and exponent, inf/infinity/nan; no spaces. */
function rustParseFloat(s: string): number | undefined {
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (m) {
    const neg = m[1] === '-';
    if (m[2]!.toLowerCase() === 'nan') return neg ? NEGATIVE_NAN : NaN;
    return neg ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** A float as Rust's Display prints it: shortest digits, `.0` on integers, exponent beyond 1e16 / below 1e-5. */
export function rustFloatString(f: number): string {
  if (f !== f) return 'NaN';
  if (f === Infinity) return 'inf';
  if (f === -Infinity) return '-inf';
  if (f === 0) return signBit(f) ? '-0.0' : '0.0';
  const [mant, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -5 || exp >= 16) return `${mant}e${exp}`;
  const s = String(f);
  if (/e/.test(s)) {
    // JS switches to exponents earlier (below 1e-6): spell the decimal out from the digits.
    const digits = mant.replace(/[-.]/g, '');
    return `${f < 0 ? '-' : ''}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return /\./.test(s) ? s : `${s}.0`;
}

/** Text form of a value, as CAST(x AS STRING), `||` and concat() print it. */
export function toStringValue(v: Val, from: Category, dialect: Dialect): string | undefined {
  switch (from) {
    case 'string':
      return v as string;
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
      return formatTimestamp(floorDiv(v as bigint, 1000n));
    case 'binary':
      try {
        return utf8Strict.decode(v as Uint8Array);
      } catch {
        return undefined;
      }
    case 'float': {
      const f = v as number;
      if (dialect === 'datafusion') return rustFloatString(f);
      if (Number.isNaN(f)) return 'NaN';
      if (!Number.isFinite(f)) return f > 0 ? 'Infinity' : '-Infinity';
      const s = String(f);
      return /[.eE]/.test(s) ? s : `${s}.0`;
    }
    default:
      return String(v);
  }
}
