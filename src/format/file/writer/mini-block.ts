// Mini-block pages: values cut into chunks of power-of-two value counts (except the last), each
// chunk `u16 num_levels | u16 def_size | value buffer sizes (u16 in 2.1, u32 in 2.2) | pad8 |
// def levels | pad8 | buffers, each padded to 8`; buffer 0 holds one metadata word per chunk.
import { create } from '@bufbuild/protobuf';
import { CompressiveEncodingSchema, PageLayoutSchema, type CompressiveEncoding } from '../../proto/encodings_v2_1_pb.js';
import type { FileVersion } from '../footer.js';
import type { PageInput } from './page-input.js';
import { flat, variable, type EncodedPage } from './encode-page.js';
import { InvalidInputError } from '../../../errors.js';
import { copyBits } from '../bits.js';
import { planFixedValues, planLevels, planVariableValues, type EncodingParams } from './encoding-choice.js';

/** Value bytes Lance aims for per chunk. */
const CHUNK_TARGET_BYTES = 8 * 1024;
/** At most this many values per chunk (the 2.1 limit; also fine for 2.2). */
const MAX_CHUNK_VALUES = 4096;

interface Chunk {
  start: number;
  count: number;
  /** The chunk's value buffers, unpadded. */
  buffers: Uint8Array[];
}

function pad8(n: number): number {
  return (8 - (n & 7)) & 7;
}

export function largestPow2AtMost(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

export function sliceBits(src: Uint8Array, fromBit: number, count: number): Uint8Array {
  if ((fromBit & 7) === 0) return src.subarray(fromBit >> 3, (fromBit + count + 7) >> 3);
  const out = new Uint8Array((count + 7) >> 3);
  copyBits(src, fromBit, out, 0, count);
  return out;
}

/** Chunk boundaries for fixed rows of `rowBits` bits (+ `extraBits` of validity). */
export function fixedChunks(n: number, rowBits: number): Array<[number, number]> {
  const perChunk = Math.min(MAX_CHUNK_VALUES, largestPow2AtMost(Math.max(1, Math.floor((CHUNK_TARGET_BYTES * 8) / rowBits))));
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += perChunk) out.push([s, Math.min(perChunk, n - s)]);
  return out;
}

/** Chunk boundaries for variable values: greedy power-of-two counts within the byte target. */
export function variableChunks(offsets: Float64Array, width: number): Array<[number, number]> {
  const n = offsets.length - 1;
  const bytes = (s: number, k: number) => offsets[s + k]! - offsets[s]! + (k + 1) * width;
  const out: Array<[number, number]> = [];
  let s = 0;
  while (s < n) {
    const rest = n - s;
    if (rest <= MAX_CHUNK_VALUES && bytes(s, rest) <= CHUNK_TARGET_BYTES) {
      out.push([s, rest]);
      break;
    }
    let k = largestPow2AtMost(Math.min(rest, MAX_CHUNK_VALUES));
    while (k > 1 && bytes(s, k) > CHUNK_TARGET_BYTES) k >>= 1;
    out.push([s, k]);
    s += k;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function variableChunkBuffer(offsets: Float64Array, data: Uint8Array, start: number, count: number, width: 4 | 8): Uint8Array {
  const head = (count + 1) * width;
  const base = offsets[start]!;
  const len = offsets[start + count]! - base;
  // The value buffer must be a multiple of the offset width (Lance rejects it otherwise).
  const size = head + len + ((width - ((head + len) % width)) % width);
  const out = new Uint8Array(size);
  if (width === 4 && LITTLE_ENDIAN) {
    // Fresh buffer, so aligned: write the offsets through a Uint32Array view.
    const o32 = new Uint32Array(out.buffer, 0, count + 1);
    const delta = head - base;
    for (let i = 0; i <= count; i++) o32[i] = offsets[start + i]! + delta;
  } else {
    const dv = new DataView(out.buffer);
    for (let i = 0; i <= count; i++) {
      const o = head + offsets[start + i]! - base;
      if (width === 4) dv.setUint32(i * 4, o, true);
      else dv.setBigUint64(i * 8, BigInt(o), true);
    }
  }
  out.set(data.subarray(base, base + len), head);
  out.fill(0x48, head + len);
  return out;
}

/**
 * `params` (the column's encoding parameters) turns on Lance's per-page compression choice
 * (encoding-choice.ts); without it values and levels are written plain.
 */
export function encodeMiniBlock(input: PageInput, version: FileVersion, params?: EncodingParams): EncodedPage {
  const v = input.values;
  const n = input.numRows;
  let valueCompression: CompressiveEncoding;
  let chunks: Chunk[];
  switch (v.kind) {
    case 'fixed': {
      const plainChunks = () => fixedChunks(n, v.bits).map(([start, count]) => ({ start, count, buffers: [sliceBits(v.data, start * v.bits, count * v.bits)] }));
      const plan = params && planFixedValues(v, n, params, plainChunks);
      valueCompression = plan ? plan.encoding : flat(v.bits);
      chunks = plan ? plan.chunks : plainChunks();
      break;
    }
    case 'fsl': {
      const rowBits = v.dim * v.itemBits + (v.validity ? v.dim : 0);
      valueCompression = create(CompressiveEncodingSchema, {
        compression: { case: 'fixedSizeList', value: { itemsPerValue: BigInt(v.dim), values: flat(v.itemBits), hasValidity: !!v.validity } },
      });
      chunks = fixedChunks(n, rowBits).map(([start, count]) => {
        const items = sliceBits(v.data, start * v.dim * v.itemBits, count * v.dim * v.itemBits);
        const buffers = v.validity ? [sliceBits(v.validity, start * v.dim, count * v.dim), items] : [items];
        return { start, count, buffers };
      });
      break;
    }
    case 'variable': {
      const w = (v.offsetBits / 8) as 4 | 8;
      const cut = (offsets: Float64Array, data: Uint8Array) =>
        variableChunks(offsets, w).map(([start, count]) => ({ start, count, buffers: [variableChunkBuffer(offsets, data, start, count, w)] }));
      const plan = params && planVariableValues(v, params, cut);
      valueCompression = plan ? plan.encoding : variable(v.offsetBits);
      chunks = plan ? plan.chunks : cut(v.offsets, v.data);
      break;
    }
    case 'blob':
      throw new InvalidInputError('BAD_LAYOUT', 'blob descriptors are always written full-zip');
  }
  const large = version === '2.2';
  const sizeWidth = large ? 4 : 2;
  const meta = new Uint8Array(chunks.length * sizeWidth);
  const metaView = new DataView(meta.buffer);
  const hasDef = input.def !== null;
  const def = input.def;
  const levels = def && params ? planLevels(def, chunks, version) : undefined;
  const defBlock = (c: Chunk, ci: number): Uint8Array =>
    levels ? levels.blocks[ci]! : new Uint8Array(def!.buffer, def!.byteOffset + c.start * 2, c.count * 2);
  const padded = (len: number) => len + pad8(len);
  const headerLen = (c: Chunk) => 2 + (hasDef ? 2 : 0) + c.buffers.length * sizeWidth;
  // Sizes first, then every chunk written straight into one buffer of the exact size.
  let total = 0;
  const chunkBytes = new Float64Array(chunks.length);
  chunks.forEach((c, ci) => {
    let bytes = padded(headerLen(c)) + (hasDef ? padded(defBlock(c, ci).length) : 0);
    for (const b of c.buffers) bytes += padded(b.length);
    chunkBytes[ci] = bytes;
    total += bytes;
  });
  const data = new Uint8Array(total);
  const dv = new DataView(data.buffer);
  let o = 0;
  chunks.forEach((c, ci) => {
    const start = o;
    dv.setUint16(o, hasDef ? c.count : 0, true);
    let p = o + 2;
    if (hasDef) {
      dv.setUint16(p, defBlock(c, ci).length, true);
      p += 2;
    }
    for (const b of c.buffers) {
      if (large) dv.setUint32(p, b.length, true);
      else dv.setUint16(p, b.length, true);
      p += sizeWidth;
    }
    o += padded(headerLen(c));
    if (def) {
      const block = defBlock(c, ci);
      data.set(block, o);
      o += padded(block.length);
    }
    for (const b of c.buffers) {
      data.set(b, o);
      o += padded(b.length);
    }
    const bytes = chunkBytes[ci]!;
    if (o - start !== bytes) throw new Error(`internal: mini-block chunk ${ci} wrote ${o - start} bytes, planned ${bytes}`);
    const log = ci === chunks.length - 1 ? 0 : Math.log2(c.count);
    const word = ((bytes / 8 - 1) << 4) | log;
    if (large) metaView.setUint32(ci * 4, word >>> 0, true);
    else metaView.setUint16(ci * 2, word, true);
  });
  const layout = create(PageLayoutSchema, {
    layout: {
      case: 'miniBlockLayout',
      value: {
        ...(input.def ? { defCompression: levels ? levels.encoding : flat(16) } : {}),
        valueCompression,
        layers: input.layers,
        numBuffers: BigInt(chunks[0]?.buffers.length ?? 1),
        numItems: BigInt(n),
        hasLargeChunk: large,
      },
    },
  });
  return { buffers: [meta, data], layout };
}
