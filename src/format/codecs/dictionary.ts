// Dictionary pages: mini-block chunks hold u8/u16/u32/u64 indices, the page's dictionary buffer
// holds the items (block-encoded). Mapping indices to items is the same for fixed and variable
// items, so the page decoder can hand both here.
import { LanceFormatError } from '../../errors.js';

export interface FixedItems {
  kind: 'fixed';
  numValues: number;
  bitsPerValue: number;
  data: Uint8Array;
}
export interface VariableItems {
  kind: 'variable';
  numValues: number;
  offsets: Uint32Array | BigUint64Array;
  data: Uint8Array;
}

/** Reads `count` little-endian indices of `bytesPerIndex` bytes. */
export function readIndices(data: Uint8Array, bytesPerIndex: number, count: number): Uint32Array {
  if (data.byteLength < count * bytesPerIndex) {
    throw new LanceFormatError('TRUNCATED_DATA', `dictionary index buffer of ${data.byteLength} bytes is short of ${count} × ${bytesPerIndex} bytes`);
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    switch (bytesPerIndex) {
      case 1:
        out[i] = data[i]!;
        break;
      case 2:
        out[i] = dv.getUint16(i * 2, true);
        break;
      case 4:
        out[i] = dv.getUint32(i * 4, true);
        break;
      case 8: {
        const hi = dv.getUint32(i * 8 + 4, true);
        out[i] = hi === 0 ? dv.getUint32(i * 8, true) : 0xffffffff; // out of range, caught below
        break;
      }
      default:
        throw new LanceFormatError('BAD_ENCODING', `dictionary indices of ${bytesPerIndex} bytes are not supported`);
    }
  }
  return out;
}

/**
 * Replaces each index by its item. Indices ≥ the item count are only legal for null slots, whose
 * content is irrelevant; they are mapped to an empty/zero value instead of failing, and
 * `strict` turns that into an error for callers that know there are no nulls.
 */
export function applyDictionary<I extends FixedItems | VariableItems>(indices: Uint32Array, items: I, strict = false): I {
  const n = indices.length;
  const count = items.numValues;
  const check = (i: number, idx: number): boolean => {
    if (idx < count) return true;
    if (strict) throw new LanceFormatError('BAD_ENCODING', `dictionary index ${idx} at value ${i} is beyond the ${count} dictionary items`);
    return false;
  };
  if (items.kind === 'fixed') {
    if (items.bitsPerValue % 8 !== 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', `dictionary of ${items.bitsPerValue}-bit items`);
    const w = items.bitsPerValue / 8;
    const out = new Uint8Array(n * w);
    for (let i = 0; i < n; i++) {
      const idx = indices[i]!;
      if (check(i, idx)) out.set(items.data.subarray(idx * w, idx * w + w), i * w);
    }
    return { kind: 'fixed', numValues: n, bitsPerValue: items.bitsPerValue, data: out } as I;
  }
  const src = items.offsets;
  const start = (k: number): number => Number(src[k]!);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const idx = indices[i]!;
    if (check(i, idx)) total += start(idx + 1) - start(idx);
  }
  const data = new Uint8Array(total);
  const wide = src instanceof BigUint64Array;
  const offsets = wide ? new BigUint64Array(n + 1) : new Uint32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const idx = indices[i]!;
    if (idx < count) {
      const a = start(idx);
      const b = start(idx + 1);
      data.set(items.data.subarray(a, b), o);
      o += b - a;
    }
    if (wide) (offsets as BigUint64Array)[i + 1] = BigInt(o);
    else (offsets as Uint32Array)[i + 1] = o;
  }
  return { kind: 'variable', numValues: n, offsets, data } as I;
}
