// Repetition/definition levels -> Arrow nesting (LANCE-FORMAT §7.2). A column with lists holds
// one level entry per item, plus one "invisible" entry per null or empty list (and per row hidden
// by a null struct above a list). Layers are listed innermost first; definition codes are handed
// out from the innermost layer outward, and an entry's repetition level names the outermost list
// that starts at it (max_rep = a new top-level row, 0 = continues the innermost list).
import { LanceFormatError } from '../../../errors.js';
import { RepDefLayer } from '../../proto/encodings_v2_1_pb.js';
import type { Where } from './compressive.js';

export interface LayerInfo {
  list: boolean;
  /** Definition code marking this layer null (0 = the layer cannot be null). */
  nullCode: number;
  /** Definition code marking an empty list (0 = no empty lists). */
  emptyCode: number;
  /** Lowest code of this layer or any outer layer: smaller codes leave this layer valid. */
  firstCode: number;
  /** Entries with a definition level below this own a slot (a value or struct/list) in this layer. */
  slotBelow: number;
  /** An entry starts a new slot of this layer when its repetition level is at least this. */
  startRep: number;
}

export interface LevelModel {
  layers: LayerInfo[];
  maxRep: number;
  /** Entries with def <= this carry a value (are "visible"). */
  maxVisibleDef: number;
}

export function levelModel(layers: readonly RepDefLayer[], where: Where): LevelModel {
  const out: LayerInfo[] = [];
  let next = 1;
  let listsSoFar = 0;
  for (const l of layers) {
    const firstCode = next;
    let nullCode = 0;
    let emptyCode = 0;
    let list = false;
    switch (l) {
      case RepDefLayer.REPDEF_ALL_VALID_ITEM:
        break;
      case RepDefLayer.REPDEF_NULLABLE_ITEM:
        nullCode = next++;
        break;
      case RepDefLayer.REPDEF_ALL_VALID_LIST:
        list = true;
        break;
      case RepDefLayer.REPDEF_NULLABLE_LIST:
        list = true;
        nullCode = next++;
        break;
      case RepDefLayer.REPDEF_EMPTYABLE_LIST:
        list = true;
        emptyCode = next++;
        break;
      case RepDefLayer.REPDEF_NULL_AND_EMPTY_LIST:
        list = true;
        nullCode = next++;
        emptyCode = next++;
        break;
      default:
        throw new LanceFormatError('BAD_PAGE', `unknown rep/def layer ${String(l)}`, where);
    }
    if (list) listsSoFar++;
    out.push({ list, nullCode, emptyCode, firstCode, slotBelow: 0, startRep: listsSoFar });
  }
  // A slot of layer k exists unless a list outside k is null or empty (or hidden further out):
  // the threshold is the first code of the innermost list enclosing k.
  let below = Infinity;
  for (let k = out.length - 1; k >= 0; k--) {
    out[k]!.slotBelow = below;
    if (out[k]!.list) below = out[k]!.firstCode;
  }
  const maxVisibleDef = below === Infinity ? 0xffff : below - 1;
  return { layers: out, maxRep: listsSoFar, maxVisibleDef };
}

/** One layer's slots, outermost layer = rows. */
export interface UnraveledLayer {
  count: number;
  /** Null when every slot is valid. */
  validity: { bitmap: Uint8Array; nullCount: number } | null;
  /** count + 1 offsets into the next inner layer's slots (list layers only). */
  offsets?: Int32Array;
}

/**
 * Rebuilds every layer's slots from `rep`/`def` (null = all zero). `numRows` top-level rows must
 * start in the entries; index 0 of the result is the innermost layer.
 */
export function unravel(model: LevelModel, rep: Uint16Array | null, def: Uint16Array | null, numEntries: number, numRows: number, where: Where): UnraveledLayer[] {
  const L = model.layers.length;
  const out: UnraveledLayer[] = [];
  for (let k = 0; k < L; k++) {
    const info = model.layers[k]!;
    const inner = k > 0 ? model.layers[k - 1]! : undefined;
    let count = 0;
    for (let e = 0; e < numEntries; e++) {
      const d = def ? def[e]! : 0;
      const r = rep ? rep[e]! : 0;
      if (d < info.slotBelow && r >= info.startRep) count++;
    }
    const bitmap = new Uint8Array((count + 7) >> 3);
    const offsets = info.list ? new Int32Array(count + 1) : undefined;
    let nulls = 0;
    let s = 0;
    let children = 0;
    for (let e = 0; e < numEntries; e++) {
      const d = def ? def[e]! : 0;
      const r = rep ? rep[e]! : 0;
      if (d < info.slotBelow && r >= info.startRep) {
        if (offsets) offsets[s] = children;
        const valid = d < info.firstCode || (info.emptyCode !== 0 && d === info.emptyCode);
        if (valid) bitmap[s >> 3]! |= 1 << (s & 7);
        else nulls++;
        s++;
      }
      if (offsets && inner && d < inner.slotBelow && r >= inner.startRep) children++;
    }
    if (offsets) offsets[count] = children;
    out.push({ count, validity: nulls ? { bitmap, nullCount: nulls } : null, ...(offsets ? { offsets } : {}) });
  }
  const top = out[L - 1];
  if (top && top.count !== numRows) throw new LanceFormatError('BAD_PAGE', `levels describe ${top.count} rows, expected ${numRows}`, where);
  return out;
}

/** Index of the entry where each of the rows [from, to) starts, plus the end entry. */
export function rowStarts(rep: Uint16Array, numEntries: number, maxRep: number): number[] {
  const starts: number[] = [];
  for (let e = 0; e < numEntries; e++) if (rep[e] === maxRep) starts.push(e);
  starts.push(numEntries);
  return starts;
}

/**
 * Pages of one column may describe their layers differently (a page without nulls uses
 * ALL_VALID layers, so its codes shift). Levels are rewritten into one canonical form per column
 * where every item layer is nullable and every list layer may be null or empty.
 */
export function canonicalLayers(layers: readonly RepDefLayer[]): RepDefLayer[] {
  return layers.map((l) =>
    l === RepDefLayer.REPDEF_ALL_VALID_ITEM || l === RepDefLayer.REPDEF_NULLABLE_ITEM ? RepDefLayer.REPDEF_NULLABLE_ITEM : RepDefLayer.REPDEF_NULL_AND_EMPTY_LIST,
  );
}

/** page code -> canonical code for a page with `model`. */
export function canonicalCodes(model: LevelModel, where: Where): Uint16Array {
  const canon = levelModel(canonicalLayers(model.layers.map((l) => (l.list ? RepDefLayer.REPDEF_NULL_AND_EMPTY_LIST : RepDefLayer.REPDEF_NULLABLE_ITEM))), where);
  let max = 0;
  for (const l of model.layers) max = Math.max(max, l.nullCode, l.emptyCode);
  const map = new Uint16Array(max + 1);
  model.layers.forEach((l, k) => {
    const c = canon.layers[k]!;
    if (l.nullCode) map[l.nullCode] = c.nullCode;
    if (l.emptyCode) map[l.emptyCode] = c.emptyCode;
  });
  return map;
}
