// Per-page encoding selection, following Lance 12's DefaultCompressionStrategy and the 2.1/2.2
// structural encoder: from the page's statistics (run count, bit widths per 1024 values,
// cardinality, string lengths) and the field metadata Lance reads, pick RLE, FastLanes
// bit-packing, FSST, dictionary or plain values, optionally wrapped in general compression.
//
// Lance uses zstd where general compression kicks in by default (dictionary items, levels of
// 32 KiB+ in 2.2). Lancet has no zstd *encoder* unless one is registered (registerCodec with
// compress), so it writes LZ4 there: Lance reads General buffers of either scheme in every place
// it writes them.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { CompressionScheme, CompressiveEncodingSchema, type CompressiveEncoding } from '../../proto/encodings_v2_1_pb.js';
import type { FileVersion } from '../footer.js';
import type { PageValues } from './page-input.js';
import { InvalidInputError } from '../../../errors.js';
import { encodeInlineBitpacking, encodeOutOfLineBitpacking } from '../../codecs/bitpacking.js';
import { encodeRle } from '../../codecs/rle.js';
import { compressGeneral, getCodec } from '../../codecs/registry.js';
import { fsstCompress, trainFsst } from '../../codecs/fsst-encode.js';
import { FASTLANES_BLOCK, type WordBits } from '../../codecs/fastlanes.js';
import { distinctValues } from './distinct.js';

export const COMPRESSION_KEY = 'lance-encoding:compression';
export const COMPRESSION_LEVEL_KEY = 'lance-encoding:compression-level';
export const RLE_THRESHOLD_KEY = 'lance-encoding:rle-threshold';
export const DICT_SIZE_RATIO_KEY = 'lance-encoding:dict-size-ratio';
export const BSS_KEY = 'lance-encoding:bss';

/** Lance: RLE when runs < threshold × values. */
const DEFAULT_RLE_THRESHOLD = 0.5;
/** Lance: dictionary when the estimated encoded size is below this share of the raw size. */
const DEFAULT_DICT_SIZE_RATIO = 0.8;
/** Lance does not dictionary-encode pages with fewer values. */
const DICT_MIN_VALUES = 100;
/** Values sampled before an exact cardinality count. */
const SAMPLE_VALUES = 4096;
/** Lance's FSST thresholds (fsst::FSST_LEAST_INPUT_MAX_LENGTH / _SIZE). */
const FSST_MIN_MAX_LENGTH = 5;
const FSST_MIN_BYTES = 32 * 1024;
/** Lance 2.2 general-compresses blocks larger than this by default. */
const GENERAL_BLOCK_MIN_BYTES = 32 * 1024;
/** Lance's RLE mini-block chunks hold at most this many values. */
const RLE_CHUNK_VALUES = 2048;

export interface EncodingParams {
  /** 'none' | 'fsst' | 'lz4' | 'zstd' (lance-encoding:compression). */
  compression?: string;
  level?: number;
  rleThreshold: number;
  dictSizeRatio: number;
}

/** The compression parameters Lance reads from a field's metadata. */
export function encodingParams(metadata: Record<string, string>, column = ''): EncodingParams {
  const compression = metadata[COMPRESSION_KEY]?.toLowerCase();
  if (compression !== undefined && !['none', 'fsst', 'lz4', 'zstd'].includes(compression)) {
    throw new InvalidInputError(
      'BAD_ENCODING_METADATA',
      `column "${column}" asks for ${COMPRESSION_KEY} = "${compression}"; use none, fsst, lz4 or zstd`,
      { column },
    );
  }
  const num = (k: string): number | undefined => {
    const raw = metadata[k];
    if (raw === undefined) return undefined;
    const v = Number(raw);
    return Number.isFinite(v) ? v : undefined;
  };
  const ratio = num(DICT_SIZE_RATIO_KEY) ?? DEFAULT_DICT_SIZE_RATIO;
  if (!(ratio > 0 && ratio <= 1)) {
    throw new InvalidInputError('BAD_ENCODING_METADATA', `column "${column}" has ${DICT_SIZE_RATIO_KEY} = ${ratio}; it must be in (0, 1]`, { column });
  }
  const level = num(COMPRESSION_LEVEL_KEY);
  return {
    ...(compression !== undefined ? { compression } : {}),
    ...(level !== undefined ? { level } : {}),
    rleThreshold: num(RLE_THRESHOLD_KEY) ?? DEFAULT_RLE_THRESHOLD,
    dictSizeRatio: ratio,
  };
}

export interface ValueChunk {
  start: number;
  count: number;
  /** The chunk's value buffers, unpadded. */
  buffers: Uint8Array[];
}

export interface ValuePlan {
  encoding: CompressiveEncoding;
  chunks: ValueChunk[];
}

function enc(compression: NonNullable<MessageInitShape<typeof CompressiveEncodingSchema>['compression']>): CompressiveEncoding {
  return create(CompressiveEncodingSchema, { compression } as MessageInitShape<typeof CompressiveEncodingSchema>);
}

function flatEnc(bits: number): CompressiveEncoding {
  return enc({ case: 'flat', value: { bitsPerValue: BigInt(bits) } });
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The values as an array of T-bit words (u64 as u32 pairs), copying only when misaligned. */
function words(data: Uint8Array, bits: WordBits): Uint8Array | Uint16Array | Uint32Array {
  const size = bits === 64 ? 4 : bits >> 3;
  const b = data.byteOffset % size === 0 ? data : data.slice();
  if (size === 1) return b;
  if (size === 2) return new Uint16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
}

/** Number of runs of equal values (Lance's RunCount statistic). */
export function runCount(data: Uint8Array, bits: WordBits, n: number): number {
  if (n === 0) return 0;
  const w = words(data, bits);
  let runs = 1;
  if (bits === 64) {
    for (let i = 1; i < n; i++) if (w[2 * i] !== w[2 * i - 2] || w[2 * i + 1] !== w[2 * i - 1]) runs++;
  } else {
    for (let i = 1; i < n; i++) if (w[i] !== w[i - 1]) runs++;
  }
  return runs;
}

/** Bit width needed by each group of 1024 values (Lance's BitWidth statistic). */
export function blockBitWidths(data: Uint8Array, bits: WordBits, n: number): number[] {
  const w = words(data, bits);
  const out: number[] = [];
  for (let s = 0; s < n; s += FASTLANES_BLOCK) {
    const e = Math.min(n, s + FASTLANES_BLOCK);
    let lo = 0;
    let hi = 0;
    if (bits === 64) {
      for (let i = s; i < e; i++) {
        lo |= w[2 * i]!;
        hi |= w[2 * i + 1]!;
      }
      out.push(hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo));
    } else {
      for (let i = s; i < e; i++) lo |= w[i]!;
      out.push(32 - Math.clz32(lo));
    }
  }
  return out;
}

function isWord(bits: number): bits is WordBits {
  return bits === 8 || bits === 16 || bits === 32 || bits === 64;
}

// ---------------------------------------------------------------------------------------------
// General compression

/** The scheme actually written for a requested one: zstd only when a zstd compressor is registered. */
function generalScheme(requested: string): { scheme: 'lz4' | 'zstd'; pb: CompressionScheme } {
  if (requested === 'zstd') {
    try {
      if (getCodec('zstd').compress) return { scheme: 'zstd', pb: CompressionScheme.COMPRESSION_ALGORITHM_ZSTD };
    } catch {
      // No zstd codec at all: LZ4 below.
    }
  }
  return { scheme: 'lz4', pb: CompressionScheme.COMPRESSION_ALGORITHM_LZ4 };
}

/** Lance's GeneralMiniBlockCompressor: the first buffer of every chunk is general-compressed. */
function wrapGeneral(plan: ValuePlan, params: EncodingParams): ValuePlan {
  const c = params.compression;
  if (c !== 'lz4' && c !== 'zstd') return plan;
  const { scheme, pb } = generalScheme(c);
  return {
    encoding: enc({
      case: 'general',
      value: { compression: { scheme: pb, ...(params.level !== undefined && scheme === c ? { level: params.level } : {}) }, values: plan.encoding },
    }),
    chunks: plan.chunks.map((ch) => ({ ...ch, buffers: [compressGeneral(scheme, ch.buffers[0]!), ...ch.buffers.slice(1)] })),
  };
}

// ---------------------------------------------------------------------------------------------
// Mini-block values

/** Power-of-two chunks of at most `per` values (the last may be shorter). */
function spans(n: number, per: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += per) out.push([s, Math.min(per, n - s)]);
  return out;
}

/**
 * Mini-block plan for fixed-width values, or undefined to keep plain Flat chunks. `flatChunks`
 * builds the plain chunking (the caller owns its sizing rules).
 */
export function planFixedValues(
  v: Extract<PageValues, { kind: 'fixed' }>,
  n: number,
  params: EncodingParams,
  flatChunks: () => ValueChunk[],
): ValuePlan | undefined {
  if (params.compression === 'none' || n === 0) return undefined;
  let plan: ValuePlan | undefined;
  const bits = v.bits;
  if (isWord(bits)) {
    const bytes = bits >> 3;
    if (runCount(v.data, bits, n) < n * params.rleThreshold) {
      plan = {
        encoding: enc({ case: 'rle', value: { values: flatEnc(bits), runLengths: flatEnc(8) } }),
        chunks: spans(n, RLE_CHUNK_VALUES).map(([start, count]) => {
          const r = encodeRle(v.data.subarray(start * bytes, (start + count) * bytes), bytes, count);
          return { start, count, buffers: [r.values, r.runLengths] };
        }),
      };
    } else {
      const widths = blockBitWidths(v.data, bits, n);
      const tooSmall = widths.length === 1 && 128 * widths[0]! + bytes >= n * bytes;
      if (!tooSmall) {
        plan = {
          encoding: enc({ case: 'inlineBitpacking', value: { uncompressedBitsPerValue: BigInt(bits) } }),
          chunks: spans(n, FASTLANES_BLOCK).map(([start, count], k) => ({
            start,
            count,
            buffers: [encodeInlineBitpacking(v.data.subarray(start * bytes, (start + count) * bytes), bits, count, widths[k])],
          })),
        };
      }
    }
  }
  if (!plan) {
    if (params.compression !== 'lz4' && params.compression !== 'zstd') return undefined;
    plan = { encoding: flatEnc(bits), chunks: flatChunks() };
  }
  return wrapGeneral(plan, params);
}

/** Whether Lance would FSST-compress a page of strings (mini-block or per-value). */
export function wantsFsst(v: Extract<PageValues, { kind: 'variable' }>, params: EncodingParams): boolean {
  if (params.compression === 'none') return false;
  if (params.compression === 'fsst') return true;
  const n = v.offsets.length - 1;
  let maxLen = 0;
  for (let i = 0; i < n; i++) maxLen = Math.max(maxLen, v.offsets[i + 1]! - v.offsets[i]!);
  return maxLen >= FSST_MIN_MAX_LENGTH && v.offsets[n]! - v.offsets[0]! >= FSST_MIN_BYTES;
}

/**
 * Mini-block plan for strings/binary, or undefined for plain Variable chunks. `chunk` cuts
 * (offsets, bytes) into Variable chunks with the caller's sizing rules.
 */
export function planVariableValues(
  v: Extract<PageValues, { kind: 'variable' }>,
  params: EncodingParams,
  chunk: (offsets: Float64Array, data: Uint8Array) => ValueChunk[],
): ValuePlan | undefined {
  if (params.compression === 'none') return undefined;
  const inner = enc({ case: 'variable', value: { offsets: flatEnc(v.offsetBits) } });
  let plan: ValuePlan | undefined;
  if (wantsFsst(v, params)) {
    const fsst = trainFsst(v.data, v.offsets);
    const coded = fsstCompress(fsst, v.data, v.offsets);
    plan = {
      encoding: enc({ case: 'fsst', value: { symbolTable: fsst.table, values: inner } }),
      chunks: chunk(coded.offsets, coded.codes),
    };
  }
  if (!plan) {
    if (params.compression !== 'lz4' && params.compression !== 'zstd') return undefined;
    plan = { encoding: inner, chunks: chunk(v.offsets, v.data) };
  }
  return wrapGeneral(plan, params);
}

// ---------------------------------------------------------------------------------------------
// Definition levels (Lance compresses them with its block compressor, one block per chunk)

export interface LevelPlan {
  encoding: CompressiveEncoding;
  /** One compressed block per value chunk. */
  blocks: Uint8Array[];
}

function levelBytes(def: Uint16Array, start: number, count: number): Uint8Array {
  return new Uint8Array(def.buffer, def.byteOffset + start * 2, count * 2);
}

/** Block compression of u16 levels cut along the value chunks, chosen as Lance's block strategy does. */
export function planLevels(def: Uint16Array, chunks: ReadonlyArray<{ start: number; count: number }>, version: FileVersion): LevelPlan | undefined {
  const n = def.length;
  const all = new Uint8Array(def.buffer, def.byteOffset, n * 2);
  const widths = blockBitWidths(all, 16, n);
  const maxWidth = Math.max(...widths);
  const tooSmall = widths.length === 1 && 128 * widths[0]! + 2 >= n * 2;
  if (!widths.includes(0) && !tooSmall) {
    if (n <= FASTLANES_BLOCK) {
      return {
        encoding: enc({ case: 'inlineBitpacking', value: { uncompressedBitsPerValue: 16n } }),
        blocks: chunks.map((c) => inlineBlock(levelBytes(def, c.start, c.count), c.count)),
      };
    }
    return {
      encoding: enc({ case: 'outOfLineBitpacking', value: { uncompressedBitsPerValue: 16n, values: flatEnc(maxWidth) } }),
      blocks: chunks.map((c) => encodeOutOfLineBitpacking(levelBytes(def, c.start, c.count), 16, maxWidth, c.count)),
    };
  }
  if (version === '2.2' && n * 2 > GENERAL_BLOCK_MIN_BYTES) {
    const { scheme, pb } = generalScheme('zstd');
    return {
      encoding: enc({ case: 'general', value: { compression: { scheme: pb }, values: flatEnc(16) } }),
      blocks: chunks.map((c) => compressGeneral(scheme, levelBytes(def, c.start, c.count))),
    };
  }
  return undefined;
}

/** InlineBitpacking as a block: one width word + packed block per 1024 values. */
function inlineBlock(bytes: Uint8Array, n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let s = 0; s < n; s += FASTLANES_BLOCK) {
    const count = Math.min(FASTLANES_BLOCK, n - s);
    parts.push(encodeInlineBitpacking(bytes.subarray(s * 2, (s + count) * 2), 16, count));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dictionary

/**
 * Lance's should_dictionary_encode for strings: at least 100 values and an estimated
 * dictionary size (distinct bytes + distinct offsets + 4-byte indices) below
 * `dictSizeRatio` of the raw size. Counting stops as soon as the estimate cannot pass.
 */
export function shouldDictionaryEncode(v: PageValues, params: EncodingParams): boolean {
  if (v.kind !== 'variable' || v.offsetBits !== 32 || params.compression === 'none') return false;
  const n = v.offsets.length - 1;
  if (n < DICT_MIN_VALUES) return false;
  const dataBytes = v.offsets[n]! - v.offsets[0]!;
  const raw = dataBytes + (n + 1) * 4;
  const avg = Math.floor(dataBytes / n);
  const budget = raw * params.dictSizeRatio - n * 4;
  if (budget <= 0) return false;
  const maxDistinct = Math.floor(budget / (avg + 4));
  const o = v.offsets;
  // Shortcut for clearly high cardinality: if m evenly spread values are all distinct, a
  // cardinality C makes that likely only when C is well above m²/20 (P ≈ exp(-m²/2C) < e^-10).
  const m = Math.min(n, SAMPLE_VALUES);
  if (m < n && maxDistinct < (m * m) / 20) {
    const so = new Float64Array(m + 1);
    const parts: Uint8Array[] = [];
    for (let j = 0; j < m; j++) {
      const i = Math.floor((j * n) / m);
      parts.push(v.data.subarray(o[i]!, o[i + 1]!));
      so[j + 1] = so[j]! + parts[j]!.length;
    }
    const sd = new Uint8Array(so[m]!);
    parts.forEach((p, j) => sd.set(p, so[j]!));
    if (distinctValues(sd, so)!.firsts.length === m) return false;
  }
  const d = distinctValues(v.data, o, maxDistinct);
  return d !== undefined && d.firsts.length * (avg + 4) + n * 4 < raw * params.dictSizeRatio;
}
