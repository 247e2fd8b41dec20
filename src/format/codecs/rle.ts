// Run-length encoding as Lance 2.2 writes it: values in their native width, run lengths as u8
// (runs longer than 255 are split). Two framings:
//   mini-block: the chunk's two value buffers are the run values and the run lengths;
//   block (definition levels, constant layouts): `u64 values_size | values | run lengths`.
import { LanceFormatError } from '../../errors.js';

/**
 * Expands runs into `numValues` values of `bytesPerValue` bytes each. Lance's decoder stops at
 * `numValues` even if the runs cover more, so we do too; covering fewer is corruption.
 */
export function decodeRle(values: Uint8Array, runLengths: Uint8Array, bytesPerValue: number, numValues: number): Uint8Array {
  const out = new Uint8Array(numValues * bytesPerValue);
  if (numValues === 0) return out;
  if (values.byteLength % bytesPerValue !== 0) {
    throw new LanceFormatError('BAD_ENCODING', `RLE values buffer of ${values.byteLength} bytes is not a multiple of ${bytesPerValue}-byte values`);
  }
  const runs = values.byteLength / bytesPerValue;
  if (runs !== runLengths.byteLength) {
    throw new LanceFormatError('BAD_ENCODING', `RLE has ${runs} run values but ${runLengths.byteLength} run lengths`);
  }
  let pos = 0; // in values
  if (bytesPerValue === 1) {
    for (let r = 0; r < runs && pos < numValues; r++) {
      const end = Math.min(numValues, pos + runLengths[r]!);
      out.fill(values[r]!, pos, end);
      pos = end;
    }
  } else {
    for (let r = 0; r < runs && pos < numValues; r++) {
      const n = Math.min(numValues - pos, runLengths[r]!);
      if (n === 0) continue;
      const start = pos * bytesPerValue;
      out.set(values.subarray(r * bytesPerValue, (r + 1) * bytesPerValue), start);
      // Doubling copies keep this O(log n) calls per run instead of one per value.
      let filled = bytesPerValue;
      const total = n * bytesPerValue;
      while (filled < total) {
        const step = Math.min(filled, total - filled);
        out.copyWithin(start + filled, start, start + step);
        filled += step;
      }
      pos += n;
    }
  }
  if (pos < numValues) {
    throw new LanceFormatError('BAD_ENCODING', `RLE runs cover ${pos} values but ${numValues} were expected`);
  }
  return out;
}

/** Decodes the block form `u64 values_size | values | run lengths`. */
export function decodeRleBlock(buf: Uint8Array, bytesPerValue: number, numValues: number): Uint8Array {
  if (buf.byteLength < 8) {
    if (numValues === 0) return new Uint8Array(0);
    throw new LanceFormatError('TRUNCATED_DATA', `RLE block of ${buf.byteLength} bytes has no u64 values-size header`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const valuesSize = Number(dv.getBigUint64(0, true));
  if (8 + valuesSize > buf.byteLength) {
    throw new LanceFormatError('TRUNCATED_DATA', `RLE block declares ${valuesSize} value bytes but only ${buf.byteLength - 8} follow the header`);
  }
  return decodeRle(buf.subarray(8, 8 + valuesSize), buf.subarray(8 + valuesSize), bytesPerValue, numValues);
}

export interface RleBuffers {
  values: Uint8Array;
  runLengths: Uint8Array;
}

/** Run-length encodes `numValues` values of `bytesPerValue` bytes (runs split at 255). */
export function encodeRle(data: Uint8Array, bytesPerValue: number, numValues: number): RleBuffers {
  const values: number[] = [];
  const lengths: number[] = [];
  let i = 0;
  while (i < numValues) {
    let j = i + 1;
    while (j < numValues && j - i < 255 && sameValue(data, i, j, bytesPerValue)) j++;
    for (let b = 0; b < bytesPerValue; b++) values.push(data[i * bytesPerValue + b]!);
    lengths.push(j - i);
    i = j;
  }
  return { values: Uint8Array.from(values), runLengths: Uint8Array.from(lengths) };
}

function sameValue(data: Uint8Array, a: number, b: number, width: number): boolean {
  for (let k = 0; k < width; k++) if (data[a * width + k] !== data[b * width + k]) return false;
  return true;
}

/** Block form of `encodeRle`. */
export function encodeRleBlock(data: Uint8Array, bytesPerValue: number, numValues: number): Uint8Array {
  const { values, runLengths } = encodeRle(data, bytesPerValue, numValues);
  const out = new Uint8Array(8 + values.byteLength + runLengths.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(values.byteLength), true);
  out.set(values, 8);
  out.set(runLengths, 8 + values.byteLength);
  return out;
}
