// Dictionary pages for Arrow dictionary columns. Lance 12 decodes a `dict:` column only from a
// mini-block page that carries a dictionary (page buffer 2, block-encoded items) and per-value
// indices of the column's index width; a plain value page makes it fail. Items are the distinct
// values of the page in first-seen order.
import { InvalidInputError } from '../../../errors.js';
import type { PageValues } from './page-input.js';
import { flat, variable, type EncodedPage } from './encode-page.js';
import { distinctValues, fixedOffsets } from './distinct.js';

export interface DictionaryParts {
  indices: PageValues;
  items: Uint8Array;
  numItems: number;
  itemsEncoding: ReturnType<typeof flat>;
}

/** Splits page values into indices (`indexBits` wide) and the block-encoded distinct items. */
export function dictionaryParts(v: PageValues, indexBits: number): DictionaryParts {
  let offsets: Float64Array;
  if (v.kind === 'variable') offsets = v.offsets;
  else if (v.kind === 'fixed' && v.bits % 8 === 0) offsets = fixedOffsets(v.data.length / (v.bits / 8), v.bits / 8);
  else throw new InvalidInputError('UNSUPPORTED_TYPE', `dictionary columns of ${v.kind} values are not supported`);
  const n = offsets.length - 1;
  const { ids, firsts } = distinctValues(v.data, offsets)!;
  const keys = firsts.map((i) => v.data.subarray(offsets[i]!, offsets[i + 1]!));
  const idx = new Uint8Array(n * (indexBits / 8));
  const dv = new DataView(idx.buffer);
  for (let i = 0; i < n; i++) {
    const at = ids[i]!;
    if (indexBits === 8) dv.setUint8(i, at);
    else if (indexBits === 16) dv.setUint16(i * 2, at, true);
    else if (indexBits === 32) dv.setUint32(i * 4, at, true);
    else dv.setBigUint64(i * 8, BigInt(at), true);
  }
  if (indexBits < 32 && keys.length > 2 ** (indexBits - 1)) {
    throw new InvalidInputError('BAD_DICTIONARY', `a page holds ${keys.length} distinct values, more than ${indexBits}-bit dictionary indices address`);
  }
  const bytes = keys;
  if (v.kind === 'variable') {
    // Block form: u32 32, u32 start of the bytes, n + 1 u32 offsets (relative to the bytes), bytes.
    const start = 8 + (bytes.length + 1) * 4;
    const total = bytes.reduce((a, b) => a + b.length, 0);
    const items = new Uint8Array(start + total);
    const iv = new DataView(items.buffer);
    iv.setUint32(0, 32, true);
    iv.setUint32(4, start, true);
    let o = 0;
    bytes.forEach((b, k) => {
      iv.setUint32(8 + k * 4, o, true);
      items.set(b, start + o);
      o += b.length;
    });
    iv.setUint32(8 + bytes.length * 4, o, true);
    return { indices: { kind: 'fixed', bits: indexBits, data: idx }, items, numItems: keys.length, itemsEncoding: variable(32) };
  }
  const items = new Uint8Array(bytes.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of bytes) {
    items.set(b, o);
    o += b.length;
  }
  return { indices: { kind: 'fixed', bits: indexBits, data: idx }, items, numItems: keys.length, itemsEncoding: flat((v as { bits: number }).bits) };
}

/** Adds the dictionary to an encoded mini-block page of indices (buffer 2, before any repetition index). */
export function attachDictionary(page: EncodedPage, parts: DictionaryParts): EncodedPage {
  const l = page.layout.layout;
  if (l.case !== 'miniBlockLayout') return page;
  l.value.dictionary = parts.itemsEncoding;
  l.value.numDictionaryItems = BigInt(parts.numItems);
  const buffers = [...page.buffers.slice(0, 2), parts.items, ...page.buffers.slice(2)];
  return { buffers, layout: page.layout };
}
