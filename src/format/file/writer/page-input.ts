// Buffered rows of one column and their conversion into the contiguous form page encoders take:
// values in Lance's physical layout plus definition levels for every struct/item layer.
import * as arrow from 'apache-arrow';
import { RepDefLayer } from '../../proto/encodings_v2_1_pb.js';
import { assertNotNestedNull, type LeafKind } from '../leaf-kind.js';
import { copyBits, setBit } from '../bits.js';

/** A run of rows of one column: the leaf Data and its enclosing struct Data, innermost first. */
export interface LeafSegment {
  layers: arrow.Data[];
  length: number;
}

export type PageValues =
  | { kind: 'fixed'; bits: number; data: Uint8Array }
  | { kind: 'variable'; offsetBits: 32 | 64; offsets: Float64Array; data: Uint8Array }
  | { kind: 'fsl'; dim: number; itemBits: number; validity?: Uint8Array; data: Uint8Array }
  /** Packed blob descriptor rows for the rows that are valid at every layer. */
  | { kind: 'blob'; offsets: Float64Array; data: Uint8Array };

export interface PageInput {
  numRows: number;
  values: PageValues;
  /** One u16 level per row; null when every layer is valid on every row. */
  def: Uint16Array | null;
  /** Innermost first. */
  layers: RepDefLayer[];
  /** Highest definition code the layers can produce. */
  maxDef: number;
  /** True when every row is null (at any layer). */
  allNull: boolean;
}

/** Approximate bytes a segment adds to a page; drives page flushing. */
export function segmentBytes(seg: LeafSegment, kind: LeafKind): number {
  const leaf = seg.layers[0]!;
  switch (kind.kind) {
    case 'fixed':
      return Math.ceil((seg.length * kind.bits) / 8);
    case 'fsl':
      return Math.ceil((seg.length * kind.dim * kind.itemBits) / 8);
    case 'variable': {
      const o = leaf.valueOffsets as Int32Array | BigInt64Array;
      return Number(o[seg.length]!) - Number(o[0]!) + seg.length * (kind.offsetBits / 8);
    }
    case 'blob':
      return seg.length * 40;
  }
}

/**
 * The first `count` slots of `d`'s values. arrow-js hands short (or no) value buffers for slots
 * under null rows (all-null vectors); the page holds the logical count, zero-filled past them.
 */
function bytesOf(d: arrow.Data, count: number, bytesPerValue: number): Uint8Array {
  const v = d.values as ArrayBufferView | undefined;
  const want = count * bytesPerValue;
  if (v && v.byteLength >= want) return new Uint8Array(v.buffer, v.byteOffset, want);
  const out = new Uint8Array(want);
  if (v) out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return out;
}

/** Builds the page input for the first `numRows` rows held by `segs`. */
export function buildPageInput(segs: readonly LeafSegment[], kind: LeafKind): PageInput {
  const numRows = segs.reduce((a, s) => a + s.length, 0);
  const depth = segs[0]?.layers.length ?? 1;
  assertNotNestedNull(kind, depth > 1);
  const { def, layers, maxDef, allNull } = definitionLevels(segs, numRows, depth);
  return { numRows, values: pageValues(segs, kind, numRows, def), def, layers, maxDef, allNull };
}

/** Null-typed data is null on every row whatever its null count says (arrow-js leaves it 0 after IPC). */
function hasNulls(d: arrow.Data): boolean {
  return d.typeId === arrow.Type.Null ? d.length > 0 : d.nullCount > 0;
}

function definitionLevels(segs: readonly LeafSegment[], numRows: number, depth: number) {
  const nullable: boolean[] = new Array<boolean>(depth).fill(false);
  for (const s of segs) s.layers.forEach((d, k) => (nullable[k] ||= hasNulls(d)));
  const codes: number[] = [];
  let next = 1;
  for (let k = 0; k < depth; k++) codes.push(nullable[k] ? next++ : 0);
  const layers = nullable.map((n) => (n ? RepDefLayer.REPDEF_NULLABLE_ITEM : RepDefLayer.REPDEF_ALL_VALID_ITEM));
  const maxDef = next - 1;
  if (maxDef === 0) return { def: null, layers, maxDef, allNull: false };
  const def = new Uint16Array(numRows);
  let row = 0;
  let nulls = 0;
  for (const s of segs) {
    for (let i = 0; i < s.length; i++, row++) {
      // The outermost null layer decides the level.
      for (let k = depth - 1; k >= 0; k--) {
        const d = s.layers[k]!;
        if (hasNulls(d) && (d.typeId === arrow.Type.Null || !d.getValid(i))) {
          def[row] = codes[k]!;
          nulls++;
          break;
        }
      }
    }
  }
  return { def, layers, maxDef, allNull: nulls === numRows };
}

function pageValues(segs: readonly LeafSegment[], kind: LeafKind, numRows: number, def: Uint16Array | null): PageValues {
  switch (kind.kind) {
    case 'fixed': {
      const out = new Uint8Array(Math.ceil((numRows * kind.bits) / 8));
      let row = 0;
      for (const s of segs) {
        const d = s.layers[0]!;
        if (kind.bits === 1) copyBits(d.values as Uint8Array, d.offset, out, row, s.length);
        else out.set(bytesOf(d, s.length, kind.bits / 8), (row * kind.bits) / 8);
        row += s.length;
      }
      return { kind: 'fixed', bits: kind.bits, data: out };
    }
    case 'fsl': {
      const itemCount = numRows * kind.dim;
      const data = new Uint8Array(Math.ceil((itemCount * kind.itemBits) / 8));
      const anyItemNull = segs.some((s) => s.layers[0]!.children[0]!.nullCount > 0);
      const validity = anyItemNull ? new Uint8Array(Math.ceil(itemCount / 8)) : undefined;
      let item = 0;
      for (const s of segs) {
        const child = s.layers[0]!.children[0]!;
        const n = s.length * kind.dim;
        if (kind.itemBits === 1) copyBits(child.values as Uint8Array, child.offset, data, item, n);
        else data.set(bytesOf(child, n, kind.itemBits / 8), (item * kind.itemBits) / 8);
        if (validity) {
          if (child.nullCount === 0 || !child.nullBitmap) for (let j = 0; j < n; j++) setBit(validity, item + j);
          else copyBits(child.nullBitmap, child.offset, validity, item, n);
        }
        item += n;
      }
      return { kind: 'fsl', dim: kind.dim, itemBits: kind.itemBits, data, ...(validity ? { validity } : {}) };
    }
    case 'variable': {
      let total = 0;
      for (const s of segs) {
        const o = s.layers[0]!.valueOffsets as Int32Array | BigInt64Array;
        total += Number(o[s.length]!) - Number(o[0]!);
      }
      const data = new Uint8Array(total);
      const offsets = new Float64Array(numRows + 1);
      let row = 0;
      let pos = 0;
      for (const s of segs) {
        const d = s.layers[0]!;
        const o = d.valueOffsets as Int32Array | BigInt64Array;
        const base = Number(o[0]!);
        const end = Number(o[s.length]!);
        data.set((d.values as Uint8Array).subarray(base, end), pos);
        for (let i = 0; i < s.length; i++) offsets[row + i + 1] = pos + Number(o[i + 1]!) - base;
        pos += end - base;
        row += s.length;
      }
      return { kind: 'variable', offsetBits: kind.offsetBits, offsets, data };
    }
    case 'blob':
      return blobRows(segs, numRows, def);
  }
}

const utf8 = new TextEncoder();

/** Packs `kind u8 | position u64 | size u64 | blob_id u32 | u32 uri length | uri` for every valid row. */
function blobRows(segs: readonly LeafSegment[], numRows: number, def: Uint16Array | null): PageValues {
  const rows: Uint8Array[] = [];
  let row = 0;
  for (const s of segs) {
    const st = s.layers[0]!;
    const [kind, position, size, blobId, uri] = st.children as [arrow.Data, arrow.Data, arrow.Data, arrow.Data, arrow.Data];
    const uriVec = arrow.makeVector(uri);
    for (let i = 0; i < s.length; i++, row++) {
      if (def && def[row] !== 0) continue;
      const u = utf8.encode((uriVec.get(i) as string | null) ?? '');
      const out = new Uint8Array(25 + u.length);
      const dv = new DataView(out.buffer);
      dv.setUint8(0, (kind.values as Uint8Array)[i]!);
      dv.setBigUint64(1, BigInt.asUintN(64, BigInt((position.values as BigUint64Array)[i]!)), true);
      dv.setBigUint64(9, BigInt.asUintN(64, BigInt((size.values as BigUint64Array)[i]!)), true);
      dv.setUint32(17, (blobId.values as Uint32Array)[i]!, true);
      dv.setUint32(21, u.length, true);
      out.set(u, 25);
      rows.push(out);
    }
  }
  const offsets = new Float64Array(rows.length + 1);
  let total = 0;
  rows.forEach((r, i) => (offsets[i + 1] = total += r.length));
  const data = new Uint8Array(total);
  rows.forEach((r, i) => data.set(r, offsets[i]!));
  return { kind: 'blob', offsets, data };
}

/** Splits a segment at `rows`, returning [head, tail]. */
export function splitSegment(seg: LeafSegment, rows: number): [LeafSegment, LeafSegment] {
  return [
    { layers: seg.layers.map((d) => d.slice(0, rows)), length: rows },
    { layers: seg.layers.map((d) => d.slice(rows, seg.length - rows)), length: seg.length - rows },
  ];
}
