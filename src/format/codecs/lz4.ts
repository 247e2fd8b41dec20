// LZ4 *block* format (not the frame format): sequences of
//   token (hi nibble literal length, lo nibble match length − 4), literal-length extension bytes,
//   literals, u16 LE match offset, match-length extension bytes;
// the last sequence has literals only. Lance prefixes the block with a u32 LE uncompressed size
// (that prefix is handled by the registry, not here).
import { LanceFormatError } from '../../errors.js';

/**
 * Decompresses one raw LZ4 block. `uncompressedLength` must be known (Lance stores it); the
 * output must come out exactly that long.
 */
export function lz4DecompressBlock(src: Uint8Array, uncompressedLength: number): Uint8Array {
  const out = new Uint8Array(uncompressedLength);
  let ip = 0;
  let op = 0;
  const end = src.byteLength;
  while (ip < end) {
    const token = src[ip++]!;
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= end) throw truncated(ip);
        b = src[ip++]!;
        litLen += b;
      } while (b === 255);
    }
    if (ip + litLen > end || op + litLen > uncompressedLength) throw overflow('literals', ip, op + litLen, uncompressedLength);
    out.set(src.subarray(ip, ip + litLen), op);
    ip += litLen;
    op += litLen;
    if (ip >= end) break; // last sequence: literals only
    if (ip + 2 > end) throw truncated(ip);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) {
      throw new LanceFormatError('BAD_COMPRESSED_DATA', `LZ4 match offset ${offset} points before the start of the output (at output byte ${op})`);
    }
    let matchLen = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= end) throw truncated(ip);
        b = src[ip++]!;
        matchLen += b;
      } while (b === 255);
    }
    if (op + matchLen > uncompressedLength) throw overflow('match', ip, op + matchLen, uncompressedLength);
    let from = op - offset;
    if (offset >= matchLen) {
      out.copyWithin(op, from, from + matchLen);
      op += matchLen;
    } else {
      // Overlapping match: the copy must see bytes it has just written.
      for (let k = 0; k < matchLen; k++) out[op++] = out[from++]!;
    }
  }
  if (op !== uncompressedLength) {
    throw new LanceFormatError('BAD_COMPRESSED_DATA', `LZ4 block decoded to ${op} bytes, expected ${uncompressedLength}`);
  }
  return out;
}

function truncated(ip: number): LanceFormatError {
  return new LanceFormatError('BAD_COMPRESSED_DATA', `LZ4 block ends inside a sequence at input byte ${ip}`);
}

function overflow(what: string, ip: number, reach: number, limit: number): LanceFormatError {
  return new LanceFormatError('BAD_COMPRESSED_DATA', `LZ4 ${what} at input byte ${ip} would write up to byte ${reach} of a ${limit}-byte output`);
}

const MIN_MATCH = 4;
const HASH_BITS = 14;

/**
 * A simple greedy LZ4 block compressor (hash of 4-byte prefixes, one candidate per bucket). It
 * follows the format's end-of-block rules (last 5 bytes literal, no match starting in the last
 * 12 bytes) so standard decoders accept it.
 */
export function lz4CompressBlock(src: Uint8Array): Uint8Array {
  const n = src.byteLength;
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  let op = 0;
  let anchor = 0;
  let ip = 0;
  const matchLimit = n - 12;
  const read32 = (p: number): number => (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
  const hash = (v: number): number => Math.imul(v, 2654435761) >>> (32 - HASH_BITS);
  while (ip < matchLimit) {
    const v = read32(ip);
    const h = hash(v);
    const cand = table[h]!;
    table[h] = ip;
    if (cand < 0 || ip - cand > 65535 || read32(cand) !== v) {
      ip++;
      continue;
    }
    let len = MIN_MATCH;
    while (ip + len < n - 5 && src[cand + len] === src[ip + len]) len++;
    op = writeSequence(out, op, src, anchor, ip - anchor, ip - cand, len);
    ip += len;
    anchor = ip;
  }
  op = writeSequence(out, op, src, anchor, n - anchor, 0, 0);
  return out.slice(0, op);
}

function writeSequence(out: Uint8Array, op: number, src: Uint8Array, litStart: number, litLen: number, offset: number, matchLen: number): number {
  const tokenPos = op++;
  let token = (litLen >= 15 ? 15 : litLen) << 4;
  if (litLen >= 15) op = writeLength(out, op, litLen - 15);
  out.set(src.subarray(litStart, litStart + litLen), op);
  op += litLen;
  if (matchLen > 0) {
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    const m = matchLen - MIN_MATCH;
    token |= m >= 15 ? 15 : m;
    if (m >= 15) op = writeLength(out, op, m - 15);
  }
  out[tokenPos] = token;
  return op;
}

function writeLength(out: Uint8Array, op: number, rest: number): number {
  while (rest >= 255) {
    out[op++] = 255;
    rest -= 255;
  }
  out[op++] = rest;
  return op;
}
