// Lance's two bit-packing compressions, both built on FastLanes 1024-value blocks.
//
// InlineBitpacking (mini-block values): a chunk holds ≤ 1024 values as one T-bit word with the
// bit width followed by one full packed block; short chunks are zero-padded to 1024 slots before
// packing, so the block is always complete and we just truncate after unpacking.
//
// OutOfLineBitpacking (levels, large blocks): the bit width is in the encoding; whole blocks are
// back to back and the tail (< 1024 values) is either one more zero-padded block or the raw T-bit
// values — Lance picks whichever is smaller and the reader tells them apart by buffer length.
import { LanceFormatError } from '../../errors.js';
import { FASTLANES_BLOCK, fastlanesPack, fastlanesUnpack, packedBlockBytes, type WordBits } from './fastlanes.js';

function readWidthWord(chunk: Uint8Array, t: WordBits): number {
  const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  switch (t) {
    case 8:
      return dv.getUint8(0);
    case 16:
      return dv.getUint16(0, true);
    case 32:
      return dv.getUint32(0, true);
    case 64: {
      // Only the low word can matter (widths ≤ 64); a non-zero high word means corruption.
      if (dv.getUint32(4, true) !== 0) return Number.MAX_SAFE_INTEGER;
      return dv.getUint32(0, true);
    }
  }
}

/**
 * Decodes one InlineBitpacking mini-block chunk into `numValues` (≤ 1024) little-endian T-bit
 * values. Bytes after the packed block (chunk padding) are ignored.
 */
export function decodeInlineBitpacking(chunk: Uint8Array, t: WordBits, numValues: number): Uint8Array {
  const wordBytes = t >> 3;
  if (numValues > FASTLANES_BLOCK) {
    throw new LanceFormatError('BAD_ENCODING', `InlineBitpacking chunk claims ${numValues} values; at most ${FASTLANES_BLOCK} fit in one chunk`);
  }
  if (numValues === 0) return new Uint8Array(0);
  if (chunk.byteLength < wordBytes) {
    throw new LanceFormatError('TRUNCATED_DATA', `InlineBitpacking chunk of ${chunk.byteLength} bytes is shorter than its ${wordBytes}-byte bit-width header`);
  }
  const bitWidth = readWidthWord(chunk, t);
  if (bitWidth > t) {
    throw new LanceFormatError('BAD_ENCODING', `InlineBitpacking chunk has bit width ${bitWidth} for ${t}-bit values`);
  }
  const packed = chunk.subarray(wordBytes);
  const full = new Uint8Array(FASTLANES_BLOCK * wordBytes);
  fastlanesUnpack(t, bitWidth, packed, full);
  return numValues === FASTLANES_BLOCK ? full : full.subarray(0, numValues * wordBytes);
}

/**
 * Decodes InlineBitpacking used as a *block* compressor: Lance's block encoder emits the same
 * chunks back to back (width word + full block per 1024 values), so we walk them in turn.
 */
export function decodeInlineBitpackingBlock(buf: Uint8Array, t: WordBits, numValues: number): Uint8Array {
  const wordBytes = t >> 3;
  const out = new Uint8Array(numValues * wordBytes);
  let pos = 0;
  for (let done = 0; done < numValues; done += FASTLANES_BLOCK) {
    const n = Math.min(FASTLANES_BLOCK, numValues - done);
    const chunk = buf.subarray(pos);
    const values = decodeInlineBitpacking(chunk, t, n);
    out.set(values, done * wordBytes);
    pos += wordBytes + packedBlockBytes(readWidthWord(chunk, t));
  }
  return out;
}

/** Smallest bit width holding every value of `values` (little-endian T-bit words). */
export function maxBitWidth(values: Uint8Array, t: WordBits, numValues: number): number {
  let acc = 0;
  let accHi = 0;
  if (t === 64) {
    const dv = new DataView(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < numValues; i++) {
      acc |= dv.getUint32(i * 8, true);
      accHi |= dv.getUint32(i * 8 + 4, true);
    }
    return accHi !== 0 ? 64 - Math.clz32(accHi) : 32 - Math.clz32(acc);
  }
  const wordBytes = t >> 3;
  const dv = new DataView(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < numValues; i++) {
    acc |= wordBytes === 1 ? dv.getUint8(i) : wordBytes === 2 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true);
  }
  return 32 - Math.clz32(acc);
}

/** Encodes ≤ 1024 values as one InlineBitpacking chunk (width word + padded block), like Lance. */
export function encodeInlineBitpacking(values: Uint8Array, t: WordBits, numValues: number, bitWidth?: number): Uint8Array {
  const wordBytes = t >> 3;
  if (numValues > FASTLANES_BLOCK) throw new RangeError(`an InlineBitpacking chunk holds at most ${FASTLANES_BLOCK} values`);
  const bw = bitWidth ?? maxBitWidth(values, t, numValues);
  const block = new Uint8Array(FASTLANES_BLOCK * wordBytes);
  block.set(values.subarray(0, numValues * wordBytes));
  const packed = fastlanesPack(t, bw, block);
  const out = new Uint8Array(wordBytes + packed.byteLength);
  out[0] = bw; // width ≤ 64 fits the low byte of any T word
  out.set(packed, wordBytes);
  return out;
}

/**
 * Decodes an OutOfLineBitpacking buffer of `numValues` T-bit values packed at `bitWidth` bits.
 * The tail layout is inferred from the length exactly as Lance does: raw when the buffer is
 * `fullBlocks × blockBytes + tail × T/8` long, otherwise one more zero-padded packed block.
 */
export function decodeOutOfLineBitpacking(buf: Uint8Array, t: WordBits, bitWidth: number, numValues: number): Uint8Array {
  const wordBytes = t >> 3;
  if (bitWidth > t) {
    throw new LanceFormatError('BAD_ENCODING', `OutOfLineBitpacking bit width ${bitWidth} exceeds the ${t}-bit value width`);
  }
  const blockBytes = packedBlockBytes(bitWidth);
  const fullBlocks = Math.floor(numValues / FASTLANES_BLOCK);
  const tail = numValues - fullBlocks * FASTLANES_BLOCK;
  const fullBytes = fullBlocks * blockBytes;
  const tailIsRaw = tail > 0 && buf.byteLength === fullBytes + tail * wordBytes;
  const needed = fullBytes + (tail === 0 ? 0 : tailIsRaw ? tail * wordBytes : blockBytes);
  if (buf.byteLength < needed) {
    throw new LanceFormatError(
      'TRUNCATED_DATA',
      `OutOfLineBitpacking buffer of ${buf.byteLength} bytes is too short for ${numValues} values at ${bitWidth} bits (need ${needed})`,
    );
  }
  const blockOut = FASTLANES_BLOCK * wordBytes;
  // Room for a whole padded tail block, trimmed on return.
  const out = new Uint8Array((fullBlocks + (tail > 0 ? 1 : 0)) * blockOut);
  for (let b = 0; b < fullBlocks; b++) {
    fastlanesUnpack(t, bitWidth, buf.subarray(b * blockBytes, (b + 1) * blockBytes), out, b * blockOut);
  }
  if (tail > 0) {
    if (tailIsRaw) out.set(buf.subarray(fullBytes, fullBytes + tail * wordBytes), fullBlocks * blockOut);
    else fastlanesUnpack(t, bitWidth, buf.subarray(fullBytes, fullBytes + blockBytes), out, fullBlocks * blockOut);
  }
  return out.subarray(0, numValues * wordBytes);
}

/**
 * Encodes `numValues` T-bit values at `bitWidth` bits. `tail` 'auto' follows Lance's rule (pack
 * the padded tail only when the padding costs less than packing saves); tests force either form.
 */
export function encodeOutOfLineBitpacking(
  values: Uint8Array,
  t: WordBits,
  bitWidth: number,
  numValues: number,
  tail: 'auto' | 'packed' | 'raw' = 'auto',
): Uint8Array {
  const wordBytes = t >> 3;
  const blockOut = FASTLANES_BLOCK * wordBytes;
  const fullBlocks = Math.floor(numValues / FASTLANES_BLOCK);
  const rest = numValues - fullBlocks * FASTLANES_BLOCK;
  const parts: Uint8Array[] = [];
  for (let b = 0; b < fullBlocks; b++) parts.push(fastlanesPack(t, bitWidth, values.subarray(b * blockOut, (b + 1) * blockOut)));
  if (rest > 0) {
    const packTail = tail === 'packed' || (tail === 'auto' && bitWidth * (FASTLANES_BLOCK - rest) < (t - bitWidth) * rest);
    const tailBytes = values.subarray(fullBlocks * blockOut, fullBlocks * blockOut + rest * wordBytes);
    if (packTail) {
      const padded = new Uint8Array(blockOut);
      padded.set(tailBytes);
      parts.push(fastlanesPack(t, bitWidth, padded));
    } else {
      parts.push(tailBytes.slice());
    }
  }
  let len = 0;
  for (const p of parts) len += p.byteLength;
  const out = new Uint8Array(len);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.byteLength;
  }
  return out;
}
