// FastLanes bit-packing as Lance uses it (LANCE-FORMAT §7.5 "FastLanes layout").
//
// A block is 1024 values of an unsigned T-bit word (T = 8/16/32/64) split into LANES = 1024/T
// lanes. Lane `l` packs, for row r in 0..T, the value at index FL_INDEX(r, l) into its own bit
// stream (LSB first, `bw` bits each); that stream's k-th T-bit word lives at packed[LANES*k + l].
// Interleaving lanes this way is what lets the Rust side vectorise; we only need the indices.
//
// All buffers here are little-endian byte arrays so callers never care about alignment; values
// of T = 64 are handled as pairs of u32 halves to stay out of BigInt in the hot loop.
import { LanceFormatError } from '../../errors.js';

export type WordBits = 8 | 16 | 32 | 64;

/** Values per FastLanes block. */
export const FASTLANES_BLOCK = 1024;

const FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7];

/** Bytes a packed block occupies for bit width `bw` (T does not matter: 1024 × bw bits). */
export function packedBlockBytes(bitWidth: number): number {
  return 128 * bitWidth;
}

function flIndex(row: number, lane: number): number {
  return FL_ORDER[row >> 3]! * 16 + (row & 7) * 128 + lane;
}

// Row → position-in-block, shared by every lane (add the lane number).
const ROW_BASE: Record<WordBits, Int32Array> = {
  8: rowBase(8),
  16: rowBase(16),
  32: rowBase(32),
  64: rowBase(64),
};

function rowBase(t: number): Int32Array {
  const out = new Int32Array(t);
  for (let r = 0; r < t; r++) out[r] = flIndex(r, 0);
  return out;
}

function checkWidth(t: WordBits, bitWidth: number): void {
  if (t !== 8 && t !== 16 && t !== 32 && t !== 64) {
    throw new LanceFormatError('BAD_ENCODING', `FastLanes word size must be 8, 16, 32 or 64 bits, got ${t}`);
  }
  if (!Number.isInteger(bitWidth) || bitWidth < 0 || bitWidth > t) {
    throw new LanceFormatError('BAD_ENCODING', `FastLanes bit width ${bitWidth} is outside 0..${t}`);
  }
}

/** A typed view of `bytes` with T-bit words, copying only when the bytes are misaligned. */
function wordView(t: 8 | 16 | 32, bytes: Uint8Array): Uint8Array | Uint16Array | Uint32Array {
  const size = t >> 3;
  if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
  const n = Math.floor(bytes.byteLength / size);
  if (t === 8) return bytes;
  if (t === 16) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint32Array(bytes.buffer, bytes.byteOffset, n);
}

function u32View(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

/**
 * Unpacks one 1024-value block. `packed` must hold at least 128 × bitWidth bytes; `out` receives
 * 1024 little-endian T-bit values (1024 × T / 8 bytes) written at `outOffset` (a byte offset).
 */
export function fastlanesUnpack(t: WordBits, bitWidth: number, packed: Uint8Array, out: Uint8Array, outOffset = 0): void {
  checkWidth(t, bitWidth);
  const need = packedBlockBytes(bitWidth);
  if (packed.byteLength < need) {
    throw new LanceFormatError('TRUNCATED_DATA', `FastLanes block of bit width ${bitWidth} needs ${need} bytes, got ${packed.byteLength}`);
  }
  const outBytes = (FASTLANES_BLOCK * t) >> 3;
  if (out.byteLength - outOffset < outBytes) {
    throw new RangeError(`FastLanes output needs ${outBytes} bytes at offset ${outOffset}`);
  }
  const dst = out.subarray(outOffset, outOffset + outBytes);
  if (bitWidth === 0) {
    dst.fill(0);
    return;
  }
  if (t === 64) {
    unpack64(bitWidth, u32View(packed.subarray(0, need)), u32View(dst));
    return;
  }
  const src = wordView(t, packed.subarray(0, need));
  const o = wordView(t, dst);
  const lanes = FASTLANES_BLOCK / t;
  const base = ROW_BASE[t];
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  // Row-major so every inner loop walks lanes contiguously in both input and output.
  let w = 0;
  let shift = 0;
  for (let row = 0; row < t; row++) {
    const dstAt = base[row]!;
    const at = lanes * w;
    if (shift + bitWidth > t) {
      const next = at + lanes;
      const up = t - shift;
      for (let lane = 0; lane < lanes; lane++) o[dstAt + lane] = ((src[at + lane]! >>> shift) | (src[next + lane]! << up)) & mask;
    } else {
      for (let lane = 0; lane < lanes; lane++) o[dstAt + lane] = (src[at + lane]! >>> shift) & mask;
    }
    shift += bitWidth;
    if (shift >= t) {
      shift -= t;
      w++;
    }
  }
}

// T = 64: each packed 64-bit word is two u32 halves (lo, hi), so the lane's bit stream is a run of
// u32 "sub-words": sub-word s sits at u32 index 2 × (LANES × (s >> 1) + lane) + (s & 1).
function unpack64(bw: number, src: Uint32Array, out: Uint32Array): void {
  const base = ROW_BASE[64];
  const subWords = 2 * bw;
  const loBits = bw >= 32 ? 32 : bw;
  const hiBits = bw - loBits;
  const loMask = loBits === 32 ? 0xffffffff : (1 << loBits) - 1;
  const hiMask = hiBits === 32 ? 0xffffffff : (1 << hiBits) - 1;
  for (let row = 0, bit = 0; row < 64; row++, bit += bw) {
    const dstAt = base[row]! << 1;
    for (let lane = 0; lane < 16; lane++) {
      const idx = dstAt + (lane << 1);
      out[idx] = (read32(src, lane, subWords, bit) & loMask) >>> 0;
      out[idx + 1] = hiBits > 0 ? (read32(src, lane, subWords, bit + 32) & hiMask) >>> 0 : 0;
    }
  }
}

function read32(src: Uint32Array, lane: number, subWords: number, bit: number): number {
  const s = bit >>> 5;
  const sh = bit & 31;
  let v = src[(((s >>> 1) << 4) + lane) * 2 + (s & 1)]! >>> sh;
  if (sh !== 0 && s + 1 < subWords) {
    const s1 = s + 1;
    v |= src[(((s1 >>> 1) << 4) + lane) * 2 + (s1 & 1)]! << (32 - sh);
  }
  return v;
}

/**
 * Packs one block of 1024 little-endian T-bit values (`values`, 1024 × T / 8 bytes) keeping the
 * low `bitWidth` bits of each; returns 128 × bitWidth bytes.
 */
export function fastlanesPack(t: WordBits, bitWidth: number, values: Uint8Array): Uint8Array {
  checkWidth(t, bitWidth);
  const inBytes = (FASTLANES_BLOCK * t) >> 3;
  if (values.byteLength < inBytes) throw new RangeError(`FastLanes pack needs ${inBytes} input bytes, got ${values.byteLength}`);
  const out = new Uint8Array(packedBlockBytes(bitWidth));
  if (bitWidth === 0) return out;
  const base = ROW_BASE[t];
  if (t === 64) {
    const src = u32View(values.subarray(0, inBytes));
    const dst = new Uint32Array(out.buffer);
    const subWords = 2 * bitWidth;
    const loBits = bitWidth >= 32 ? 32 : bitWidth;
    const hiBits = bitWidth - loBits;
    const loMask = loBits === 32 ? 0xffffffff : (1 << loBits) - 1;
    const hiMask = hiBits === 32 ? 0xffffffff : (1 << hiBits) - 1;
    for (let lane = 0; lane < 16; lane++) {
      let bit = 0;
      for (let row = 0; row < 64; row++, bit += bitWidth) {
        const idx = (base[row]! + lane) << 1;
        write32(dst, lane, subWords, bit, src[idx]! & loMask, loBits);
        if (hiBits > 0) write32(dst, lane, subWords, bit + 32, src[idx + 1]! & hiMask, hiBits);
      }
    }
    return out;
  }
  const src = wordView(t, values.subarray(0, inBytes));
  const dst = wordView(t, out);
  const lanes = FASTLANES_BLOCK / t;
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  for (let lane = 0; lane < lanes; lane++) {
    let bit = 0;
    for (let row = 0; row < t; row++, bit += bitWidth) {
      const v = (src[base[row]! + lane]! & mask) >>> 0;
      const w = (bit / t) | 0;
      const shift = bit - w * t;
      dst[lanes * w + lane] |= v << shift;
      if (shift + bitWidth > t) dst[lanes * (w + 1) + lane] |= v >>> (t - shift);
    }
  }
  return out;
}

function write32(dst: Uint32Array, lane: number, subWords: number, bit: number, v: number, bits: number): void {
  const s = bit >>> 5;
  const sh = bit & 31;
  dst[(((s >>> 1) << 4) + lane) * 2 + (s & 1)] |= v << sh;
  if (sh !== 0 && sh + bits > 32 && s + 1 < subWords) {
    const s1 = s + 1;
    dst[(((s1 >>> 1) << 4) + lane) * 2 + (s1 & 1)] |= v >>> (32 - sh);
  }
}
