// FSST string decompression (LANCE-FORMAT §7.5 Fsst row). Lance stores one symbol table per page
// in the encoding description; the page's Variable values are the compressed strings.
//
// Table bytes (2312, native = little endian): u64 header with "FSST" in the high 32 bits,
// bit 24 = encoder switched on, bits 16-23 suffix limit, 8-15 terminator, 0-7 symbol count n;
// then n u64 symbols (first byte = lowest byte), then n u8 symbol lengths.
// Code c < 255 emits the first len[c] bytes of symbol c; code 255 escapes the next byte.
// With the encoder switched off Lance copied the strings through unchanged.
import { LanceFormatError } from '../../errors.js';

export const FSST_TABLE_BYTES = 8 + 256 * 8 + 256;
const FSST_MAGIC = 0x46535354;
const FSST_ESC = 255;

export interface FsstSymbolTable {
  /** False when Lance decided FSST would not pay off and stored the strings raw. */
  readonly encoderOn: boolean;
  readonly numSymbols: number;
  /** 256 × 8 bytes: symbol c occupies bytes [8c, 8c + lens[c]). */
  readonly symbols: Uint8Array;
  readonly lens: Uint8Array;
}

export function parseFsstSymbolTable(bytes: Uint8Array): FsstSymbolTable {
  if (bytes.byteLength < 8) {
    throw new LanceFormatError('BAD_ENCODING', `FSST symbol table of ${bytes.byteLength} bytes has no header`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== FSST_MAGIC) {
    throw new LanceFormatError('BAD_ENCODING', `FSST symbol table header lacks the "FSST" magic (high word 0x${hi.toString(16)})`);
  }
  const encoderOn = (lo & (1 << 24)) !== 0;
  const n = lo & 0xff;
  if (bytes.byteLength < 8 + n * 9) {
    throw new LanceFormatError('TRUNCATED_DATA', `FSST symbol table declares ${n} symbols but has only ${bytes.byteLength} bytes`);
  }
  const symbols = new Uint8Array(256 * 8);
  symbols.set(bytes.subarray(8, 8 + n * 8));
  const lens = new Uint8Array(256);
  lens.set(bytes.subarray(8 + n * 8, 8 + n * 9));
  for (let c = 0; c < n; c++) {
    if (lens[c]! < 1 || lens[c]! > 8) {
      throw new LanceFormatError('BAD_ENCODING', `FSST symbol ${c} has length ${lens[c]}; symbols are 1..8 bytes`);
    }
  }
  return { encoderOn, numSymbols: n, symbols, lens };
}

export interface StringBatch<O extends Uint32Array | BigUint64Array = Uint32Array | BigUint64Array> {
  /** n + 1 offsets into `data`. */
  offsets: O;
  data: Uint8Array;
}

/**
 * Decompresses a batch of FSST-coded strings. `offsets` (n + 1 entries, u32 or u64) delimit each
 * string's codes in `codes` and need not start at 0; the result's offsets start at 0 and use the
 * same width as the input.
 */
export function decodeFsst<O extends Uint32Array | BigUint64Array>(table: FsstSymbolTable, offsets: O, codes: Uint8Array): StringBatch<O> {
  const n = offsets.length - 1;
  const wide = offsets instanceof BigUint64Array;
  const outOffsets = (wide ? new BigUint64Array(n + 1) : new Uint32Array(n + 1)) as O;
  if (n < 0) return { offsets: outOffsets, data: new Uint8Array(0) };
  const off = (i: number): number => Number(offsets[i]!);
  const first = off(0);
  const last = off(n);
  if (last > codes.byteLength || first > last) {
    throw new LanceFormatError('TRUNCATED_DATA', `FSST offsets span [${first}, ${last}) but only ${codes.byteLength} code bytes exist`);
  }
  if (!table.encoderOn) {
    const data = codes.slice(first, last);
    for (let i = 0; i <= n; i++) setOffset(outOffsets, i, off(i) - first, wide);
    return { offsets: outOffsets, data };
  }
  const { lens, symbols, numSymbols } = table;
  // Pass 1: exact output size, and validation, so pass 2 can write without bounds checks.
  let total = 0;
  for (let p = first; p < last; p++) {
    const c = codes[p]!;
    if (c === FSST_ESC) {
      p++;
      total++;
    } else if (c < numSymbols) {
      total += lens[c]!;
    } else {
      throw new LanceFormatError('BAD_ENCODING', `FSST code ${c} at byte ${p} refers past the ${numSymbols}-symbol table`);
    }
  }
  const data = new Uint8Array(total);
  let o = 0;
  setOffset(outOffsets, 0, 0, wide);
  for (let i = 0; i < n; i++) {
    const end = off(i + 1);
    let p = off(i);
    if (end < p) throw new LanceFormatError('BAD_ENCODING', `FSST offsets decrease at string ${i} (${p} > ${end})`);
    while (p < end) {
      const c = codes[p++]!;
      if (c === FSST_ESC) {
        data[o++] = codes[p++]!;
      } else {
        const len = lens[c]!;
        const s = c << 3;
        for (let k = 0; k < len; k++) data[o + k] = symbols[s + k]!;
        o += len;
      }
    }
    setOffset(outOffsets, i + 1, o, wide);
  }
  return { offsets: outOffsets, data };
}

function setOffset(offsets: Uint32Array | BigUint64Array, i: number, v: number, wide: boolean): void {
  if (wide) (offsets as BigUint64Array)[i] = BigInt(v);
  else (offsets as Uint32Array)[i] = v;
}

/**
 * A small FSST encoder for tests and writers that want FSST: symbols are the given strings of
 * 1..8 bytes (at most 255), matched greedily longest-first; other bytes are escaped.
 * Returns the 2312-byte table and the coded batch.
 */
export function encodeFsst(
  symbolList: Uint8Array[],
  strings: Uint8Array[],
): { table: Uint8Array; offsets: Uint32Array; codes: Uint8Array } {
  if (symbolList.length > 255) throw new RangeError('FSST tables hold at most 255 symbols');
  const table = new Uint8Array(FSST_TABLE_BYTES);
  const dv = new DataView(table.buffer);
  dv.setUint32(0, ((1 << 24) | symbolList.length) >>> 0, true);
  dv.setUint32(4, FSST_MAGIC, true);
  symbolList.forEach((s, c) => {
    if (s.byteLength < 1 || s.byteLength > 8) throw new RangeError(`FSST symbols are 1..8 bytes, got ${s.byteLength}`);
    table.set(s, 8 + c * 8);
    table[8 + symbolList.length * 8 + c] = s.byteLength;
  });
  const byLength = symbolList.map((s, c) => ({ s, c })).sort((a, b) => b.s.byteLength - a.s.byteLength);
  const codes: number[] = [];
  const offsets = new Uint32Array(strings.length + 1);
  strings.forEach((str, i) => {
    let p = 0;
    while (p < str.byteLength) {
      const hit = byLength.find(({ s }) => s.byteLength <= str.byteLength - p && s.every((b, k) => str[p + k] === b));
      if (hit) {
        codes.push(hit.c);
        p += hit.s.byteLength;
      } else {
        codes.push(FSST_ESC, str[p]!);
        p++;
      }
    }
    offsets[i + 1] = codes.length;
  });
  // Lance's table is a fixed 2312 bytes; everything after the lengths stays zero.
  return { table, offsets, codes: Uint8Array.from(codes) };
}

const parsedTables = new WeakMap<Uint8Array, FsstSymbolTable>();

/** `parseFsstSymbolTable`, memoised per table buffer (one table serves every chunk of a page). */
export function fsstTableFor(bytes: Uint8Array): FsstSymbolTable {
  let t = parsedTables.get(bytes);
  if (!t) {
    t = parseFsstSymbolTable(bytes);
    parsedTables.set(bytes, t);
  }
  return t;
}
