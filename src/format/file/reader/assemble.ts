// Decoded page pieces -> Arrow Data. Copies each value once into freshly allocated (hence
// aligned) buffers; validity comes from the per-row null layer computed from def levels.
import * as arrow from 'apache-arrow';
import { LanceFormatError } from '../../../errors.js';
import { fixedBitsOf, type LeafKind } from '../leaf-kind.js';
import type { DecodedValues, VariableValues } from './compressive.js';
import type { LeafPiece } from './page-jobs.js';
import { copyBits, getBit, setBit } from '../bits.js';
import { encodeDictionary } from '../dictionary-data.js';

type Where = { path: string; offset: number };

function bad(where: Where, msg: string): LanceFormatError {
  return new LanceFormatError('BAD_PAGE', msg, where);
}

/**
 * Validity bitmap of rows whose null layer is below `layer` (layer 0 = the leaf itself); a null
 * `nullLayer` means all `rows` rows are valid.
 */
export function validityFrom(nullLayer: Int16Array | null, layer: number, rows = nullLayer?.length ?? 0): { bitmap: Uint8Array; nullCount: number } {
  if (!nullLayer) {
    const bitmap = new Uint8Array((rows + 7) >> 3).fill(0xff);
    if (rows & 7) bitmap[rows >> 3] = (1 << (rows & 7)) - 1;
    return { bitmap, nullCount: 0 };
  }
  const n = nullLayer.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let valid = 0;
  for (let b = 0, i = 0; i < n; b++) {
    const end = Math.min(n, i + 8);
    let byte = 0;
    for (let bit = 0; i < end; i++, bit++) {
      if (nullLayer[i]! < layer) {
        byte |= 1 << bit;
        valid++;
      }
    }
    bitmap[b] = byte;
  }
  return { bitmap, nullCount: n - valid };
}

/** Copies `count` fixed values starting at value `start` of `v` into `out` at value `at`. */
function copyFixed(v: DecodedValues, start: number, count: number, bits: number, out: Uint8Array, at: number, where: Where): void {
  if (v.kind === 'constant') {
    if (!v.value) return;
    if (bits === 1) {
      if (v.value[0]! & 1) for (let i = 0; i < count; i++) setBit(out, at + i);
      return;
    }
    const w = bits / 8;
    if (v.value.length !== w) throw bad(where, `constant of ${v.value.length} bytes for ${w}-byte values`);
    for (let i = 0; i < count; i++) out.set(v.value, (at + i) * w);
    return;
  }
  if (v.kind !== 'fixed' || v.bitsPerValue !== bits) throw bad(where, `expected ${bits}-bit fixed values, decoded ${v.kind}${v.kind === 'fixed' ? ` of ${v.bitsPerValue} bits` : ''}`);
  if (start + count > v.numValues) throw bad(where, `needs values [${start}, ${start + count}) of ${v.numValues}`);
  if (bits % 8 === 0) {
    const w = bits / 8;
    out.set(v.data.subarray(start * w, (start + count) * w), at * w);
  } else {
    copyBits(v.data, start * bits, out, at * bits, count * bits);
  }
}

function fixedData(type: arrow.DataType, bytes: Uint8Array, n: number, validity: { bitmap: Uint8Array; nullCount: number }): arrow.Data {
  if (type.typeId === arrow.Type.Null) return arrow.makeData({ type: type as arrow.Null, length: n });
  const T = (type as { ArrayType: { new (b: ArrayBuffer, o: number, l: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
  const data = type.typeId === arrow.Type.Bool ? bytes : new T(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / T.BYTES_PER_ELEMENT);
  return arrow.makeData({ type, length: n, nullCount: validity.nullCount, nullBitmap: validity.nullCount ? validity.bitmap : null, data } as never);
}

/** Rows of a piece that are valid at every layer (the values a dense piece holds). */
function validRows(nullLayer: Int16Array | null, count: number): number {
  if (!nullLayer) return count;
  let k = 0;
  for (let i = 0; i < count; i++) if (nullLayer[i] === -1) k++;
  return k;
}

/**
 * Concatenates the variable-width values of every piece into one data buffer and one offsets
 * array, both allocated once at their exact size: each piece's values are one contiguous byte
 * span (copied with a single `set`) and its offsets are rebased by one delta.
 */
function assembleVariable(pieces: readonly LeafPiece[], n: number, large: boolean, where: Where): { offsets: Int32Array | BigInt64Array; bytes: Uint8Array } {
  const m = pieces.length;
  const offs: Array<Uint32Array | Float64Array | null> = new Array(m);
  const datas: Array<Uint8Array | null> = new Array(m);
  const firsts = new Float64Array(m);
  const los = new Float64Array(m);
  const his = new Float64Array(m);
  let total = 0;
  for (let k = 0; k < m; k++) {
    const p = pieces[k]!;
    const v = variableParts(p.values, where);
    if (!v) {
      offs[k] = null;
      datas[k] = null;
      continue;
    }
    const off = v.offsets instanceof BigUint64Array ? Float64Array.from(v.offsets, Number) : v.offsets;
    const first = p.dense ? 0 : p.start; // dense pieces (see LeafPiece) always start at 0
    const used = p.dense ? validRows(p.nullLayer, p.count) : p.count;
    const have = off.length - 1;
    if (first + used > have) throw bad(where, `value ${Math.max(first, have)} missing from decoded page`);
    const lo = off[first]!;
    const hi = off[first + used]!;
    if (hi < lo || hi > v.data.length) throw bad(where, `values [${first}, ${first + used}) span bytes [${lo}, ${hi}) of ${v.data.length}`);
    offs[k] = off;
    datas[k] = v.data;
    firsts[k] = first;
    los[k] = lo;
    his[k] = hi;
    total += hi - lo;
  }
  if (!large && total > 0x7fffffff) throw bad(where, `page holds ${total} bytes, too many for 32-bit Arrow offsets`);
  const bytes = new Uint8Array(total);
  // Offsets as numbers first (Int32 directly; Float64 for 64-bit, split into words at the end).
  const out = large ? new Float64Array(n + 1) : new Int32Array(n + 1);
  let row = 0;
  let pos = 0;
  for (let k = 0; k < m; k++) {
    const p = pieces[k]!;
    const off = offs[k];
    const count = p.count;
    if (!off) {
      for (let i = 1; i <= count; i++) out[row + i] = pos;
      row += count;
      continue;
    }
    const lo = los[k]!;
    const hi = his[k]!;
    bytes.set(datas[k]!.subarray(lo, hi), pos);
    const ok = p.dense && p.nullLayer ? rebaseDense(off, p.nullLayer, count, pos - lo, out, row) : rebase(off, firsts[k]!, count, pos - lo, out, row);
    if (!ok) throw bad(where, 'decoded value offsets are out of order');
    pos += hi - lo;
    row += count;
  }
  if (!large) return { offsets: out as Int32Array, bytes };
  const big = new BigInt64Array(n + 1);
  const words = new Uint32Array(big.buffer);
  for (let i = 0; i <= n; i++) {
    const x = out[i]!;
    words[2 * i] = x % 4294967296;
    words[2 * i + 1] = Math.floor(x / 4294967296);
  }
  return { offsets: big, bytes };
}

/** out[row + 1 + i] = off[first + 1 + i] + delta for i < count; false if offsets decrease. */
function rebase(off: Uint32Array | Float64Array, first: number, count: number, delta: number, out: Int32Array | Float64Array, row: number): boolean {
  let prev = off[first]!;
  for (let i = 1; i <= count; i++) {
    const x = off[first + i]!;
    if (x < prev) return false;
    out[row + i] = x + delta;
    prev = x;
  }
  return true;
}

/** Like rebase, for a dense piece: rows with a null layer repeat the previous offset. */
function rebaseDense(off: Uint32Array | Float64Array, nullLayer: Int16Array, count: number, delta: number, out: Int32Array | Float64Array, row: number): boolean {
  let j = 0;
  let cur = off[0]!;
  for (let i = 0; i < count; i++) {
    if (nullLayer[i] === -1) {
      const x = off[++j]!;
      if (x < cur) return false;
      cur = x;
    }
    out[row + i + 1] = cur + delta;
  }
  return true;
}

/** Index of every row's value in a dense piece (-1 = row has no value). */
function denseIndex(p: LeafPiece): Int32Array {
  const idx = new Int32Array(p.count);
  let k = 0;
  for (let i = 0; i < p.count; i++) idx[i] = !p.nullLayer || p.nullLayer[i] === -1 ? k++ : -1;
  return idx;
}

function variableParts(v: DecodedValues, where: Where): VariableValues | null {
  if (v.kind === 'constant') {
    if (v.value) throw bad(where, 'constant variable-width values are not supported');
    return null;
  }
  if (v.kind !== 'variable') throw bad(where, `expected variable-width values, decoded ${v.kind}`);
  return v;
}

export function assembleLeaf(kind: LeafKind, type: arrow.DataType, pieces: readonly LeafPiece[], where: Where): { data: arrow.Data; nullLayer: Int16Array | null } {
  if (type.typeId === arrow.Type.Dictionary) {
    const dict = type as arrow.Dictionary;
    const plain = assembleLeaf(kind, dict.dictionary, pieces, where);
    return { data: encodeDictionary(plain.data, dict, where), nullLayer: plain.nullLayer };
  }
  const n = pieces.reduce((a, p) => a + p.count, 0);
  // Per-row null layers only when some piece has a null row; null = every row valid.
  let nullLayer: Int16Array | null = null;
  if (pieces.some((p) => p.nullLayer)) {
    nullLayer = new Int16Array(n);
    let at = 0;
    for (const p of pieces) {
      if (p.nullLayer) nullLayer.set(p.nullLayer, at);
      else nullLayer.fill(-1, at, at + p.count);
      at += p.count;
    }
  }
  const validity = nullLayer ? validityFrom(nullLayer, 0) : { bitmap: new Uint8Array(0), nullCount: 0 };
  switch (kind.kind) {
    case 'fixed': {
      const out = new Uint8Array(Math.ceil((n * kind.bits) / 8));
      let at = 0;
      for (const p of pieces) {
        copyFixed(p.values, p.start, p.count, kind.bits, out, at, where);
        at += p.count;
      }
      return { data: fixedData(type, out, n, validity), nullLayer };
    }
    case 'fsl': {
      const dim = kind.dim;
      const items = new Uint8Array(Math.ceil((n * dim * kind.itemBits) / 8));
      let itemValidity: Uint8Array | null = null;
      let at = 0;
      for (const p of pieces) {
        const v = p.values;
        if (v.kind === 'fsl') {
          if (v.dimension !== dim) throw bad(where, `FixedSizeList of ${v.dimension} items, schema says ${dim}`);
          copyFixed(v.items, p.start * dim, p.count * dim, kind.itemBits, items, at * dim, where);
          if (v.validity) {
            if (!itemValidity) {
              // Rows decoded before the first page with item validity had all items valid.
              itemValidity = new Uint8Array(Math.ceil((n * dim) / 8));
              for (let i = 0; i < at * dim; i++) setBit(itemValidity, i);
            }
            copyBits(v.validity, p.start * dim, itemValidity, at * dim, p.count * dim);
          } else if (itemValidity) {
            for (let i = 0; i < p.count * dim; i++) setBit(itemValidity, at * dim + i);
          }
        } else if (v.kind !== 'constant' || v.value) {
          throw bad(where, `expected FixedSizeList values, decoded ${v.kind}`);
        }
        at += p.count;
      }
      const itemType = (type as arrow.FixedSizeList).children[0]!.type;
      let itemNulls = 0;
      if (itemValidity) for (let i = 0; i < n * dim; i++) if (!getBit(itemValidity, i)) itemNulls++;
      const child = fixedData(itemType, items, n * dim, { bitmap: itemValidity ?? new Uint8Array(0), nullCount: itemNulls });
      const data = arrow.makeData({ type: type as arrow.FixedSizeList, length: n, nullCount: validity.nullCount, nullBitmap: validity.nullCount ? validity.bitmap : null, child });
      return { data, nullLayer };
    }
    case 'variable': {
      const { offsets, bytes } = assembleVariable(pieces, n, kind.offsetBits === 64, where);
      const data = arrow.makeData({
        type: type as arrow.Utf8,
        length: n,
        nullCount: validity.nullCount,
        nullBitmap: validity.nullCount ? validity.bitmap : null,
        valueOffsets: offsets as Int32Array,
        data: bytes,
      });
      return { data, nullLayer };
    }
    case 'blob':
      return { data: assembleBlob(type as arrow.Struct, pieces, n, validity, where), nullLayer };
  }
}

function assembleBlob(type: arrow.Struct, pieces: readonly LeafPiece[], n: number, validity: { bitmap: Uint8Array; nullCount: number }, where: Where): arrow.Data {
  if (type.children.length === 2) return assembleLegacyBlob(type, pieces, n, validity, where);
  const kind = new Uint8Array(n);
  const position = new BigUint64Array(n);
  const size = new BigUint64Array(n);
  const blobId = new Uint32Array(n);
  const uriOffsets = new Int32Array(n + 1);
  const uriParts: Uint8Array[] = [];
  let uriLen = 0;
  let row = 0;
  for (const p of pieces) {
    const v = p.values;
    if (v.kind === 'constant' && !v.value) {
      for (let i = 0; i < p.count; i++, row++) uriOffsets[row + 1] = uriLen;
      continue;
    }
    if (v.kind !== 'struct' || v.fields.length !== 5) throw bad(where, `blob descriptors decoded as ${v.kind}, expected a 5-field struct`);
    const [k, pos, sz, id, uri] = v.fields as [DecodedValues, DecodedValues, DecodedValues, DecodedValues, DecodedValues];
    if (k.kind !== 'fixed' || pos.kind !== 'fixed' || sz.kind !== 'fixed' || id.kind !== 'fixed' || uri.kind !== 'variable') {
      throw bad(where, 'blob descriptor fields have unexpected shapes');
    }
    if (k.bitsPerValue !== 8 || pos.bitsPerValue !== 64 || sz.bitsPerValue !== 64 || id.bitsPerValue !== 32) throw bad(where, 'blob descriptor field widths are not 8/64/64/32');
    const idx = p.dense ? denseIndex(p) : null;
    const pv = new DataView(pos.data.buffer, pos.data.byteOffset, pos.data.byteLength);
    const sv = new DataView(sz.data.buffer, sz.data.byteOffset, sz.data.byteLength);
    const iv = new DataView(id.data.buffer, id.data.byteOffset, id.data.byteLength);
    for (let i = 0; i < p.count; i++, row++) {
      const j = idx ? idx[i]! : p.start + i;
      if (j >= k.numValues) throw bad(where, `blob descriptor ${j} missing from decoded page`);
      if (j >= 0) {
        kind[row] = k.data[j]!;
        position[row] = pv.getBigUint64(j * 8, true);
        size[row] = sv.getBigUint64(j * 8, true);
        blobId[row] = iv.getUint32(j * 4, true);
        const a = Number(uri.offsets[j]!);
        const b = Number(uri.offsets[j + 1]!);
        uriParts.push(uri.data.subarray(a, b));
        uriLen += b - a;
      }
      uriOffsets[row + 1] = uriLen;
    }
  }
  const uriBytes = new Uint8Array(uriLen);
  let o = 0;
  for (const u of uriParts) {
    uriBytes.set(u, o);
    o += u.length;
  }
  const [fk, fp, fs, fi, fu] = type.children as [arrow.Field, arrow.Field, arrow.Field, arrow.Field, arrow.Field];
  const children = [
    arrow.makeData({ type: fk.type as arrow.Uint8, length: n, data: kind }),
    arrow.makeData({ type: fp.type as arrow.Uint64, length: n, data: position }),
    arrow.makeData({ type: fs.type as arrow.Uint64, length: n, data: size }),
    arrow.makeData({ type: fi.type as arrow.Uint32, length: n, data: blobId }),
    arrow.makeData({ type: fu.type as arrow.Utf8, length: n, valueOffsets: uriOffsets, data: uriBytes }),
  ];
  return arrow.makeData({ type, length: n, nullCount: validity.nullCount, nullBitmap: validity.nullCount ? validity.bitmap : null, children });
}

/** An all-null column of `type` (a field absent from the file). */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  const bitmap = new Uint8Array((n + 7) >> 3);
  switch (type.typeId) {
    case arrow.Type.Struct:
      return arrow.makeData({ type: type as arrow.Struct, length: n, nullCount: n, nullBitmap: bitmap, children: type.children.map((c: arrow.Field) => nullData(c.type, n)) });
    case arrow.Type.FixedSizeList: {
      const t = type as arrow.FixedSizeList;
      return arrow.makeData({ type: t, length: n, nullCount: n, nullBitmap: bitmap, child: nullData(t.children[0]!.type, n * t.listSize) });
    }
    case arrow.Type.List:
    case arrow.Type.Map: {
      const t = type as arrow.List;
      return arrow.makeData({ type: t, length: n, nullCount: n, nullBitmap: bitmap, valueOffsets: new Int32Array(n + 1), child: nullData(t.children[0]!.type, 0) });
    }
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
      return arrow.makeData({ type: type as arrow.Utf8, length: n, nullCount: n, nullBitmap: bitmap, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary:
      return arrow.makeData({ type: type as arrow.LargeUtf8, length: n, nullCount: n, nullBitmap: bitmap, valueOffsets: new BigInt64Array(n + 1), data: new Uint8Array(0) });
    default: {
      const T = (type as { ArrayType: { new (n: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
      const bits = fixedBitsOf(type) ?? 8;
      const data = type.typeId === arrow.Type.Bool ? new Uint8Array((n + 7) >> 3) : new T((n * bits) / 8 / T.BYTES_PER_ELEMENT);
      return arrow.makeData({ type, length: n, nullCount: n, nullBitmap: bitmap, data } as never);
    }
  }
}

/** Legacy (v1) blob descriptors: {position, size} per row; null rows read as null structs. */
function assembleLegacyBlob(type: arrow.Struct, pieces: readonly LeafPiece[], n: number, validity: { bitmap: Uint8Array; nullCount: number }, where: Where): arrow.Data {
  const position = new BigUint64Array(n);
  const size = new BigUint64Array(n);
  let row = 0;
  for (const p of pieces) {
    const v = p.values;
    if (v.kind === 'constant' && !v.value) {
      row += p.count;
      continue;
    }
    const [pos, sz] = v.kind === 'struct' ? v.fields : [];
    if (pos?.kind !== 'fixed' || sz?.kind !== 'fixed') throw bad(where, `legacy blob descriptors decoded as ${v.kind}, expected two u64 fields`);
    const pv = new DataView(pos.data.buffer, pos.data.byteOffset, pos.data.byteLength);
    const sv = new DataView(sz.data.buffer, sz.data.byteOffset, sz.data.byteLength);
    for (let i = 0; i < p.count; i++, row++) {
      if (p.nullLayer && p.nullLayer[i]! >= 0) continue;
      position[row] = pv.getBigUint64((p.start + i) * 8, true);
      size[row] = sv.getBigUint64((p.start + i) * 8, true);
    }
  }
  const [fp, fs] = type.children as [arrow.Field, arrow.Field];
  const children = [arrow.makeData({ type: fp.type as arrow.Uint64, length: n, data: position }), arrow.makeData({ type: fs.type as arrow.Uint64, length: n, data: size })];
  return arrow.makeData({ type, length: n, nullCount: validity.nullCount, nullBitmap: validity.nullCount ? validity.bitmap : null, children });
}
