// Buffered rows of a column below a list, as level entries: one (rep, def) per item plus one per
// null or empty list, and for each entry that carries a value the index of that value in the leaf
// Arrow Data. Levels are kept in a canonical form (every item layer nullable, every list layer
// null-and-empty) and narrowed to the layers a page actually needs when the page is built.
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../../errors.js';
import { RepDefLayer } from '../../proto/encodings_v2_1_pb.js';
import { assertNotNestedNull, type LeafKind } from '../leaf-kind.js';
import { copyBits, getBit, setBit } from '../bits.js';
import type { PageValues } from './page-input.js';
import { expandDictionary } from '../dictionary-data.js';

/** Kind of each node from the top-level field down to the column owner. */
export type NodeKind = 'list' | 'item';

export interface NestedSegment {
  /** Top-level rows. */
  length: number;
  rep: Uint16Array;
  /** Canonical definition codes. */
  def: Uint16Array;
  /** Per entry: index of its value in `leaf`, -1 for entries without a value. */
  leafIdx: Int32Array;
  leaf: arrow.Data;
  /** Innermost first: whether a null / an empty list occurs at that layer. */
  nullSeen: boolean[];
  emptySeen: boolean[];
}

interface Canon {
  list: boolean;
  nullCode: number;
  emptyCode: number;
  /** Rep level given to the second and later elements of this list. */
  nextRep: number;
  /** No list between this layer and the leaf: a null here still has a value slot. */
  visibleNull: boolean;
}

function canonOf(kinds: readonly NodeKind[]): Canon[] {
  // kinds are outermost first; layers innermost first.
  const inner = [...kinds].reverse();
  const out: Canon[] = [];
  let code = 1;
  let lists = 0;
  let listBelow = false;
  for (const k of inner) {
    if (k === 'list') {
      lists++;
      out.push({ list: true, nullCode: code, emptyCode: code + 1, nextRep: lists - 1, visibleNull: false });
      code += 2;
      listBelow = true;
    } else {
      out.push({ list: false, nullCode: code++, emptyCode: 0, nextRep: 0, visibleNull: !listBelow });
    }
  }
  return out;
}

export function maxRepOf(kinds: readonly NodeKind[]): number {
  return kinds.filter((k) => k === 'list').length;
}

/** Child Data one level down the path (`childName` picks a struct member). */
function childOf(d: arrow.Data, kind: NodeKind, childName: string | undefined): arrow.Data {
  if (kind === 'list') return d.children[0]!;
  const fields = (d.type.children ?? []) as arrow.Field[];
  const idx = fields.findIndex((f) => f.name === childName);
  if (idx < 0) throw new InvalidInputError('MISSING_COLUMN', `struct has no member "${childName}"`, { column: String(childName) });
  return d.children[idx]!;
}

/**
 * Levels for the rows of `top` (a top-level column's Data). `names[k]` is the member of node k's
 * Data that leads to node k + 1 (list nodes lead to their only child).
 */
export function nestedSegment(top: arrow.Data, kinds: readonly NodeKind[], names: readonly string[]): NestedSegment {
  const L = kinds.length;
  const canon = canonOf(kinds);
  const maxRep = maxRepOf(kinds);
  const reps: number[] = [];
  const defs: number[] = [];
  const idx: number[] = [];
  const nullSeen = new Array<boolean>(L).fill(false);
  const emptySeen = new Array<boolean>(L).fill(false);
  // Data per node (outermost first); struct members are aligned with their parent's rows.
  const datas: arrow.Data[] = [top];
  for (let k = 0; k < L - 1; k++) datas.push(childOf(datas[k]!, kinds[k]!, names[k + 1]));
  if (datas[L - 1]!.type.typeId === arrow.Type.Dictionary) datas[L - 1] = expandDictionary(datas[L - 1]!);
  const push = (r: number, d: number, i: number) => {
    reps.push(r);
    defs.push(d);
    idx.push(i);
  };
  // node = index from the top; layer = L - 1 - node.
  const gen = (node: number, i: number, rep: number): void => {
    const layer = L - 1 - node;
    const c = canon[layer]!;
    const d = datas[node]!;
    if (d.nullCount > 0 && !d.getValid(i)) {
      // Lance pushes a null down into every layer below it, and its reader counts list levels only
      // for list layers that keep def codes: a list layer narrowed to all-valid under a null struct
      // makes that struct null look like an item slot (Lance: "Structural validity has N entries").
      for (let k = 0; k <= layer; k++) nullSeen[k] = true;
      push(rep, c.nullCode, c.visibleNull ? i : -1);
      return;
    }
    if (c.list) {
      const off = d.valueOffsets as Int32Array;
      const s = off[i]!;
      const e = off[i + 1]!;
      if (s === e) {
        emptySeen[layer] = true;
        push(rep, c.emptyCode, -1);
        return;
      }
      for (let j = s; j < e; j++) gen(node + 1, j, j === s ? rep : c.nextRep);
      return;
    }
    if (node === L - 1) push(rep, 0, i);
    else gen(node + 1, i, rep);
  };
  for (let i = 0; i < top.length; i++) gen(0, i, maxRep);
  return {
    length: top.length,
    rep: Uint16Array.from(reps),
    def: Uint16Array.from(defs),
    leafIdx: Int32Array.from(idx),
    leaf: datas[L - 1]!,
    nullSeen,
    emptySeen,
  };
}

/** Rough bytes a segment adds to a page (drives page flushing). */
export function nestedSegmentBytes(seg: NestedSegment, kind: LeafKind): number {
  let values = 0;
  for (let e = 0; e < seg.leafIdx.length; e++) if (seg.leafIdx[e]! >= 0) values++;
  const levels = seg.rep.length * 4;
  switch (kind.kind) {
    case 'fixed':
      return levels + Math.ceil((values * kind.bits) / 8);
    case 'fsl':
      return levels + Math.ceil((values * kind.dim * kind.itemBits) / 8);
    case 'variable': {
      const o = seg.leaf.valueOffsets as Int32Array | BigInt64Array;
      let bytes = 0;
      for (let e = 0; e < seg.leafIdx.length; e++) {
        const i = seg.leafIdx[e]!;
        if (i >= 0) bytes += Number(o[i + 1]!) - Number(o[i]!) + kind.offsetBits / 8;
      }
      return levels + bytes;
    }
    case 'blob':
      return levels + values * 40;
  }
}

/** Splits a segment after `rows` rows. */
export function splitNested(seg: NestedSegment, rows: number, maxRep: number): [NestedSegment, NestedSegment] {
  let seen = 0;
  let cut = seg.rep.length;
  for (let e = 0; e < seg.rep.length; e++) {
    if (seg.rep[e] === maxRep) {
      if (seen === rows) {
        cut = e;
        break;
      }
      seen++;
    }
  }
  const part = (a: number, b: number, n: number): NestedSegment => ({
    length: n,
    rep: seg.rep.subarray(a, b),
    def: seg.def.subarray(a, b),
    leafIdx: seg.leafIdx.subarray(a, b),
    leaf: seg.leaf,
    nullSeen: seg.nullSeen,
    emptySeen: seg.emptySeen,
  });
  return [part(0, cut, rows), part(cut, seg.rep.length, seg.length - rows)];
}

export interface NestedPageInput {
  numRows: number;
  rep: Uint16Array;
  /** Page definition codes (for `layers`); null when every layer is all-valid. */
  def: Uint16Array | null;
  layers: RepDefLayer[];
  maxRep: number;
  maxDef: number;
  /** Entries with def <= this carry a value. */
  maxVisibleDef: number;
  /** Values of the visible entries, in entry order. */
  values: PageValues;
  numVisible: number;
  /** True when no visible entry holds a valid item. */
  noValidItems: boolean;
}

/** Concatenates segments into one page: page layers from what occurs, codes narrowed to them. */
export function buildNestedPageInput(segs: readonly NestedSegment[], kinds: readonly NodeKind[], kind: LeafKind): NestedPageInput {
  assertNotNestedNull(kind, true);
  const L = kinds.length;
  const canon = canonOf(kinds);
  const nullSeen = new Array<boolean>(L).fill(false);
  const emptySeen = new Array<boolean>(L).fill(false);
  let n = 0;
  let rows = 0;
  for (const s of segs) {
    n += s.rep.length;
    rows += s.length;
    for (let k = 0; k < L; k++) {
      nullSeen[k] ||= s.nullSeen[k]!;
      emptySeen[k] ||= s.emptySeen[k]!;
    }
  }
  // Page layers and the canonical -> page code map.
  const layers: RepDefLayer[] = [];
  const map = new Uint16Array(2 * L + 1);
  let code = 1;
  let maxVisibleDef = -1;
  for (let k = 0; k < L; k++) {
    const c = canon[k]!;
    if (c.list && maxVisibleDef < 0) maxVisibleDef = code - 1;
    if (c.list) {
      const nl = nullSeen[k]!;
      const em = emptySeen[k]!;
      layers.push(nl && em ? RepDefLayer.REPDEF_NULL_AND_EMPTY_LIST : nl ? RepDefLayer.REPDEF_NULLABLE_LIST : em ? RepDefLayer.REPDEF_EMPTYABLE_LIST : RepDefLayer.REPDEF_ALL_VALID_LIST);
      if (nl) map[c.nullCode] = code++;
      if (em) map[c.emptyCode] = code++;
    } else {
      layers.push(nullSeen[k] ? RepDefLayer.REPDEF_NULLABLE_ITEM : RepDefLayer.REPDEF_ALL_VALID_ITEM);
      if (nullSeen[k]) map[c.nullCode] = code++;
    }
  }
  const maxDef = code - 1;
  const rep = new Uint16Array(n);
  const def = maxDef > 0 ? new Uint16Array(n) : null;
  const leafRefs: Array<{ leaf: arrow.Data; i: number }> = [];
  let at = 0;
  let validItems = 0;
  for (const s of segs) {
    rep.set(s.rep, at);
    for (let e = 0; e < s.rep.length; e++) {
      const d = map[s.def[e]!]!;
      if (def) def[at + e] = d;
      const i = s.leafIdx[e]!;
      if (i >= 0) {
        leafRefs.push({ leaf: s.leaf, i });
        if (d === 0) validItems++;
      }
    }
    at += s.rep.length;
  }
  return {
    numRows: rows,
    rep,
    def,
    layers,
    maxRep: maxRepOf(kinds),
    maxDef,
    maxVisibleDef: maxVisibleDef < 0 ? 0xffff : maxVisibleDef,
    values: gatherValues(leafRefs, kind),
    numVisible: leafRefs.length,
    noValidItems: validItems === 0,
  };
}

/**
 * Copies `len` bytes from `from` in a values buffer; apache-arrow may leave the buffer of an
 * all-null array short or empty, and the missing bytes of null slots stay zero.
 */
function copyBytes(v: ArrayBufferView | undefined, from: number, len: number, out: Uint8Array, at: number): void {
  if (!v) return;
  const have = Math.max(0, Math.min(len, v.byteLength - from));
  if (have > 0) out.set(new Uint8Array(v.buffer, v.byteOffset + from, have), at);
}

/** The leaf values of the visible entries, in Lance's physical layout. */
function gatherValues(refs: ReadonlyArray<{ leaf: arrow.Data; i: number }>, kind: LeafKind): PageValues {
  const n = refs.length;
  switch (kind.kind) {
    case 'fixed': {
      const out = new Uint8Array(Math.ceil((n * kind.bits) / 8));
      const w = kind.bits / 8;
      refs.forEach(({ leaf, i }, k) => {
        if (kind.bits === 1) {
          if (getBit(leaf.values as Uint8Array, leaf.offset + i)) setBit(out, k);
        } else {
          copyBytes(leaf.values as ArrayBufferView | undefined, i * w, w, out, k * w);
        }
      });
      return { kind: 'fixed', bits: kind.bits, data: out };
    }
    case 'variable': {
      const offsets = new Float64Array(n + 1);
      let total = 0;
      refs.forEach(({ leaf, i }, k) => {
        const o = leaf.valueOffsets as Int32Array | BigInt64Array;
        total += Number(o[i + 1]!) - Number(o[i]!);
        offsets[k + 1] = total;
      });
      const data = new Uint8Array(total);
      refs.forEach(({ leaf, i }, k) => {
        const o = leaf.valueOffsets as Int32Array | BigInt64Array;
        data.set((leaf.values as Uint8Array).subarray(Number(o[i]!), Number(o[i + 1]!)), offsets[k]!);
      });
      return { kind: 'variable', offsetBits: kind.offsetBits, offsets, data };
    }
    case 'fsl': {
      const dim = kind.dim;
      const data = new Uint8Array(Math.ceil((n * dim * kind.itemBits) / 8));
      const anyNull = refs.some(({ leaf }) => leaf.children[0]!.nullCount > 0);
      const validity = anyNull ? new Uint8Array(Math.ceil((n * dim) / 8)) : undefined;
      refs.forEach(({ leaf, i }, k) => {
        const child = leaf.children[0]!;
        if (kind.itemBits === 1) copyBits(child.values as Uint8Array, child.offset + i * dim, data, k * dim, dim);
        else {
          const w = kind.itemBits / 8;
          copyBytes(child.values as ArrayBufferView | undefined, i * dim * w, dim * w, data, k * dim * w);
        }
        if (validity) {
          for (let j = 0; j < dim; j++) if (child.nullCount === 0 || child.getValid(i * dim + j)) setBit(validity, k * dim + j);
        }
      });
      return { kind: 'fsl', dim, itemBits: kind.itemBits, data, ...(validity ? { validity } : {}) };
    }
    case 'blob':
      throw new InvalidInputError('UNSUPPORTED_TYPE', 'blob v2 columns cannot be nested inside lists');
  }
}
