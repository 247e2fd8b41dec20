// FSST compression for writers: trains a symbol table on a sample of the strings (the FSST
// paper's iterated "compress the sample, count symbols and symbol pairs, keep the 255 with the
// highest gain" loop) and codes every string greedily, longest symbol first. The output is what
// Lance's FSST decoder reads: the 2312-byte table (§7.5) and per-string code runs where code 255
// escapes one literal byte.
import { FSST_TABLE_BYTES } from './fsst.js';

const FSST_MAGIC = 0x46535354;
const ESC = 255;
const MAX_SYMBOLS = 255;
const GENERATIONS = 5;
/** Sample size the table is trained on (Lance samples about 16 KiB too). */
const SAMPLE_TARGET = 1 << 14;

export interface FsstEncoder {
  /** The serialized symbol table, FSST_TABLE_BYTES long. */
  table: Uint8Array;
  /** For every first byte, the symbols starting with it, longest first. */
  byFirst: Array<Array<{ sym: Uint8Array; code: number }>>;
}

export interface FsstCoded {
  /** n + 1 offsets into `codes`, starting at 0. */
  offsets: Float64Array;
  codes: Uint8Array;
}

function key(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** A deterministic sample of whole strings totalling about SAMPLE_TARGET bytes. */
function sample(data: Uint8Array, offsets: Float64Array): Uint8Array[] {
  const n = offsets.length - 1;
  const total = offsets[n]! - offsets[0]!;
  const out: Uint8Array[] = [];
  if (total <= SAMPLE_TARGET) {
    for (let i = 0; i < n; i++) out.push(data.subarray(offsets[i]!, offsets[i + 1]!));
    return out;
  }
  // A fixed-seed walk keeps files reproducible byte for byte.
  let seed = 0x9e3779b9;
  let bytes = 0;
  for (let tries = 0; bytes < SAMPLE_TARGET && tries < n * 4; tries++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const i = seed % n;
    const s = data.subarray(offsets[i]!, offsets[i + 1]!);
    out.push(s);
    bytes += s.length;
  }
  return out;
}

function index(symbols: Uint8Array[]): FsstEncoder['byFirst'] {
  const byFirst: FsstEncoder['byFirst'] = Array.from({ length: 256 }, () => []);
  symbols.forEach((sym, code) => byFirst[sym[0]!]!.push({ sym, code }));
  for (const list of byFirst) list.sort((a, b) => b.sym.length - a.sym.length);
  return byFirst;
}

/** Length of the longest symbol matching `s` at `p`, with its code (code -1 = escape). */
function match(byFirst: FsstEncoder['byFirst'], s: Uint8Array, p: number): { len: number; code: number } {
  const list = byFirst[s[p]!]!;
  outer: for (const { sym, code } of list) {
    if (sym.length > s.length - p) continue;
    for (let k = 1; k < sym.length; k++) if (s[p + k] !== sym[k]) continue outer;
    return { len: sym.length, code };
  }
  return { len: 1, code: -1 };
}

function serialize(symbols: Uint8Array[]): Uint8Array {
  const table = new Uint8Array(FSST_TABLE_BYTES);
  const dv = new DataView(table.buffer);
  dv.setUint32(0, ((1 << 24) | symbols.length) >>> 0, true);
  dv.setUint32(4, FSST_MAGIC, true);
  symbols.forEach((s, c) => {
    table.set(s, 8 + c * 8);
    table[8 + symbols.length * 8 + c] = s.length;
  });
  return table;
}

/** Trains a symbol table on the strings `data[offsets[i]..offsets[i+1]]`. */
export function trainFsst(data: Uint8Array, offsets: Float64Array): FsstEncoder {
  const strings = sample(data, offsets);
  let symbols: Uint8Array[] = [];
  for (let gen = 0; gen < GENERATIONS; gen++) {
    const byFirst = index(symbols);
    const gain = new Map<string, number>();
    const bump = (k: string, by: number) => gain.set(k, (gain.get(k) ?? 0) + by);
    for (const s of strings) {
      let p = 0;
      let prev = -1;
      while (p < s.length) {
        const m = match(byFirst, s, p);
        // A symbol saves len - 1 bytes over escaping... counted as len, which is FSST's gain.
        bump(key(s, p, p + m.len), m.len);
        if (m.len > 1) bump(key(s, p, p + 1), 1);
        if (prev >= 0 && p + m.len - prev <= 8) bump(key(s, prev, p + m.len), p + m.len - prev);
        prev = p;
        p += m.len;
      }
    }
    symbols = [...gain.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_SYMBOLS)
      .map(([k]) => Uint8Array.from(k, (c) => c.charCodeAt(0)));
  }
  return { table: serialize(symbols), byFirst: index(symbols) };
}

/** Codes every string with the trained table. */
export function fsstCompress(enc: FsstEncoder, data: Uint8Array, offsets: Float64Array): FsstCoded {
  const n = offsets.length - 1;
  let codes = new Uint8Array(Math.max(16, (offsets[n]! - offsets[0]!) + 16));
  const out = new Float64Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const s = data.subarray(offsets[i]!, offsets[i + 1]!);
    // Worst case every byte escapes.
    if (o + s.length * 2 > codes.length) {
      const grown = new Uint8Array(Math.max(codes.length * 2, o + s.length * 2));
      grown.set(codes.subarray(0, o));
      codes = grown;
    }
    let p = 0;
    while (p < s.length) {
      const m = match(enc.byFirst, s, p);
      if (m.code < 0) {
        codes[o++] = ESC;
        codes[o++] = s[p]!;
      } else {
        codes[o++] = m.code;
      }
      p += m.len;
    }
    out[i + 1] = o;
  }
  return { offsets: out, codes: codes.subarray(0, o) };
}
