// Page encoders for columns below a list (repetition levels), laid out as Lance 12 writes them:
// - mini-block: values chunked as usual (power-of-two value counts except the last chunk); each
//   chunk takes the level entries up to its last value (null/empty lists after it wait for the next
//   chunk, the last chunk takes the rest), so rows may span chunks; a repetition index of
//   (rows finishing in the chunk, leftover entries) u64 pairs follows the chunks;
// - full-zip (values of 256 bytes and more): per entry a control word (rep high bits, def low
//   bits), then the value if visible (variable: only valid items, as length + bytes); buffer 1 is
//   the byte offset of every row start plus the end;
// - constant: no value carries data; raw u16 rep and def levels.
import { create } from '@bufbuild/protobuf';
import { CompressiveEncodingSchema, PageLayoutSchema, type CompressiveEncoding } from '../../proto/encodings_v2_1_pb.js';
import { InvalidInputError } from '../../../errors.js';
import type { FileVersion } from '../footer.js';
import { flat, variable, FULL_ZIP_THRESHOLD, type EncodedPage } from './encode-page.js';
import { fixedChunks, largestPow2AtMost, sliceBits, variableChunkBuffer, variableChunks } from './mini-block.js';
import { bitsFor, controlBytes, repIndexWidth } from './full-zip.js';
import { copyBits } from '../bits.js';
import type { NestedPageInput } from './nested-input.js';
import type { PageValues } from './page-input.js';

/** One chunk's level bytes (rep_size / def_size are u16) must stay below 64 KiB. */
const MAX_CHUNK_LEVELS = 32767;
/** 2.1 chunk words hold 12 bits of 8-byte words: 32 KiB per chunk. */
const MAX_CHUNK_BYTES_21 = 32768;

const pad8 = (n: number) => (n + 7) & ~7;

function u16Bytes(levels: Uint16Array): Uint8Array {
  const out = new Uint8Array(levels.length * 2);
  const dv = new DataView(out.buffer);
  levels.forEach((l, i) => dv.setUint16(i * 2, l, true));
  return out;
}

function maxOf(a: Uint16Array | null): number {
  let m = 0;
  if (a) for (const x of a) if (x > m) m = x;
  return m;
}

function fslEncoding(v: Extract<PageValues, { kind: 'fsl' }>): CompressiveEncoding {
  return create(CompressiveEncodingSchema, {
    compression: { case: 'fixedSizeList', value: { itemsPerValue: BigInt(v.dim), values: flat(v.itemBits), hasValidity: !!v.validity } },
  });
}

function maxVariableBytes(offsets: Float64Array): number {
  let m = 0;
  for (let i = 1; i < offsets.length; i++) m = Math.max(m, offsets[i]! - offsets[i - 1]!);
  return m;
}

export function encodeNestedPage(input: NestedPageInput, version: FileVersion): EncodedPage {
  const v = input.values;
  if (input.noValidItems) return encodeNestedConstant(input, version);
  const big =
    v.kind === 'variable'
      ? maxVariableBytes(v.offsets) >= FULL_ZIP_THRESHOLD
      : v.kind === 'fsl'
        ? v.dim * v.itemBits >= FULL_ZIP_THRESHOLD * 8 && v.itemBits % 8 === 0
        : v.kind === 'fixed' && v.bits >= FULL_ZIP_THRESHOLD * 8;
  return big ? encodeNestedFullZip(input) : encodeNestedMiniBlock(input, version);
}

function encodeNestedConstant(input: NestedPageInput, version: FileVersion): EncodedPage {
  const buffers = [u16Bytes(input.rep)];
  if (input.def) buffers.push(u16Bytes(input.def));
  const n = BigInt(input.rep.length);
  const extra =
    version === '2.2'
      ? { repCompression: flat(16), ...(input.def ? { defCompression: flat(16), numDefValues: n } : {}), numRepValues: n }
      : {};
  return { buffers, layout: create(PageLayoutSchema, { layout: { case: 'constantLayout', value: { layers: input.layers, ...extra } } }) };
}

interface LevelChunk {
  start: number;
  count: number;
  buffers: Uint8Array[];
  e0: number;
  e1: number;
}

function valueChunks(v: PageValues, n: number): { enc: CompressiveEncoding; chunks: Array<[number, number]>; buffersOf: (s: number, c: number) => Uint8Array[] } {
  switch (v.kind) {
    case 'fixed':
      return { enc: flat(v.bits), chunks: fixedChunks(n, v.bits), buffersOf: (s, c) => [sliceBits(v.data, s * v.bits, c * v.bits)] };
    case 'fsl': {
      const rowBits = v.dim * v.itemBits + (v.validity ? v.dim : 0);
      return {
        enc: fslEncoding(v),
        chunks: fixedChunks(n, rowBits),
        buffersOf: (s, c) => {
          const items = sliceBits(v.data, s * v.dim * v.itemBits, c * v.dim * v.itemBits);
          return v.validity ? [sliceBits(v.validity, s * v.dim, c * v.dim), items] : [items];
        },
      };
    }
    case 'variable': {
      const w = (v.offsetBits / 8) as 4 | 8;
      return { enc: variable(v.offsetBits), chunks: variableChunks(v.offsets, w), buffersOf: (s, c) => [variableChunkBuffer(v.offsets, v.data, s, c, w)] };
    }
    case 'blob':
      throw new InvalidInputError('UNSUPPORTED_TYPE', 'blob v2 columns cannot be nested inside lists');
  }
}

function encodeNestedMiniBlock(input: NestedPageInput, version: FileVersion): EncodedPage {
  const { rep, def, maxVisibleDef, maxRep } = input;
  const n = input.numVisible;
  const numEntries = rep.length;
  const { enc, chunks: plan, buffersOf } = valueChunks(input.values, n);
  const large = version === '2.2';
  const sw = large ? 4 : 2;
  const hasDef = def !== null;
  // Entry index after the v-th visible entry (v = 1..n).
  const visibleEnd = new Int32Array(n + 1);
  let k = 0;
  for (let e = 0; e < numEntries && k < n; e++) if (!def || def[e]! <= maxVisibleDef) visibleEnd[++k] = e + 1;
  const chunkBytes = (c: { count: number; buffers: Uint8Array[]; e0: number; e1: number }) => {
    const levels = c.e1 - c.e0;
    let b = pad8(2 + 2 + (hasDef ? 2 : 0) + c.buffers.length * sw) + pad8(levels * 2) + (hasDef ? pad8(levels * 2) : 0);
    for (const x of c.buffers) b += pad8(x.length);
    return b;
  };
  const chunks: LevelChunk[] = [];
  const place = (start: number, count: number, last: boolean) => {
    const e0 = start === 0 ? 0 : visibleEnd[start]!;
    const e1 = last ? numEntries : visibleEnd[start + count]!;
    const c = { start, count, buffers: buffersOf(start, count), e0, e1 };
    const tooBig = e1 - e0 > MAX_CHUNK_LEVELS || (!large && chunkBytes(c) > MAX_CHUNK_BYTES_21);
    if (tooBig && count > 1) {
      const head = last ? largestPow2AtMost(count - 1) : count / 2;
      place(start, head, false);
      place(start + head, count - head, last);
      return;
    }
    if (tooBig) {
      throw new InvalidInputError(
        'PAGE_TOO_NESTED',
        `a mini-block chunk around one value would hold ${e1 - e0} rep/def levels (${chunkBytes(c)} bytes); limits are ${MAX_CHUNK_LEVELS} levels` +
          `${large ? '' : ` and ${MAX_CHUNK_BYTES_21} bytes in file version 2.1`}: write fewer consecutive empty or null lists per batch, or use file version 2.2`,
      );
    }
    chunks.push(c);
  };
  plan.forEach(([s, c], i) => place(s, c, i === plan.length - 1));
  const meta = new Uint8Array(chunks.length * sw);
  const metaView = new DataView(meta.buffer);
  const sizes = chunks.map(chunkBytes);
  const data = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  const dv = new DataView(data.buffer);
  const repIndex = new BigUint64Array(chunks.length * 2);
  let o = 0;
  chunks.forEach((c, ci) => {
    const start = o;
    const levels = c.e1 - c.e0;
    dv.setUint16(o, levels, true);
    dv.setUint16(o + 2, levels * 2, true);
    let p = o + 4;
    if (hasDef) {
      dv.setUint16(p, levels * 2, true);
      p += 2;
    }
    for (const b of c.buffers) {
      if (large) dv.setUint32(p, b.length, true);
      else dv.setUint16(p, b.length, true);
      p += sw;
    }
    o = start + pad8(p - start);
    for (let e = c.e0; e < c.e1; e++) dv.setUint16(o + (e - c.e0) * 2, rep[e]!, true);
    o += pad8(levels * 2);
    if (def) {
      for (let e = c.e0; e < c.e1; e++) dv.setUint16(o + (e - c.e0) * 2, def[e]!, true);
      o += pad8(levels * 2);
    }
    for (const b of c.buffers) {
      data.set(b, o);
      o += pad8(b.length);
    }
    if (o - start !== sizes[ci]) throw new Error(`internal: nested mini-block chunk ${ci} wrote ${o - start} bytes, planned ${sizes[ci]}`);
    const log = ci === chunks.length - 1 ? 0 : Math.log2(c.count);
    const word = ((sizes[ci]! / 8 - 1) << 4) | log;
    if (large) metaView.setUint32(ci * 4, word >>> 0, true);
    else metaView.setUint16(ci * 2, word, true);
    // Repetition index, as Lance computes it: rows finishing here and entries left over.
    let finished = 0;
    for (let e = c.e0 + 1; e < c.e1; e++) if (rep[e] === maxRep) finished++;
    let leftovers = 0;
    if (ci < chunks.length - 1) {
      let e = c.e1 - 1;
      while (e >= c.e0 && rep[e] !== maxRep) e--;
      leftovers = e >= c.e0 ? c.e1 - e : levels;
    }
    if (ci > 0 && rep[c.e0] === maxRep && repIndex[2 * ci - 1] !== 0n) {
      repIndex[2 * ci - 2]! += 1n;
      repIndex[2 * ci - 1] = 0n;
    }
    if (ci === chunks.length - 1) finished++;
    repIndex[2 * ci] = BigInt(finished);
    repIndex[2 * ci + 1] = BigInt(leftovers);
  });
  const layout = create(PageLayoutSchema, {
    layout: {
      case: 'miniBlockLayout',
      value: {
        repCompression: flat(16),
        ...(hasDef ? { defCompression: flat(16) } : {}),
        valueCompression: enc,
        layers: input.layers,
        numBuffers: BigInt(chunks[0]?.buffers.length ?? 1),
        repetitionIndexDepth: 1,
        numItems: BigInt(n),
        hasLargeChunk: large,
      },
    },
  });
  return { buffers: [meta, data, new Uint8Array(repIndex.buffer)], layout };
}

function encodeNestedFullZip(input: NestedPageInput): EncodedPage {
  const { rep, def, maxVisibleDef, maxRep } = input;
  const v = input.values;
  const bitsRep = bitsFor(maxOf(rep));
  const bitsDef = def ? bitsFor(maxOf(def)) : 0;
  const cw = controlBytes(bitsRep + bitsDef);
  const n = rep.length;
  let fixedBytes = 0;
  let enc: CompressiveEncoding;
  let write: (k: number, out: Uint8Array, at: number) => number;
  let size: (k: number) => number;
  if (v.kind === 'variable') {
    const lw = v.offsetBits / 8;
    enc = variable(v.offsetBits);
    size = (k) => lw + v.offsets[k + 1]! - v.offsets[k]!;
    write = (k, out, at) => {
      const a = v.offsets[k]!;
      const b = v.offsets[k + 1]!;
      const dv = new DataView(out.buffer, out.byteOffset);
      if (lw === 4) dv.setUint32(at, b - a, true);
      else dv.setBigUint64(at, BigInt(b - a), true);
      out.set(v.data.subarray(a, b), at + lw);
      return lw + b - a;
    };
  } else if (v.kind === 'fsl') {
    const dataBytes = (v.dim * v.itemBits) / 8;
    const vBytes = v.validity ? Math.ceil(v.dim / 8) : 0;
    fixedBytes = vBytes + dataBytes;
    enc = fslEncoding(v);
    size = () => fixedBytes;
    write = (k, out, at) => {
      if (v.validity) copyBits(v.validity, k * v.dim, out.subarray(at, at + vBytes), 0, v.dim);
      out.set(v.data.subarray(k * dataBytes, (k + 1) * dataBytes), at + vBytes);
      return fixedBytes;
    };
  } else if (v.kind === 'fixed' && v.bits % 8 === 0) {
    fixedBytes = v.bits / 8;
    enc = flat(v.bits);
    size = () => fixedBytes;
    write = (k, out, at) => {
      out.set(v.data.subarray(k * fixedBytes, (k + 1) * fixedBytes), at);
      return fixedBytes;
    };
  } else {
    throw new InvalidInputError('BAD_LAYOUT', 'full-zip needs byte-aligned values');
  }
  const fixed = fixedBytes > 0;
  // Which entries carry bytes: fixed = every visible entry, variable = valid items only.
  let total = 0;
  let k = 0;
  for (let e = 0; e < n; e++) {
    total += cw;
    const d = def ? def[e]! : 0;
    if (d > maxVisibleDef) continue;
    if (fixed || d === 0) total += size(k);
    k++;
  }
  const out = new Uint8Array(total);
  const rows = input.numRows;
  const iw = repIndexWidth(total);
  const index = new Uint8Array((rows + 1) * iw);
  const iv = new DataView(index.buffer);
  const putIndex = (r: number, pos: number) => {
    if (iw === 1) iv.setUint8(r, pos);
    else if (iw === 2) iv.setUint16(r * 2, pos, true);
    else if (iw === 4) iv.setUint32(r * 4, pos, true);
    else iv.setBigUint64(r * 8, BigInt(pos), true);
  };
  let p = 0;
  let row = 0;
  k = 0;
  for (let e = 0; e < n; e++) {
    if (rep[e] === maxRep) putIndex(row++, p);
    const d = def ? def[e]! : 0;
    const word = (rep[e]! << bitsDef) | d;
    if (cw === 1) out[p] = word;
    else if (cw === 2) {
      out[p] = word & 0xff;
      out[p + 1] = word >> 8;
    } else if (cw === 4) new DataView(out.buffer).setUint32(p, word, true);
    p += cw;
    if (d > maxVisibleDef) continue;
    if (fixed || d === 0) p += write(k, out, p);
    k++;
  }
  putIndex(row, p);
  if (row !== rows) throw new Error(`internal: full-zip page found ${row} row starts for ${rows} rows`);
  const layout = create(PageLayoutSchema, {
    layout: {
      case: 'fullZipLayout',
      value: {
        bitsRep,
        bitsDef,
        details: fixed ? { case: 'bitsPerValue', value: fixedBytes * 8 } : { case: 'bitsPerOffset', value: (v as { offsetBits: number }).offsetBits },
        numItems: n,
        numVisibleItems: input.numVisible,
        valueCompression: enc,
        layers: input.layers,
      },
    },
  });
  return { buffers: [out, index], layout };
}
