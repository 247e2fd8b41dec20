// Decoding one 2.0 page: its ArrayEncoding tree (encodings_v2_0.proto, field numbers below)
// applied to the page's buffers, producing the page's rows as a Col.
import * as arrow from 'apache-arrow';
import { LanceFormatError } from '../../../../errors.js';
import { decodeFsst, fsstTableFor } from '../../../codecs/fsst.js';
import { looksLikeBareZstdFrame, zstdDecompress } from '../../../codecs/zstd.js';
import { decodePbMessage, pbBytes, pbNum, pbString, pbSub, pbUint, type PbMessage } from './pb-wire.js';
import { withValidity, type Col } from './columnar.js';

type Where = { path: string; offset: number };

/** The buffers a page's Buffer references resolve against (buffer_type page / column / file). */
export interface PageBuffers {
  page: Uint8Array[];
  column: Uint8Array[];
  file: Uint8Array[];
}

// ArrayEncoding oneof field numbers.
const ENC = {
  flat: 1,
  nullable: 2,
  fixedSizeList: 3,
  list: 4,
  struct: 5,
  binary: 6,
  dictionary: 7,
  fsst: 8,
  packedStruct: 9,
  bitpacked: 10,
  fixedSizeBinary: 11,
  bitpackedForNonNeg: 12,
  constant: 13,
} as const;
const ENC_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries({ ...ENC, inlineBitpacking: 14, outOfLineBitpacking: 15, variable: 16, packedStructFixedWidthMiniBlock: 17, block: 18, rle: 19, generalMiniBlock: 20, byteStreamSplit: 21 }).map(
    ([k, v]) => [v, k],
  ),
);

/** The one set case of an ArrayEncoding: [field number, its message]. */
export function encodingCase(enc: PbMessage, where: Where): [number, PbMessage] {
  for (const [field, values] of enc) {
    const v = values[values.length - 1];
    if (v instanceof Uint8Array) return [field, decodePbMessage(v, where)];
  }
  throw new LanceFormatError('BAD_ENCODING', 'empty ArrayEncoding', where);
}

export function encodingName(field: number): string {
  return ENC_NAMES[field] ?? `#${field}`;
}

function sub(m: PbMessage, field: number, what: string, where: Where): PbMessage {
  const s = pbSub(m, field, where);
  if (!s) throw new LanceFormatError('BAD_ENCODING', `2.0 encoding is missing its ${what}`, where);
  return s;
}

function resolveBuffer(buf: PbMessage, bufs: PageBuffers, where: Where): Uint8Array {
  const index = pbNum(buf, 1);
  const type = pbNum(buf, 2);
  const list = type === 0 ? bufs.page : type === 1 ? bufs.column : type === 2 ? bufs.file : undefined;
  const got = list?.[index];
  if (!got) throw new LanceFormatError('BAD_ENCODING', `2.0 encoding references ${['page', 'column', 'file'][type] ?? `type-${type}`} buffer ${index}, which does not exist`, where);
  return got;
}

/**
 * A flat buffer under `lance-encoding:compression`: the whole buffer is one zstd stream, either
 * prefixed by its u64 uncompressed length (current writers) or a bare frame (older ones).
 */
function decompress(scheme: string, buf: Uint8Array, where: Where): Uint8Array {
  if (scheme === '' || scheme === 'none') return buf;
  if (scheme !== 'zstd') throw new LanceFormatError('UNSUPPORTED_ENCODING', `2.0 flat buffer compressed with "${scheme}" is not supported (lancet reads zstd)`, where);
  if (buf.length === 0) return buf;
  try {
    if (looksLikeBareZstdFrame(buf)) return zstdDecompress(buf);
    const len = Number(new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true));
    return zstdDecompress(buf.subarray(8), len);
  } catch (e) {
    if (e instanceof LanceFormatError) throw new LanceFormatError(e.code, e.message, where, { cause: e });
    throw e;
  }
}

function bytesPerValueOf(type: arrow.DataType): number | undefined {
  if (arrow.DataType.isFixedSizeBinary(type)) return type.byteWidth;
  if (arrow.DataType.isDecimal(type)) return type.bitWidth / 8;
  const ctor = (type as unknown as { ArrayType?: { BYTES_PER_ELEMENT?: number } }).ArrayType;
  return ctor?.BYTES_PER_ELEMENT;
}

function unpackBits(src: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (src[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** Unsigned little-endian integers of `width` bytes as numbers (offsets, indices). */
function readUints(c: Col, where: Where): Float64Array {
  if (c.kind !== 'fixed') throw new LanceFormatError('BAD_ENCODING', `expected integer values, decoded ${c.kind}`, where);
  const out = new Float64Array(c.n);
  const dv = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
  for (let i = 0; i < c.n; i++) {
    switch (c.width) {
      case 1:
        out[i] = c.bytes[i]!;
        break;
      case 2:
        out[i] = dv.getUint16(i * 2, true);
        break;
      case 4:
        out[i] = dv.getUint32(i * 4, true);
        break;
      case 8:
        out[i] = Number(dv.getBigUint64(i * 8, true));
        break;
      default:
        throw new LanceFormatError('BAD_ENCODING', `integer width ${c.width} bytes`, where);
    }
  }
  return out;
}

/**
 * Bitpacked (2.0): values of `compressed` bits each, packed back to back LSB-first across the
 * buffer, widened to `uncompressed` bits (sign-extended when `signed`).
 */
function unbitpack(src: Uint8Array, n: number, compressed: number, uncompressed: number, signed: boolean, where: Where): Col {
  const width = uncompressed / 8;
  if (!Number.isInteger(width) || width < 1 || width > 8) throw new LanceFormatError('BAD_ENCODING', `bitpacked to ${uncompressed} bits`, where);
  if (n * compressed > src.length * 8) throw new LanceFormatError('BAD_PAGE', `bitpacked buffer of ${src.length} bytes is too short for ${n} values of ${compressed} bits`, where);
  const out = new Uint8Array(n * width);
  let bit = 0;
  for (let i = 0; i < n; i++) {
    let v = 0n;
    for (let b = 0; b < compressed; b++, bit++) if ((src[bit >> 3]! >> (bit & 7)) & 1) v |= 1n << BigInt(b);
    if (signed && compressed > 0 && (v >> BigInt(compressed - 1)) & 1n) v -= 1n << BigInt(compressed);
    const u = BigInt.asUintN(uncompressed, v);
    for (let k = 0; k < width; k++) out[i * width + k] = Number((u >> BigInt(8 * k)) & 0xffn);
  }
  return { kind: 'fixed', n, width, bytes: out, valid: null };
}

/**
 * Decodes `n` rows of one page. `type` is the Arrow type the rows become; it tells booleans from
 * bytes and the offset width of strings, as Lance's 2.0 decoders take it from the schema.
 */
export function decodeArrayEncoding(enc: PbMessage, n: number, type: arrow.DataType, bufs: PageBuffers, where: Where): Col {
  const [which, m] = encodingCase(enc, where);
  switch (which) {
    case ENC.flat: {
      const bits = pbNum(m, 1);
      const scheme = pbSub(m, 3, where) ? pbString(sub(m, 3, 'compression', where), 1) : '';
      const buf = decompress(scheme, resolveBuffer(sub(m, 2, 'buffer', where), bufs, where), where);
      if (bits === 1) return { kind: 'bool', n, values: unpackBits(buf, n), valid: null };
      if (bits % 8 !== 0 || bits === 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', `2.0 flat values of ${bits} bits`, where);
      const width = bits / 8;
      if (buf.length < n * width) throw new LanceFormatError('BAD_PAGE', `flat buffer of ${buf.length} bytes holds fewer than ${n} values of ${width} bytes`, where);
      return { kind: 'fixed', n, width, bytes: buf.subarray(0, n * width), valid: null };
    }
    case ENC.nullable: {
      const [nc, nm] = encodingCase(m, where);
      if (nc === 1) return decodeArrayEncoding(sub(nm, 1, 'values', where), n, type, bufs, where);
      if (nc === 3) return { kind: 'null', n };
      if (nc !== 2) throw new LanceFormatError('BAD_ENCODING', `unknown nullability case ${nc}`, where);
      const validity = decodeArrayEncoding(sub(nm, 1, 'validity', where), n, new arrow.Bool(), bufs, where);
      if (validity.kind !== 'bool') throw new LanceFormatError('BAD_ENCODING', `validity decodes to ${validity.kind}`, where);
      return withValidity(decodeArrayEncoding(sub(nm, 2, 'values', where), n, type, bufs, where), validity.values);
    }
    case ENC.fixedSizeList: {
      const dim = pbNum(m, 1);
      if (pbUint(m, 3) !== 0n) throw new LanceFormatError('UNSUPPORTED_ENCODING', '2.0 fixed-size lists with item-level validity are not supported', where);
      const itemType = arrow.DataType.isFixedSizeList(type) ? type.children[0]!.type : type;
      return { kind: 'fsl', n, dim, child: decodeArrayEncoding(sub(m, 2, 'items', where), n * dim, itemType, bufs, where), valid: null };
    }
    case ENC.list:
      // An offsets page: the column reader interprets the offsets (see v2_0/columns.ts).
      return decodeArrayEncoding(sub(m, 1, 'offsets', where), n, new arrow.Uint64(), bufs, where);
    case ENC.binary: {
      const indices = decodeArrayEncoding(sub(m, 1, 'indices', where), n, new arrow.Uint64(), bufs, where);
      const ends = readUints(indices, where);
      const nullAdj = Number(pbUint(m, 3));
      const offsets = new Float64Array(n + 1);
      let valid: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        let v = ends[i]!;
        if (nullAdj > 0 && v >= nullAdj) {
          v -= nullAdj;
          valid ??= new Uint8Array(n).fill(1);
          valid[i] = 0;
        }
        offsets[i + 1] = v;
      }
      const total = offsets[n]!;
      const bytes = decodeArrayEncoding(sub(m, 2, 'bytes', where), total, new arrow.Uint8(), bufs, where);
      if (bytes.kind !== 'fixed' || bytes.width !== 1) throw new LanceFormatError('BAD_ENCODING', `binary bytes decode to ${bytes.kind}`, where);
      return { kind: 'var', n, offsets, bytes: bytes.bytes, valid };
    }
    case ENC.fixedSizeBinary: {
      const width = pbNum(m, 2);
      const bytes = decodeArrayEncoding(sub(m, 1, 'bytes', where), n * width, new arrow.Uint8(), bufs, where);
      if (bytes.kind !== 'fixed') throw new LanceFormatError('BAD_ENCODING', `fixed-size binary bytes decode to ${bytes.kind}`, where);
      const offsets = new Float64Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = i * width;
      return { kind: 'var', n, offsets, bytes: bytes.bytes, valid: null };
    }
    case ENC.fsst: {
      const inner = decodeArrayEncoding(sub(m, 1, 'binary', where), n, type, bufs, where);
      if (inner.kind !== 'var') throw new LanceFormatError('BAD_ENCODING', `FSST must wrap binary values, found ${inner.kind}`, where);
      const table = fsstTableFor(pbBytes(m, 2) ?? new Uint8Array());
      const out = decodeFsst(table, Uint32Array.from(inner.offsets), inner.bytes);
      return { kind: 'var', n, offsets: Float64Array.from(out.offsets as Uint32Array), bytes: out.data, valid: inner.valid };
    }
    case ENC.dictionary: {
      // Indices are 1-based; 0 marks a null row.
      const indices = readUints(decodeArrayEncoding(sub(m, 1, 'indices', where), n, new arrow.Uint8(), bufs, where), where);
      const items = decodeArrayEncoding(sub(m, 2, 'items', where), pbNum(m, 3), type, bufs, where);
      if (items.kind !== 'var') throw new LanceFormatError('UNSUPPORTED_ENCODING', `2.0 dictionary of ${items.kind} items`, where);
      const offsets = new Float64Array(n + 1);
      const valid = new Uint8Array(n);
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        const k = indices[i]!;
        if (k > 0) {
          if (k > items.n) throw new LanceFormatError('BAD_PAGE', `dictionary index ${k - 1} is past ${items.n} items`, where);
          const s = items.bytes.subarray(items.offsets[k - 1]!, items.offsets[k]!);
          parts.push(s);
          total += s.length;
          valid[i] = items.valid ? items.valid[k - 1]! : 1;
        }
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      return { kind: 'var', n, offsets, bytes, valid: valid.every((v) => v === 1) ? null : valid };
    }
    case ENC.bitpacked: {
      const buf = resolveBuffer(sub(m, 3, 'buffer', where), bufs, where);
      return unbitpack(buf, n, pbNum(m, 1), pbNum(m, 2), pbUint(m, 4) !== 0n, where);
    }
    case ENC.constant: {
      const value = pbBytes(m, 1) ?? new Uint8Array();
      const width = bytesPerValueOf(type);
      if (arrow.DataType.isBool(type)) return { kind: 'bool', n, values: new Uint8Array(n).fill(value[0] ? 1 : 0), valid: null };
      if (!width || value.length !== width) throw new LanceFormatError('UNSUPPORTED_ENCODING', `2.0 constant of ${value.length} bytes for ${String(type)}`, where);
      const bytes = new Uint8Array(n * width);
      for (let i = 0; i < n; i++) bytes.set(value, i * width);
      return { kind: 'fixed', n, width, bytes, valid: null };
    }
    case ENC.packedStruct: {
      if (!arrow.DataType.isStruct(type)) throw new LanceFormatError('SCHEMA_MISMATCH', `packed struct page for ${String(type)}`, where);
      const buf = resolveBuffer(sub(m, 2, 'buffer', where), bufs, where);
      // Each child's encoding only says its width: a flat, possibly wrapped in a no-nulls Nullable.
      const widthOf = (enc: PbMessage): number => {
        const [c, inner] = encodingCase(enc, where);
        if (c === ENC.nullable) {
          const [nc, nm] = encodingCase(inner, where);
          if (nc === 1) return widthOf(sub(nm, 1, 'values', where));
        }
        const bits = c === ENC.flat ? pbNum(inner, 1) : 0;
        if (bits % 8 !== 0 || bits === 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', `packed struct child encoded as ${encodingName(c)} with ${bits} bits`, where);
        return bits / 8;
      };
      const widths = (m.get(1) ?? []).map((b) => widthOf(decodePbMessage(b as Uint8Array, where)));
      const rowBytes = widths.reduce((a, w) => a + w, 0);
      if (buf.length < n * rowBytes) throw new LanceFormatError('BAD_PAGE', `packed struct buffer of ${buf.length} bytes holds fewer than ${n} rows of ${rowBytes} bytes`, where);
      let at = 0;
      const children: Col[] = widths.map((w) => {
        const bytes = new Uint8Array(n * w);
        for (let i = 0; i < n; i++) bytes.set(buf.subarray(i * rowBytes + at, i * rowBytes + at + w), i * w);
        at += w;
        return { kind: 'fixed', n, width: w, bytes, valid: null };
      });
      return { kind: 'struct', n, children, valid: null };
    }
    default:
      throw new LanceFormatError('UNSUPPORTED_ENCODING', `2.0 page encoding "${encodingName(which)}" is not supported by lancet`, where);
  }
}
