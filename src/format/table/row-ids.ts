// Stable row id sequences (RowIdSequence, LANCE-FORMAT §5): a fragment's row ids in physical row
// order, stored as a list of compressed segments. Bitmaps are LSB-first, as Lance's code does.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  EncodedU64ArraySchema,
  RowIdSequenceSchema,
  U64SegmentSchema,
  type EncodedU64Array,
  type U64Segment,
} from '../proto/rowids_pb.js';
import { LanceFormatError } from '../../errors.js';

function decodeArray(a: EncodedU64Array | undefined, path: string): bigint[] {
  if (!a || a.array.case === undefined) return [];
  const { case: kind, value } = a.array;
  if (kind === 'u64Array') {
    const b = value.values;
    if (b.length % 8) throw new LanceFormatError('BAD_ROW_IDS', `u64 array of ${b.length} bytes`, { path });
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: b.length / 8 }, (_, i) => dv.getBigUint64(i * 8, true));
  }
  const width = kind === 'u16Array' ? 2 : 4;
  const b = value.offsets;
  if (b.length % width) throw new LanceFormatError('BAD_ROW_IDS', `${kind} of ${b.length} bytes`, { path });
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i < b.length / width; i++) out.push(value.base + BigInt(width === 2 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true)));
  return out;
}

/** Smallest encoding of a list of u64 (u16/u32 offsets from the minimum, else raw u64). */
export function encodeU64Array(values: readonly bigint[]): EncodedU64Array {
  if (values.length === 0) return create(EncodedU64ArraySchema, { array: { case: 'u16Array', value: { base: 0n, offsets: new Uint8Array() } } });
  let min = values[0]!;
  let max = values[0]!;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  if (span < 1n << 32n) {
    const width = span < 1n << 16n ? 2 : 4;
    const b = new Uint8Array(values.length * width);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => (width === 2 ? dv.setUint16(i * 2, Number(v - min), true) : dv.setUint32(i * 4, Number(v - min), true)));
    return create(EncodedU64ArraySchema, { array: { case: width === 2 ? 'u16Array' : 'u32Array', value: { base: min, offsets: b } } });
  }
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, v, true));
  return create(EncodedU64ArraySchema, { array: { case: 'u64Array', value: { values: b } } });
}

function decodeSegment(s: U64Segment, path: string): bigint[] {
  const seg = s.segment;
  switch (seg.case) {
    case 'range': {
      const { start, end } = seg.value;
      if (end < start) throw new LanceFormatError('BAD_ROW_IDS', `row id range ${start}..${end} is reversed`, { path });
      const out: bigint[] = [];
      for (let v = start; v < end; v++) out.push(v);
      return out;
    }
    case 'rangeWithHoles': {
      const holes = new Set(decodeArray(seg.value.holes, path));
      const out: bigint[] = [];
      for (let v = seg.value.start; v < seg.value.end; v++) if (!holes.has(v)) out.push(v);
      return out;
    }
    case 'rangeWithBitmap': {
      const { start, end, bitmap } = seg.value;
      const out: bigint[] = [];
      for (let i = 0; i < Number(end - start); i++) if ((bitmap[i >>> 3]! >>> (i & 7)) & 1) out.push(start + BigInt(i));
      return out;
    }
    case 'sortedArray':
    case 'array':
      return decodeArray(seg.value, path);
    default:
      return [];
  }
}

/** Row offsets are u32, so no fragment holds more rows than this. */
const MAX_FRAGMENT_ROWS = 2 ** 32;

/** How many ids a segment expands to, computed from its header alone (no expansion). */
function segmentLength(s: U64Segment, path: string): number {
  const seg = s.segment;
  const span = (start: bigint, end: bigint): number => {
    if (end < start) throw new LanceFormatError('BAD_ROW_IDS', `row id range ${start}..${end} is reversed`, { path });
    if (end - start > BigInt(MAX_FRAGMENT_ROWS)) throw new LanceFormatError('BAD_ROW_IDS', `row id range ${start}..${end} spans more rows than a fragment holds`, { path });
    return Number(end - start);
  };
  const arrayLength = (a: EncodedU64Array | undefined): number => {
    if (!a || a.array.case === undefined) return 0;
    return a.array.case === 'u64Array' ? Math.floor(a.array.value.values.length / 8) : Math.floor(a.array.value.offsets.length / (a.array.case === 'u16Array' ? 2 : 4));
  };
  switch (seg.case) {
    case 'range':
      return span(seg.value.start, seg.value.end);
    case 'rangeWithHoles':
      return Math.max(0, span(seg.value.start, seg.value.end) - arrayLength(seg.value.holes));
    case 'rangeWithBitmap': {
      const n = span(seg.value.start, seg.value.end);
      if (seg.value.bitmap.length * 8 < n) throw new LanceFormatError('BAD_ROW_IDS', `row id bitmap of ${seg.value.bitmap.length} bytes cannot cover ${n} rows`, { path });
      return n;
    }
    case 'sortedArray':
    case 'array':
      return arrayLength(seg.value);
    default:
      return 0;
  }
}

/**
 * Row ids of a fragment, in physical row order, from a serialized RowIdSequence. Segment sizes
 * are checked before anything is expanded: against `expectedRows` (the fragment's physical row
 * count) when given, and always against what a fragment can hold.
 */
export function decodeRowIdSequence(bytes: Uint8Array, path = '<row ids>', expectedRows?: number): bigint[] {
  let seq;
  try {
    seq = fromBinary(RowIdSequenceSchema, bytes);
  } catch (e) {
    throw new LanceFormatError('BAD_ROW_IDS', `row id sequence does not decode: ${(e as Error).message}`, { path }, { cause: e });
  }
  const limit = Math.min(expectedRows ?? MAX_FRAGMENT_ROWS, MAX_FRAGMENT_ROWS);
  let total = 0;
  for (const s of seq.segments) {
    total += segmentLength(s, path);
    if (total > limit) throw new LanceFormatError('BAD_ROW_IDS', `row id sequence holds more than ${limit} ids`, { path });
  }
  const ids = seq.segments.flatMap((s) => decodeSegment(s, path));
  if (expectedRows !== undefined && ids.length !== expectedRows) {
    throw new LanceFormatError('BAD_ROW_IDS', `row id sequence holds ${ids.length} ids for ${expectedRows} rows`, { path });
  }
  return ids;
}

function segmentFor(values: bigint[]): U64Segment {
  const sorted = values.every((v, i) => i === 0 || v > values[i - 1]!);
  if (!sorted) return create(U64SegmentSchema, { segment: { case: 'array', value: encodeU64Array(values) } });
  const start = values[0]!;
  const end = values[values.length - 1]! + 1n;
  const span = end - start;
  if (span === BigInt(values.length)) return create(U64SegmentSchema, { segment: { case: 'range', value: { start, end } } });
  const holeCount = Number(span) - values.length;
  const arrayBytes = values.length * (span < 1n << 16n ? 2 : span < 1n << 32n ? 4 : 8);
  const bitmapBytes = span < 1n << 32n ? Math.ceil(Number(span) / 8) : Infinity;
  const holesBytes = holeCount * (span < 1n << 16n ? 2 : 4);
  if (span < 1n << 32n && holesBytes <= bitmapBytes && holesBytes < arrayBytes) {
    const present = new Set(values);
    const holes: bigint[] = [];
    for (let v = start; v < end; v++) if (!present.has(v)) holes.push(v);
    return create(U64SegmentSchema, { segment: { case: 'rangeWithHoles', value: { start, end, holes: encodeU64Array(holes) } } });
  }
  if (bitmapBytes < arrayBytes) {
    const bitmap = new Uint8Array(bitmapBytes);
    for (const v of values) {
      const i = Number(v - start);
      bitmap[i >>> 3]! |= 1 << (i & 7);
    }
    return create(U64SegmentSchema, { segment: { case: 'rangeWithBitmap', value: { start, end, bitmap } } });
  }
  return create(U64SegmentSchema, { segment: { case: 'sortedArray', value: encodeU64Array(values) } });
}

/**
 * Serializes row ids (physical row order). Runs of consecutive ids become Range segments; the
 * rest is split where order breaks and each piece takes its smallest encoding.
 */
export function encodeRowIdSequence(ids: readonly bigint[]): Uint8Array {
  const segments: U64Segment[] = [];
  let i = 0;
  while (i < ids.length) {
    // Extend a piece while ids increase; a long consecutive run becomes its own Range.
    let j = i + 1;
    while (j < ids.length && ids[j]! > ids[j - 1]!) j++;
    const piece = ids.slice(i, j);
    let k = 0;
    let pending: bigint[] = [];
    while (k < piece.length) {
      let r = k + 1;
      while (r < piece.length && piece[r] === piece[r - 1]! + 1n) r++;
      if (r - k >= 64) {
        if (pending.length) segments.push(segmentFor(pending));
        pending = [];
        segments.push(create(U64SegmentSchema, { segment: { case: 'range', value: { start: piece[k]!, end: piece[r - 1]! + 1n } } }));
      } else pending.push(...piece.slice(k, r));
      k = r;
    }
    if (pending.length) segments.push(segmentFor(pending));
    i = j;
  }
  return toBinary(RowIdSequenceSchema, create(RowIdSequenceSchema, { segments }));
}
