// ByteStreamSplit: byte k of every value is stored in plane k (planes back to back per chunk).
// Only written when a column opts in (`lance-encoding:compression`), but cheap to read.
import { LanceFormatError } from '../../errors.js';

export function decodeByteStreamSplit(buf: Uint8Array, bytesPerValue: number, numValues: number): Uint8Array {
  const need = bytesPerValue * numValues;
  if (buf.byteLength < need) {
    throw new LanceFormatError('TRUNCATED_DATA', `ByteStreamSplit buffer of ${buf.byteLength} bytes is short of ${numValues} × ${bytesPerValue} bytes`);
  }
  const out = new Uint8Array(need);
  for (let k = 0; k < bytesPerValue; k++) {
    const plane = k * numValues;
    for (let i = 0, o = k; i < numValues; i++, o += bytesPerValue) out[o] = buf[plane + i]!;
  }
  return out;
}

export function encodeByteStreamSplit(values: Uint8Array, bytesPerValue: number, numValues: number): Uint8Array {
  const out = new Uint8Array(bytesPerValue * numValues);
  for (let k = 0; k < bytesPerValue; k++) {
    for (let i = 0; i < numValues; i++) out[k * numValues + i] = values[i * bytesPerValue + k]!;
  }
  return out;
}
