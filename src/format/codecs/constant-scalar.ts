// The single value of a ConstantLayout page whose values are variable-width (observed on Lance 12:
// every string in the page equal, no inline_value). Page buffer 0 then holds a 1-row Arrow array:
//   u32 buffer count (2) | u32 size of each buffer | offsets buffer (2 × i32, or 2 × i64 for large
//   types) | value bytes
// followed in the page by the optional rep/def level buffers.
import { LanceFormatError } from '../../errors.js';

export function decodeConstantScalar(buf: Uint8Array): Uint8Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 4) throw new LanceFormatError('TRUNCATED_DATA', `constant scalar buffer of ${buf.byteLength} bytes has no header`);
  const count = dv.getUint32(0, true);
  if (count !== 2 || buf.byteLength < 12) {
    throw new LanceFormatError('UNSUPPORTED_ENCODING', `constant scalar with ${count} buffers (expected offsets + bytes)`);
  }
  const offSize = dv.getUint32(4, true);
  const dataSize = dv.getUint32(8, true);
  if ((offSize !== 8 && offSize !== 16) || 12 + offSize + dataSize > buf.byteLength) {
    throw new LanceFormatError('BAD_ENCODING', `constant scalar buffers (${offSize} + ${dataSize} bytes) do not fit in ${buf.byteLength} bytes`);
  }
  const a = offSize === 8 ? dv.getInt32(12, true) : Number(dv.getBigInt64(12, true));
  const b = offSize === 8 ? dv.getInt32(16, true) : Number(dv.getBigInt64(20, true));
  if (a < 0 || b < a || b > dataSize) throw new LanceFormatError('BAD_ENCODING', `constant scalar offsets [${a}, ${b}) outside its ${dataSize} value bytes`);
  return buf.subarray(12 + offSize + a, 12 + offSize + b);
}

/** Builds the buffer `decodeConstantScalar` reads (tests, writers). */
export function encodeConstantScalar(value: Uint8Array, large = false): Uint8Array {
  const offSize = large ? 16 : 8;
  const out = new Uint8Array(12 + offSize + value.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 2, true);
  dv.setUint32(4, offSize, true);
  dv.setUint32(8, value.byteLength, true);
  if (large) dv.setBigInt64(20, BigInt(value.byteLength), true);
  else dv.setInt32(16, value.byteLength, true);
  out.set(value, 12 + offSize);
  return out;
}
