// Per-page read jobs. Each job plans its byte ranges in up to two phases (metadata such as
// chunk words or repetition-index entries first, then the data it points at), so the file
// reader can coalesce the requests of every projected page into one getRanges per phase.
import type { ByteRange } from '../../../io/object-store.js';
import { LanceFormatError } from '../../../errors.js';
import { RepDefLayer, type ConstantLayout, type FullZipLayout, type MiniBlockLayout, type PageLayout } from '../../proto/encodings_v2_1_pb.js';
import { decodeBlockValues, decodeFullZipValues, decodeMiniBlockValues, type DecodedValues, type Where } from './compressive.js';
import { decodeMiniBlockChunk, parseChunkTable, type ChunkInfo } from './mini-block.js';
import { dictionaryLookup } from '../../codecs/adapters.js';
import { decodeConstantScalar } from '../../codecs/constant-scalar.js';
import { legacyBlobJob } from './legacy-blob-page.js';

/** Rows decoded from one page: values plus, per row, the index of the outermost null layer (-1 = valid). */
export interface LeafPiece {
  values: DecodedValues;
  /** First row of `values` to use (always 0 when `dense`). */
  start: number;
  count: number;
  /** Null when every row is valid at every layer (no per-row array is built then). */
  nullLayer: Int16Array | null;
  /** Values exist only for rows valid at every layer (full-zip variable pages). */
  dense: boolean;
}

export interface PageBuffers {
  offsets: number[];
  sizes: number[];
}

export interface PageJob {
  phase1(): ByteRange[];
  phase2(bufs: Uint8Array[]): ByteRange[];
  finish(bufs: Uint8Array[]): LeafPiece[];
}

/** Maps each definition code to the layer (innermost = 0) it marks null. */
export function codeToLayer(layers: readonly RepDefLayer[], where: Where): number[] {
  const out = [-1];
  layers.forEach((l, k) => {
    switch (l) {
      case RepDefLayer.REPDEF_ALL_VALID_ITEM:
        break;
      case RepDefLayer.REPDEF_NULLABLE_ITEM:
        out.push(k);
        break;
      default:
        throw new LanceFormatError('UNSUPPORTED_ENCODING', `rep/def layer ${RepDefLayer[l] ?? l} (lists) is not supported by lancet yet`, where);
    }
  });
  return out;
}

function levelsToNullLayer(levels: ArrayLike<number>, from: number, count: number, map: number[], where: Where): Int16Array | null {
  let i = 0;
  while (i < count && levels[from + i] === 0) i++;
  if (i === count) return null; // level 0 = valid at every layer
  const out = new Int16Array(count);
  out.fill(-1, 0, i);
  for (; i < count; i++) {
    const lvl = levels[from + i]!;
    const layer = map[lvl];
    if (layer === undefined) throw new LanceFormatError('BAD_PAGE', `definition level ${lvl} exceeds the ${map.length - 1} nullable layers`, where);
    out[i] = layer;
  }
  return out;
}

/** Definition levels of a block, as plain numbers (u16 flat, or whatever a codec produced). */
export function levelsOf(v: DecodedValues, n: number, where: Where): ArrayLike<number> {
  if (v.kind === 'constant') {
    const val = v.value ? v.value.reduce((a, b, i) => a + b * 2 ** (8 * i), 0) : 0;
    return new Uint16Array(n).fill(val);
  }
  if (v.kind !== 'fixed' || v.numValues < n) throw new LanceFormatError('BAD_PAGE', 'definition levels did not decode to fixed-width values', where);
  if (v.bitsPerValue === 16 && (v.data.byteOffset & 1) === 0) return new Uint16Array(v.data.buffer, v.data.byteOffset, n);
  if (v.bitsPerValue === 8) return v.data.subarray(0, n);
  const dv = new DataView(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    if (v.bitsPerValue === 16) out[i] = dv.getUint16(i * 2, true);
    else if (v.bitsPerValue === 8) out[i] = v.data[i]!;
    else if (v.bitsPerValue === 32) out[i] = dv.getUint32(i * 4, true);
    else throw new LanceFormatError('BAD_PAGE', `definition levels of ${v.bitsPerValue} bits`, where);
  }
  return out;
}

/** Intersects page-local row ranges with [0, len). */
type Ranges = Array<[number, number]>;

export function makePageJob(layout: PageLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  const need = (n: number) => {
    if (buf.offsets.length < n) throw new LanceFormatError('BAD_PAGE', `page has ${buf.offsets.length} buffers, its layout needs ${n}`, where);
  };
  switch (layout.layout.case) {
    case 'miniBlockLayout':
      need(2);
      return miniBlockJob(layout.layout.value, buf, numRows, ranges, where);
    case 'fullZipLayout':
      need(1);
      return fullZipJob(layout.layout.value, buf, numRows, ranges, where);
    case 'constantLayout':
      return constantJob(layout.layout.value, buf, numRows, ranges, where);
    case 'blobLayout': {
      const inner = layout.layout.value.innerLayout;
      if (!inner) throw new LanceFormatError('BAD_PAGE', 'blob page (BlobLayout) has no inner layout', where);
      return legacyBlobJob(layout.layout.value, makePageJob(inner, buf, numRows, ranges, where), where);
    }
    default:
      throw new LanceFormatError('BAD_PAGE', 'page layout is unset', where);
  }
}

function miniBlockJob(m: MiniBlockLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  if (m.repCompression || m.repetitionIndexDepth > 0) {
    throw new LanceFormatError('UNSUPPORTED_ENCODING', 'mini-block pages with repetition levels (lists) are not supported by lancet yet', where);
  }
  // Dictionary pages (codecs): items are page buffer 2, block-encoded by m.dictionary (2.2 default
  // General(LZ4){Variable}); chunks hold the indices, mapped to items once a chunk is decoded.
  if (m.dictionary && buf.offsets.length < 3) throw new LanceFormatError('BAD_PAGE', 'dictionary page has no dictionary buffer', where);
  const dictRange: ByteRange[] = m.dictionary ? [[buf.offsets[2]!, buf.offsets[2]! + buf.sizes[2]!]] : [];
  let dict: DecodedValues | undefined;
  if (m.numItems !== BigInt(numRows)) throw new LanceFormatError('BAD_PAGE', `mini-block page has ${m.numItems} items for ${numRows} rows`, where);
  const map = codeToLayer(m.layers, where);
  let chunks: ChunkInfo[] = [];
  let wanted: Array<{ chunk: ChunkInfo; from: number; to: number }> = [];
  return {
    phase1: () => [[buf.offsets[0]!, buf.offsets[0]! + buf.sizes[0]!], ...dictRange],
    phase2: ([meta, dictBytes]) => {
      if (m.dictionary) dict = decodeBlockValues(m.dictionary, dictBytes!, Number(m.numDictionaryItems), where);
      chunks = parseChunkTable(meta!, m.hasLargeChunk, numRows, buf.sizes[1]!, where);
      wanted = [];
      for (const c of chunks) {
        for (const [a, b] of ranges) {
          const from = Math.max(a, c.firstRow);
          const to = Math.min(b, c.firstRow + c.numValues);
          if (from < to) wanted.push({ chunk: c, from, to });
        }
      }
      const uniq = [...new Set(wanted.map((w) => w.chunk))];
      return uniq.map((c) => [buf.offsets[1]! + c.byteOffset, buf.offsets[1]! + c.byteOffset + c.byteLength] as ByteRange);
    },
    finish: (bufs) => {
      const uniq = [...new Set(wanted.map((w) => w.chunk))];
      const decoded = new Map<ChunkInfo, { values: DecodedValues; levels: ArrayLike<number> | null }>();
      uniq.forEach((c, i) => {
        const w = { path: where.path, offset: buf.offsets[1]! + c.byteOffset };
        const d = decodeMiniBlockChunk(m, bufs[i]!, c.numValues, w);
        decoded.set(c, dict ? { ...d, values: dictionaryLookup(d.values, dict, w) } : d);
      });
      return wanted.map(({ chunk, from, to }) => {
        const d = decoded.get(chunk)!;
        const local = from - chunk.firstRow;
        const nullLayer = d.levels ? levelsToNullLayer(d.levels, local, to - from, map, where) : null;
        return { values: d.values, start: local, count: to - from, nullLayer, dense: false };
      });
    },
  };
}

function controlWidth(bits: number): number {
  return bits === 0 ? 0 : bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
}

function readControl(bytes: Uint8Array, at: number, width: number): number {
  if (width === 1) return bytes[at]!;
  if (width === 2) return bytes[at]! | (bytes[at + 1]! << 8);
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function fullZipJob(z: FullZipLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  if (z.bitsRep !== 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', 'full-zip pages with repetition levels (lists) are not supported by lancet yet', where);
  if (z.bitsDef > 16) throw new LanceFormatError('BAD_PAGE', `full-zip bits_def ${z.bitsDef} is out of range`, where);
  if (z.numItems !== numRows) throw new LanceFormatError('BAD_PAGE', `full-zip page has ${z.numItems} items for ${numRows} rows`, where);
  const map = codeToLayer(z.layers, where);
  const cw = controlWidth(z.bitsDef);
  const defMask = (1 << z.bitsDef) - 1;
  const dataStart = buf.offsets[0]!;
  const dataSize = buf.sizes[0]!;
  const details = z.details;
  if (details.case === 'bitsPerValue') {
    if (details.value % 8 !== 0 || details.value === 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', `full-zip bits_per_value ${details.value} is not byte aligned`, where);
    const vb = details.value / 8;
    const stride = cw + vb;
    if (stride * numRows > dataSize) throw new LanceFormatError('BAD_PAGE', `full-zip page needs ${stride * numRows} bytes, buffer has ${dataSize}`, where);
    return {
      phase1: () => [],
      phase2: () => ranges.map(([a, b]) => [dataStart + a * stride, dataStart + b * stride] as ByteRange),
      finish: (bufs) =>
        ranges.map(([a, b], r) => {
          const bytes = bufs[r]!;
          const n = b - a;
          const levels = new Uint16Array(n);
          const data = cw ? new Uint8Array(n * vb) : bytes;
          if (cw) {
            for (let i = 0; i < n; i++) {
              levels[i] = readControl(bytes, i * stride, cw) & defMask;
              data.set(bytes.subarray(i * stride + cw, (i + 1) * stride), i * vb);
            }
          }
          const values = decodeFullZipValues(z.valueCompression, { kind: 'fixed', numValues: n, bitsPerValue: details.value, data }, where);
          return { values, start: 0, count: n, nullLayer: levelsToNullLayer(levels, 0, n, map, where), dense: false };
        }),
    };
  }
  if (details.case !== 'bitsPerOffset' || (details.value !== 32 && details.value !== 64)) {
    throw new LanceFormatError('BAD_PAGE', `full-zip page has neither bits_per_value nor a 32/64 bits_per_offset`, where);
  }
  const lw = details.value / 8;
  if (buf.offsets.length < 2) throw new LanceFormatError('BAD_PAGE', 'variable full-zip page has no repetition index buffer', where);
  const idxStart = buf.offsets[1]!;
  const iw = buf.sizes[1]! / (numRows + 1);
  if (![1, 2, 4, 8].includes(iw)) throw new LanceFormatError('BAD_PAGE', `repetition index of ${buf.sizes[1]} bytes does not hold ${numRows + 1} entries of 1/2/4/8 bytes`, where);
  let spans: Array<[number, number]> = [];
  return {
    phase1: () => ranges.flatMap(([a, b]) => [[idxStart + a * iw, idxStart + (a + 1) * iw] as ByteRange, [idxStart + b * iw, idxStart + (b + 1) * iw] as ByteRange]),
    phase2: (bufs) => {
      const entry = (b: Uint8Array) => {
        let v = 0;
        for (let i = iw - 1; i >= 0; i--) v = v * 256 + b[i]!;
        return v;
      };
      spans = ranges.map((_, r) => [entry(bufs[2 * r]!), entry(bufs[2 * r + 1]!)]);
      for (const [s, e] of spans) {
        if (s > e || e > dataSize) throw new LanceFormatError('BAD_PAGE', `repetition index span [${s}, ${e}) is outside the ${dataSize}-byte page buffer`, where);
      }
      return spans.map(([s, e]) => [dataStart + s, dataStart + e] as ByteRange);
    },
    finish: (bufs) =>
      ranges.map(([a, b], r) => {
        const bytes = bufs[r]!;
        const n = b - a;
        const levels = new Uint16Array(n);
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const lens: number[] = [];
        const starts: number[] = [];
        let p = 0;
        let total = 0;
        for (let i = 0; i < n; i++) {
          if (p + cw > bytes.length) throw new LanceFormatError('BAD_PAGE', `full-zip row ${a + i} runs past its span`, where);
          const lvl = cw ? readControl(bytes, p, cw) & defMask : 0;
          levels[i] = lvl;
          p += cw;
          if (lvl !== 0) continue;
          if (p + lw > bytes.length) throw new LanceFormatError('BAD_PAGE', `full-zip row ${a + i} length runs past its span`, where);
          const len = lw === 4 ? dv.getUint32(p, true) : Number(dv.getBigUint64(p, true));
          p += lw;
          if (len > bytes.length - p) throw new LanceFormatError('BAD_PAGE', `full-zip row ${a + i} of ${len} bytes runs past its span`, where);
          starts.push(p);
          lens.push(len);
          total += len;
          p += len;
        }
        if (p !== bytes.length) throw new LanceFormatError('BAD_PAGE', `full-zip rows [${a}, ${b}) leave ${bytes.length - p} unread bytes`, where);
        const data = new Uint8Array(total);
        const offsets = new Uint32Array(lens.length + 1);
        let o = 0;
        lens.forEach((len, k) => {
          data.set(bytes.subarray(starts[k]!, starts[k]! + len), o);
          o += len;
          offsets[k + 1] = o;
        });
        const values = decodeFullZipValues(z.valueCompression, { kind: 'variable', numValues: lens.length, offsets, data }, where);
        return { values, start: 0, count: n, nullLayer: levelsToNullLayer(levels, 0, n, map, where), dense: true };
      }),
  };
}

function rawLevels(bytes: Uint8Array, n: number, where: Where): DecodedValues {
  if (bytes.length < n * 2) throw new LanceFormatError('BAD_PAGE', `${n} raw u16 levels need ${n * 2} bytes, buffer has ${bytes.length}`, where);
  return { kind: 'fixed', numValues: n, bitsPerValue: 16, data: bytes };
}

function constantJob(c: ConstantLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  if (c.repCompression || c.numRepValues > 0n) throw new LanceFormatError('UNSUPPORTED_ENCODING', 'constant pages with repetition levels (lists) are not supported by lancet yet', where);
  const map = codeToLayer(c.layers, where);
  // Buffers: [scalar value]? then [rep, def]? — Lance 12 stores an all-equal variable-width page
  // as a constant page whose first buffer holds the value, so an odd count means "value first".
  const hasScalar = !c.inlineValue && buf.offsets.length % 2 === 1;
  const levelBuffers = buf.offsets.length - (hasScalar ? 1 : 0);
  const defIndex = levelBuffers > 0 ? buf.offsets.length - 1 : -1;
  const fetch: ByteRange[] = [];
  if (hasScalar) fetch.push([buf.offsets[0]!, buf.offsets[0]! + buf.sizes[0]!]);
  if (defIndex >= 0) fetch.push([buf.offsets[defIndex]!, buf.offsets[defIndex]! + buf.sizes[defIndex]!]);
  const inline: DecodedValues = { kind: 'constant', numValues: numRows, ...(c.inlineValue ? { value: c.inlineValue } : {}) };
  const present = Boolean(c.inlineValue) || hasScalar;
  const piece = (levels: ArrayLike<number> | null, scalar: Uint8Array | undefined): LeafPiece[] =>
    ranges.map(([a, b]) => ({
      values: scalar ? repeatedVariable(scalar, b - a) : inline,
      start: scalar ? 0 : a,
      count: b - a,
      nullLayer: levels ? levelsToNullLayer(levels, a, b - a, map, where) : present || map[1] === undefined ? null : new Int16Array(b - a).fill(map[1]),
      dense: false,
    }));
  if (fetch.length === 0) return { phase1: () => [], phase2: () => [], finish: () => piece(null, undefined) };
  return {
    phase1: () => [],
    phase2: () => fetch,
    finish: (bufs) => {
      const scalar = hasScalar ? decodeConstantScalar(bufs[0]!) : undefined;
      if (defIndex < 0) return piece(null, scalar);
      const bytes = bufs[bufs.length - 1]!;
      const n = c.numDefValues > 0n ? Number(c.numDefValues) : numRows;
      if (n !== numRows) throw new LanceFormatError('BAD_PAGE', `constant page has ${n} definition levels for ${numRows} rows`, where);
      // Without def_compression the levels are raw u16 (2.1 always, 2.2 optionally).
      const dec = c.defCompression ? decodeBlockValues(c.defCompression, bytes, n, where) : rawLevels(bytes, n, where);
      return piece(levelsOf(dec, n, where), scalar);
    },
  };
}

/** `count` copies of one variable-width value, as decoded variable values. */
function repeatedVariable(value: Uint8Array, count: number): DecodedValues {
  const offsets = new Uint32Array(count + 1);
  const data = new Uint8Array(value.length * count);
  for (let i = 0; i < count; i++) {
    data.set(value, i * value.length);
    offsets[i + 1] = (i + 1) * value.length;
  }
  return { kind: 'variable', numValues: count, offsets, data };
}
