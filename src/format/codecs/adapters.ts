// Glue between the protobuf CompressiveEncoding messages the file reader dispatches on and the
// pure codecs in this directory: validates the message fields, picks the word size, and shapes
// the output as the dispatcher's DecodedValues.
import { LanceFormatError } from '../../errors.js';
import type {
  ByteStreamSplit,
  Fsst,
  General,
  InlineBitpacking,
  OutOfLineBitpacking,
  Rle,
  CompressiveEncoding,
} from '../proto/encodings_v2_1_pb.js';
import type { DecodedValues, FixedValues, VariableValues, Where } from '../file/reader/compressive.js';
import { decodeInlineBitpacking, decodeInlineBitpackingBlock, decodeOutOfLineBitpacking } from './bitpacking.js';
import { decodeByteStreamSplit } from './byte-stream-split.js';
import type { WordBits } from './fastlanes.js';
import { decodeFsst, fsstTableFor } from './fsst.js';
import { decompressGeneral } from './registry.js';
import { decodeRle, decodeRleBlock } from './rle.js';
import { applyDictionary, readIndices } from './dictionary.js';

function bad(where: Where, msg: string): LanceFormatError {
  return new LanceFormatError('BAD_PAGE', msg, where);
}

function unsupported(where: Where, what: string): LanceFormatError {
  return new LanceFormatError('UNSUPPORTED_ENCODING', `compressive encoding "${what}" is not supported by lancet yet`, where);
}

function wordBits(bits: bigint, what: string, where: Where): WordBits {
  if (bits === 8n || bits === 16n || bits === 32n || bits === 64n) return Number(bits) as WordBits;
  throw bad(where, `${what} works on 8/16/32/64-bit values, found ${bits}`);
}

/** Flat{bits} without buffer compression, as Lance 2.2 allows inside RLE/OOL/BSS. */
function plainFlatBits(enc: CompressiveEncoding | undefined, what: string, where: Where): number {
  const c = enc?.compression;
  if (c?.case !== 'flat') throw unsupported(where, `${what} over ${c?.case ?? 'unset'}`);
  if (c.value.data) throw unsupported(where, `${what} over Flat with buffer compression`);
  return Number(c.value.bitsPerValue);
}

function fixed(data: Uint8Array, numValues: number, bits: number): FixedValues {
  return { kind: 'fixed', numValues, bitsPerValue: bits, data };
}

function wrap<T>(where: Where, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // Codec errors carry no file location; re-raise them with the page's.
    if (e instanceof LanceFormatError && e.path === undefined) {
      throw new LanceFormatError(e.code, e.message, { ...e.details, ...where }, { cause: e });
    }
    throw e;
  }
}

export function miniInlineBitpacking(enc: InlineBitpacking, chunk: Uint8Array, numValues: number, where: Where): FixedValues {
  if (enc.values) throw unsupported(where, 'InlineBitpacking with buffer compression');
  const t = wordBits(enc.uncompressedBitsPerValue, 'InlineBitpacking', where);
  return fixed(wrap(where, () => decodeInlineBitpacking(chunk, t, numValues)), numValues, t);
}

export function blockInlineBitpacking(enc: InlineBitpacking, data: Uint8Array, numValues: number, where: Where): FixedValues {
  if (enc.values) throw unsupported(where, 'InlineBitpacking with buffer compression');
  const t = wordBits(enc.uncompressedBitsPerValue, 'InlineBitpacking', where);
  return fixed(wrap(where, () => decodeInlineBitpackingBlock(data, t, numValues)), numValues, t);
}

export function outOfLineBitpacking(enc: OutOfLineBitpacking, data: Uint8Array, numValues: number, where: Where): FixedValues {
  const t = wordBits(enc.uncompressedBitsPerValue, 'OutOfLineBitpacking', where);
  const bw = plainFlatBits(enc.values, 'OutOfLineBitpacking', where);
  return fixed(wrap(where, () => decodeOutOfLineBitpacking(data, t, bw, numValues)), numValues, t);
}

function rleWidths(enc: Rle, where: Where): number {
  const bits = plainFlatBits(enc.values, 'Rle values', where);
  if (bits % 8 !== 0 || bits === 0 || bits > 128) throw bad(where, `Rle values of ${bits} bits`);
  const lenBits = plainFlatBits(enc.runLengths, 'Rle run lengths', where);
  if (lenBits !== 8) throw unsupported(where, `Rle with ${lenBits}-bit run lengths (2.3 "RLE v2")`);
  return bits;
}

export function miniRle(enc: Rle, values: Uint8Array, runLengths: Uint8Array, numValues: number, where: Where): FixedValues {
  const bits = rleWidths(enc, where);
  return fixed(wrap(where, () => decodeRle(values, runLengths, bits / 8, numValues)), numValues, bits);
}

export function blockRle(enc: Rle, data: Uint8Array, numValues: number, where: Where): FixedValues {
  const bits = rleWidths(enc, where);
  return fixed(wrap(where, () => decodeRleBlock(data, bits / 8, numValues)), numValues, bits);
}

export function byteStreamSplit(enc: ByteStreamSplit, data: Uint8Array, numValues: number, where: Where): FixedValues {
  const bits = plainFlatBits(enc.values, 'ByteStreamSplit', where);
  if (bits % 8 !== 0) throw bad(where, `ByteStreamSplit of ${bits}-bit values`);
  return fixed(wrap(where, () => decodeByteStreamSplit(data, bits / 8, numValues)), numValues, bits);
}

/** FSST-decodes the strings the inner (Variable) encoding produced. */
export function fsst(enc: Fsst, inner: DecodedValues, where: Where): VariableValues {
  if (inner.kind !== 'variable') throw bad(where, `Fsst must wrap variable-width values, found ${inner.kind}`);
  return wrap(where, () => {
    const out = decodeFsst(fsstTableFor(enc.symbolTable), inner.offsets, inner.data);
    return { kind: 'variable', numValues: inner.numValues, offsets: out.offsets, data: out.data };
  });
}

/** Decompresses one General-compressed buffer (prefix handling in the registry). */
export function general(enc: General, data: Uint8Array, where: Where): Uint8Array {
  const scheme = enc.compression?.scheme;
  if (scheme === undefined) throw bad(where, 'General compression without a scheme');
  return wrap(where, () => decompressGeneral(scheme, data));
}

/** Full-zip per-value General: every value was compressed on its own. */
export function generalPerValue(enc: General, raw: VariableValues, where: Where): VariableValues {
  const n = raw.numValues;
  const parts: Uint8Array[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = Number(raw.offsets[i]!);
    const b = Number(raw.offsets[i + 1]!);
    parts[i] = a === b ? new Uint8Array(0) : general(enc, raw.data.subarray(a, b), where);
    total += parts[i]!.byteLength;
  }
  const data = new Uint8Array(total);
  const wide = raw.offsets instanceof BigUint64Array || total > 0xffffffff;
  const offsets = wide ? new BigUint64Array(n + 1) : new Uint32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    data.set(parts[i]!, o);
    o += parts[i]!.byteLength;
    if (wide) (offsets as BigUint64Array)[i + 1] = BigInt(o);
    else (offsets as Uint32Array)[i + 1] = o;
  }
  return { kind: 'variable', numValues: n, offsets, data };
}

/**
 * Mini-block dictionary pages: maps a chunk's decoded indices (u8..u64 fixed values) to the
 * page's decoded dictionary items (fixed or variable).
 */
export function dictionaryLookup(indices: DecodedValues, items: DecodedValues, where: Where): DecodedValues {
  if (indices.kind !== 'fixed' || indices.bitsPerValue % 8 !== 0) {
    throw bad(where, `dictionary indices must be byte-aligned integers, found ${indices.kind}`);
  }
  if (items.kind !== 'fixed' && items.kind !== 'variable') throw unsupported(where, `dictionary of ${items.kind} items`);
  return wrap(where, () => applyDictionary(readIndices(indices.data, indices.bitsPerValue / 8, indices.numValues), items));
}
