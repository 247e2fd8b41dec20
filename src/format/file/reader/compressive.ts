// The compressive-encoding dispatcher: turns the bytes a CompressiveEncoding describes into
// "decoded values" in each of the three contexts a 2.1/2.2 page can use it in.
//
// CONTRACT (codecs plug in here; keep every case pure and allocation-light):
//   decodeMiniBlockValues(enc, buffers, numValues, where)
//       one mini-block chunk: `buffers` are the chunk's value buffers (MiniBlockLayout.num_buffers
//       of them, unpadded, rep/def already removed); `numValues` is the chunk's value count.
//   decodeBlockValues(enc, data, numValues, where)
//       one self-contained block: def/rep level buffers, ConstantLayout levels, dictionaries.
//   decodeFullZipValues(enc, raw, where)
//       full-zip pages: the page decoder has already unzipped control words and lengths, so `raw`
//       is `fixed` (bits_per_value) or `variable` (one entry per *valid* value, bits_per_offset);
//       this maps each per-value payload to its logical form (FSL, packed structs, General...).
//   Output (DecodedValues):
//     fixed     LSB-first bit-packed when bitsPerValue % 8 != 0 (bool), little-endian otherwise
//     variable  offsets (numValues + 1, into `data`) as Uint32Array or BigUint64Array
//     fsl       `items` holds numValues * dimension items; `validity` an LSB-first item bitmap
//     struct    one DecodedValues per child (PackedStruct / VariablePackedStruct)
//     constant  every value equals `value` (absent = all null)
//   Errors: LanceFormatError('UNSUPPORTED_ENCODING' | 'BAD_PAGE', ..., where). Never return
//   short buffers: validate sizes against numValues before handing data on.
import { LanceFormatError } from '../../../errors.js';
import type { CompressiveEncoding } from '../../proto/encodings_v2_1_pb.js';
import { copyBits } from '../bits.js';
import * as codecs from '../../codecs/adapters.js';

export interface FixedValues {
  kind: 'fixed';
  numValues: number;
  bitsPerValue: number;
  data: Uint8Array;
}
export interface VariableValues {
  kind: 'variable';
  numValues: number;
  offsets: Uint32Array | BigUint64Array;
  data: Uint8Array;
}
export interface FslValues {
  kind: 'fsl';
  numValues: number;
  dimension: number;
  validity?: Uint8Array;
  items: DecodedValues;
}
export interface StructValues {
  kind: 'struct';
  numValues: number;
  fields: DecodedValues[];
}
export interface ConstantValues {
  kind: 'constant';
  numValues: number;
  value?: Uint8Array;
}
export type DecodedValues = FixedValues | VariableValues | FslValues | StructValues | ConstantValues;

export type Where = { path: string; offset: number };

function bad(where: Where, msg: string): LanceFormatError {
  return new LanceFormatError('BAD_PAGE', msg, where);
}

function unsupported(where: Where, what: string): LanceFormatError {
  return new LanceFormatError('UNSUPPORTED_ENCODING', `compressive encoding "${what}" is not supported by lancet yet`, where);
}

const MAX_BITS = 1 << 20;

function flatBits(bits: bigint, where: Where): number {
  if (bits < 1n || bits > BigInt(MAX_BITS)) throw bad(where, `Flat bits_per_value ${bits} out of range`);
  return Number(bits);
}

function fixedFrom(data: Uint8Array, numValues: number, bits: number, where: Where): FixedValues {
  const need = Math.ceil((numValues * bits) / 8);
  if (data.length < need) throw bad(where, `buffer holds ${data.length} bytes, ${numValues} values of ${bits} bits need ${need}`);
  return { kind: 'fixed', numValues, bitsPerValue: bits, data: data.subarray(0, need) };
}

/** Reads n+1 offsets of `width` bytes at `start` of `buf` and checks they are monotonic and end within `limit`. */
export function readOffsets(buf: Uint8Array, start: number, n: number, width: 4 | 8, limit: number, where: Where): Uint32Array | BigUint64Array {
  if (start + (n + 1) * width > buf.length) throw bad(where, `${n + 1} offsets of ${width} bytes do not fit in ${buf.length} bytes`);
  if (width === 4) {
    // Aligned (the usual case: chunks are 8-byte aligned in the file): validate a view in place.
    const at = buf.byteOffset + start;
    const out = (at & 3) === 0 ? new Uint32Array(buf.buffer, at, n + 1) : new Uint32Array(buf.slice(start, start + (n + 1) * 4).buffer);
    let prev = 0;
    for (let i = 0; i <= n; i++) {
      const v = out[i]!;
      if (v < prev || v > limit) throw bad(where, `offset ${i} = ${v} is out of order or beyond ${limit}`);
      prev = v;
    }
    return out;
  }
  const dv = new DataView(buf.buffer, buf.byteOffset + start, (n + 1) * width);
  const out = new BigUint64Array(n + 1);
  let prev = 0n;
  const lim = BigInt(limit);
  for (let i = 0; i <= n; i++) {
    const v = dv.getBigUint64(i * 8, true);
    if (v < prev || v > lim) throw bad(where, `offset ${i} = ${v} is out of order or beyond ${limit}`);
    out[i] = prev = v;
  }
  return out;
}

function offsetWidth(enc: CompressiveEncoding | undefined, where: Where): 4 | 8 {
  if (enc?.compression.case !== 'flat') throw unsupported(where, `Variable offsets ${enc?.compression.case ?? 'unset'}`);
  const bits = enc.compression.value.bitsPerValue;
  if (bits !== 32n && bits !== 64n) throw bad(where, `Variable offsets must be 32 or 64 bits, found ${bits}`);
  if (enc.compression.value.data) throw unsupported(where, 'Flat with buffer compression');
  return bits === 32n ? 4 : 8;
}

/** Splits row-major packed rows (`bits` per child, byte aligned) into one fixed buffer per child. */
function unpackRows(rows: Uint8Array, numValues: number, bitsPerField: readonly number[], where: Where): FixedValues[] {
  if (bitsPerField.some((b) => b % 8 !== 0)) throw unsupported(where, 'PackedStruct with non byte-aligned children');
  const widths = bitsPerField.map((b) => b / 8);
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  if (rows.length < rowBytes * numValues) throw bad(where, `packed struct needs ${rowBytes * numValues} bytes, has ${rows.length}`);
  let col = 0;
  return widths.map((w, k) => {
    const out = new Uint8Array(w * numValues);
    for (let i = 0; i < numValues; i++) out.set(rows.subarray(i * rowBytes + col, i * rowBytes + col + w), i * w);
    col += w;
    return { kind: 'fixed', numValues, bitsPerValue: bitsPerField[k]!, data: out };
  });
}

// ---------------------------------------------------------------------------------------------
// Mini-block chunk context

/** Decodes one mini-block chunk's value buffers (see the contract at the top of this file). */
export function decodeMiniBlockValues(enc: CompressiveEncoding | undefined, buffers: Uint8Array[], numValues: number, where: Where): DecodedValues {
  const cursor = { next: 0 };
  const out = miniBlock(enc, buffers, cursor, numValues, where);
  if (cursor.next !== buffers.length) throw bad(where, `chunk has ${buffers.length} value buffers, the encoding used ${cursor.next}`);
  return out;
}

function take(buffers: Uint8Array[], cursor: { next: number }, where: Where): Uint8Array {
  const b = buffers[cursor.next++];
  if (!b) throw bad(where, `chunk is missing value buffer ${cursor.next - 1}`);
  return b;
}

function miniBlock(enc: CompressiveEncoding | undefined, buffers: Uint8Array[], cursor: { next: number }, numValues: number, where: Where): DecodedValues {
  const c = enc?.compression;
  switch (c?.case) {
    case 'flat':
      if (c.value.data) throw unsupported(where, 'Flat with buffer compression');
      return fixedFrom(take(buffers, cursor, where), numValues, flatBits(c.value.bitsPerValue, where), where);
    case 'variable': {
      if (c.value.values) throw unsupported(where, 'Variable with buffer compression');
      const w = offsetWidth(c.value.offsets, where);
      const buf = take(buffers, cursor, where);
      // Chunk offsets are relative to the start of the value buffer (the first one points past them).
      const offsets = readOffsets(buf, 0, numValues, w, buf.length, where);
      return { kind: 'variable', numValues, offsets, data: buf };
    }
    case 'constant':
      return { kind: 'constant', numValues, ...(c.value.value ? { value: c.value.value } : {}) };
    case 'fixedSizeList': {
      const dim = fslDimension(c.value.itemsPerValue, where);
      const validity = c.value.hasValidity ? take(buffers, cursor, where) : undefined;
      if (validity && validity.length < Math.ceil((numValues * dim) / 8)) throw bad(where, 'FixedSizeList validity buffer too short');
      const items = miniBlock(c.value.values, buffers, cursor, numValues * dim, where);
      return { kind: 'fsl', numValues, dimension: dim, items, ...(validity ? { validity } : {}) };
    }
    case 'packedStruct': {
      const inner = c.value.values?.compression;
      if (inner?.case !== 'flat') throw unsupported(where, `PackedStruct values ${inner?.case ?? 'unset'}`);
      const rows = fixedFrom(take(buffers, cursor, where), numValues, flatBits(inner.value.bitsPerValue, where), where);
      const bits = c.value.bitsPerValue.map((b) => flatBits(b, where));
      if (bits.reduce((a, b) => a + b, 0) !== rows.bitsPerValue) throw bad(where, 'PackedStruct child widths do not add up to the row width');
      return { kind: 'struct', numValues, fields: unpackRows(rows.data, numValues, bits, where) };
    }
    // ---- codecs engineer: src/format/codecs/ plugs in below ----
    case 'inlineBitpacking':
      return codecs.miniInlineBitpacking(c.value, take(buffers, cursor, where), numValues, where);
    case 'outOfLineBitpacking':
      return codecs.outOfLineBitpacking(c.value, take(buffers, cursor, where), numValues, where);
    case 'rle':
      return codecs.miniRle(c.value, take(buffers, cursor, where), take(buffers, cursor, where), numValues, where);
    case 'fsst':
      return codecs.fsst(c.value, miniBlock(c.value.values, buffers, cursor, numValues, where), where);
    case 'dictionary':
      throw unsupported(where, 'Dictionary');
    case 'general': {
      // Only the first buffer of the inner encoding is compressed (Lance GeneralMiniBlockCompressor).
      const first = cursor.next;
      const inner = buffers.slice();
      inner[first] = codecs.general(c.value, take(buffers, cursor, where), where);
      cursor.next = first;
      return miniBlock(c.value.values, inner, cursor, numValues, where);
    }
    case 'byteStreamSplit':
      return codecs.byteStreamSplit(c.value, take(buffers, cursor, where), numValues, where);
    case 'variablePackedStruct':
      throw unsupported(where, 'VariablePackedStruct in a mini-block');
    default:
      throw bad(where, `value compression is ${c?.case ?? 'unset'}`);
  }
}

function fslDimension(n: bigint, where: Where): number {
  if (n < 1n || n > 1n << 24n) throw bad(where, `FixedSizeList items_per_value ${n} out of range`);
  return Number(n);
}

// ---------------------------------------------------------------------------------------------
// Block context

/** Decodes one self-contained block (levels, dictionaries, constant-layout buffers). */
export function decodeBlockValues(enc: CompressiveEncoding | undefined, data: Uint8Array, numValues: number, where: Where): DecodedValues {
  const c = enc?.compression;
  switch (c?.case) {
    case 'flat':
      if (c.value.data) throw unsupported(where, 'Flat with buffer compression');
      return fixedFrom(data, numValues, flatBits(c.value.bitsPerValue, where), where);
    case 'variable': {
      // Block form: u32|u64 bits_per_offset, u32|u64 start of the bytes, offsets, bytes.
      if (data.length < 8) throw bad(where, 'variable block shorter than its header');
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const bits = dv.getUint32(0, true);
      if (bits !== 32 && bits !== 64) throw bad(where, `variable block bits_per_offset ${bits}`);
      const w = bits / 8;
      if (data.length < 2 * w) throw bad(where, 'variable block shorter than its header');
      const start = Number(w === 4 ? dv.getUint32(4, true) : dv.getBigUint64(8, true));
      if (start > data.length || start < 2 * w + (numValues + 1) * w) throw bad(where, `variable block data start ${start} is inconsistent`);
      const bytes = data.subarray(start);
      const offsets = readOffsets(data, 2 * w, numValues, w as 4 | 8, bytes.length, where);
      return { kind: 'variable', numValues, offsets, data: bytes };
    }
    case 'constant':
      return { kind: 'constant', numValues, ...(c.value.value ? { value: c.value.value } : {}) };
    // ---- codecs engineer: src/format/codecs/ plugs in below ----
    case 'inlineBitpacking':
      return codecs.blockInlineBitpacking(c.value, data, numValues, where);
    case 'outOfLineBitpacking':
      return codecs.outOfLineBitpacking(c.value, data, numValues, where);
    case 'rle':
      return codecs.blockRle(c.value, data, numValues, where);
    case 'fsst':
      return codecs.fsst(c.value, decodeBlockValues(c.value.values, data, numValues, where), where);
    case 'dictionary':
      throw unsupported(where, 'Dictionary');
    case 'general':
      return decodeBlockValues(c.value.values, codecs.general(c.value, data, where), numValues, where);
    case 'byteStreamSplit':
      return codecs.byteStreamSplit(c.value, data, numValues, where);
    default:
      throw unsupported(where, `${c?.case ?? 'unset'} in a block`);
  }
}

// ---------------------------------------------------------------------------------------------
// Full-zip per-value context

/** Maps the unzipped per-value payloads of a full-zip page to their logical form. */
export function decodeFullZipValues(enc: CompressiveEncoding | undefined, raw: FixedValues | VariableValues, where: Where): DecodedValues {
  const c = enc?.compression;
  switch (c?.case) {
    case 'flat':
      if (raw.kind !== 'fixed' || BigInt(raw.bitsPerValue) !== c.value.bitsPerValue) throw bad(where, 'full-zip Flat width disagrees with bits_per_value');
      return raw;
    case 'variable':
      if (raw.kind !== 'variable') throw bad(where, 'full-zip Variable needs bits_per_offset');
      return raw;
    case 'fixedSizeList': {
      if (raw.kind !== 'fixed') throw bad(where, 'full-zip FixedSizeList needs bits_per_value');
      return fullZipFsl(c.value.itemsPerValue, c.value.hasValidity, c.value.values, raw, where);
    }
    case 'packedStruct': {
      if (raw.kind !== 'fixed') throw bad(where, 'full-zip PackedStruct needs bits_per_value');
      const bits = c.value.bitsPerValue.map((b) => flatBits(b, where));
      if (bits.reduce((a, b) => a + b, 0) !== raw.bitsPerValue) throw bad(where, 'PackedStruct child widths do not add up to the row width');
      return { kind: 'struct', numValues: raw.numValues, fields: unpackRows(raw.data, raw.numValues, bits, where) };
    }
    case 'variablePackedStruct':
      if (raw.kind !== 'variable') throw bad(where, 'VariablePackedStruct needs bits_per_offset');
      return unpackVariableRows(c.value.fields, raw, where);
    // ---- codecs engineer: src/format/codecs/ plugs in below ----
    case 'general':
      if (raw.kind !== 'variable') throw unsupported(where, 'General (per value) over fixed-width values');
      return decodeFullZipValues(c.value.values, codecs.generalPerValue(c.value, raw, where), where);
    case 'fsst':
      if (raw.kind !== 'variable') throw bad(where, 'full-zip Fsst needs bits_per_offset');
      return codecs.fsst(c.value, decodeFullZipValues(c.value.values, raw, where), where);
    case 'inlineBitpacking':
    case 'outOfLineBitpacking':
    case 'rle':
    case 'dictionary':
    case 'byteStreamSplit':
    case 'constant':
      throw unsupported(where, `${c.case} (per value)`);
    default:
      throw bad(where, `value compression is ${c?.case ?? 'unset'}`);
  }
}

function fullZipFsl(
  itemsPerValue: bigint,
  hasValidity: boolean,
  inner: CompressiveEncoding | undefined,
  raw: FixedValues,
  where: Where,
): FslValues {
  const dim = fslDimension(itemsPerValue, where);
  const ic = inner?.compression;
  if (ic?.case === 'constant') {
    // Lance 12 writes FSLs whose items are all null (inside lists) as item validity only.
    const vBytes = hasValidity ? Math.ceil(dim / 8) : 0;
    if (vBytes * 8 !== raw.bitsPerValue) throw bad(where, 'FixedSizeList of constant items: row width disagrees with bits_per_value');
    const n = raw.numValues;
    const validity = hasValidity ? new Uint8Array(Math.ceil((n * dim) / 8)) : undefined;
    if (validity) for (let i = 0; i < n; i++) copyBits(raw.data, i * vBytes * 8, validity, i * dim, dim);
    const items: DecodedValues = { kind: 'constant', numValues: n * dim, ...(ic.value.value ? { value: ic.value.value } : {}) };
    return { kind: 'fsl', numValues: n, dimension: dim, items, ...(validity ? { validity } : {}) };
  }
  if (ic?.case !== 'flat') throw unsupported(where, `full-zip FixedSizeList of ${ic?.case ?? 'unset'}`);
  const itemBits = flatBits(ic.value.bitsPerValue, where);
  const n = raw.numValues;
  if (!hasValidity) {
    if (itemBits * dim !== raw.bitsPerValue) throw bad(where, 'FixedSizeList row width disagrees with bits_per_value');
    return { kind: 'fsl', numValues: n, dimension: dim, items: { kind: 'fixed', numValues: n * dim, bitsPerValue: itemBits, data: raw.data } };
  }
  // Each value is prefixed by ceil(dim / 8) bytes of item validity.
  if (itemBits % 8 !== 0) throw unsupported(where, 'full-zip FixedSizeList with validity of sub-byte items');
  const vBytes = Math.ceil(dim / 8);
  const dBytes = (itemBits / 8) * dim;
  if ((vBytes + dBytes) * 8 !== raw.bitsPerValue) throw bad(where, 'FixedSizeList row width disagrees with bits_per_value');
  const validity = new Uint8Array(Math.ceil((n * dim) / 8));
  const data = new Uint8Array(n * dBytes);
  for (let i = 0; i < n; i++) {
    const row = i * (vBytes + dBytes);
    copyBits(raw.data, row * 8, validity, i * dim, dim);
    data.set(raw.data.subarray(row + vBytes, row + vBytes + dBytes), i * dBytes);
  }
  return { kind: 'fsl', numValues: n, dimension: dim, validity, items: { kind: 'fixed', numValues: n * dim, bitsPerValue: itemBits, data } };
}

type PackedFieldEncoding = { value?: CompressiveEncoding | undefined; layout: { case: 'bitsPerValue' | 'bitsPerLength' | undefined; value?: bigint } };

/** Splits VariablePackedStruct rows (fixed children inline, variable ones length-prefixed) into children. */
function unpackVariableRows(fields: readonly PackedFieldEncoding[], raw: VariableValues, where: Where): StructValues {
  const n = raw.numValues;
  const specs = fields.map((f) => {
    const bits = f.layout.value;
    if (bits === undefined || bits % 8n !== 0n || bits < 8n || bits > 64n * 8n) throw bad(where, `VariablePackedStruct field width ${bits}`);
    const inner = f.value?.compression;
    if (f.layout.case === 'bitsPerValue') {
      if (inner?.case !== 'flat' || inner.value.bitsPerValue !== bits) throw unsupported(where, `VariablePackedStruct fixed child ${inner?.case ?? 'unset'}`);
      return { variable: false, bytes: Number(bits / 8n) };
    }
    if (bits !== 32n && bits !== 64n) throw bad(where, `VariablePackedStruct length width ${bits}`);
    if (inner?.case !== 'variable') throw unsupported(where, `VariablePackedStruct variable child ${inner?.case ?? 'unset'}`);
    return { variable: true, bytes: Number(bits / 8n) };
  });
  const fixedOut = specs.map((s) => (s.variable ? undefined : new Uint8Array(s.bytes * n)));
  const varOffsets = specs.map(() => new Uint32Array(n + 1));
  const varParts: Uint8Array[][] = specs.map(() => []);
  const varLen = specs.map(() => 0);
  const dv = new DataView(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  for (let i = 0; i < n; i++) {
    let p = Number(raw.offsets[i]!);
    const end = Number(raw.offsets[i + 1]!);
    specs.forEach((s, k) => {
      if (!s.variable) {
        if (p + s.bytes > end) throw bad(where, `packed row ${i} is shorter than its fixed fields`);
        fixedOut[k]!.set(raw.data.subarray(p, p + s.bytes), i * s.bytes);
        p += s.bytes;
      } else {
        if (p + s.bytes > end) throw bad(where, `packed row ${i} is shorter than its length fields`);
        const len = s.bytes === 4 ? dv.getUint32(p, true) : Number(dv.getBigUint64(p, true));
        p += s.bytes;
        if (len > end - p) throw bad(where, `packed row ${i} field ${k} length ${len} runs past the row`);
        varParts[k]!.push(raw.data.subarray(p, p + len));
        varLen[k]! += len;
        varOffsets[k]![i + 1] = varLen[k]!;
        p += len;
      }
    });
    if (p !== end) throw bad(where, `packed row ${i} has ${end - p} trailing bytes`);
  }
  return {
    kind: 'struct',
    numValues: n,
    fields: specs.map((s, k): DecodedValues => {
      if (!s.variable) return { kind: 'fixed', numValues: n, bitsPerValue: s.bytes * 8, data: fixedOut[k]! };
      const data = new Uint8Array(varLen[k]!);
      let o = 0;
      for (const part of varParts[k]!) {
        data.set(part, o);
        o += part.length;
      }
      return { kind: 'variable', numValues: n, offsets: varOffsets[k]!, data };
    }),
  };
}
