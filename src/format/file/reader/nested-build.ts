// Arrow Data for a top-level field with lists somewhere below it. Every column under the field
// carries the level entries of all its enclosing layers, so each list/struct node takes its
// offsets and validity from the first column below it that the file holds.
import * as arrow from 'apache-arrow';
import { LanceFormatError } from '../../../errors.js';
import { isBlobV2Field, PACKED_STRUCT_KEY, type LanceField } from '../../schema.js';
import { arrowTypeOfColumn } from '../leaf-kind.js';
import { nullData } from './assemble.js';
import type { UnraveledLayer } from './repdef.js';

/** Logical types stored with repetition levels (one list layer each). */
export function isListLogical(lt: string): boolean {
  return lt === 'list' || lt === 'large_list' || lt === 'list.struct' || lt === 'large_list.struct' || lt === 'map' || lt.startsWith('map:');
}

export function hasListBelow(f: LanceField): boolean {
  return isListLogical(f.logicalType) || (!isOwnerField(f) && f.children.some(hasListBelow));
}

export function isOwnerField(f: LanceField): boolean {
  return f.children.length === 0 || isBlobV2Field(f) || f.metadata[PACKED_STRUCT_KEY] !== undefined;
}

/** A decoded column below a list: its values over visible entries and its unraveled layers. */
export interface NestedColumn {
  values: arrow.Data;
  /** Innermost first; the last entry holds the rows. */
  layers: UnraveledLayer[];
}

type Where = { path: string; offset: number };

function firstColumn(f: LanceField, columnOf: (f: LanceField) => NestedColumn | undefined): NestedColumn | undefined {
  if (isOwnerField(f)) return columnOf(f);
  for (const c of f.children) {
    const got = firstColumn(c, columnOf);
    if (got) return got;
  }
  return undefined;
}

function bitmapOf(layer: UnraveledLayer): { nullCount: number; nullBitmap: Uint8Array | null } {
  return layer.validity ? { nullCount: layer.validity.nullCount, nullBitmap: layer.validity.bitmap } : { nullCount: 0, nullBitmap: null };
}

/** Arrow type the field reads back as (list/map children follow what was built). */
function listTypeOf(f: LanceField, child: arrow.Field): arrow.DataType {
  if (f.logicalType === 'map' || f.logicalType.startsWith('map:')) return new arrow.Map_(child as arrow.Field<arrow.Struct>, f.logicalType === 'map:sorted');
  // Arrow JS has no LargeList: large lists read back with 32-bit offsets.
  return new arrow.List(child);
}

/**
 * Builds `f` (a top-level field) for `rows` rows. `columnOf` returns the decoded column of an
 * owner field, or undefined when the file does not hold it (it reads as nulls).
 */
export function buildNestedField(f: LanceField, rows: number, columnOf: (f: LanceField) => NestedColumn | undefined, where: Where): arrow.Data {
  const build = (node: LanceField, depth: number, length: number): arrow.Data => {
    const col = firstColumn(node, columnOf);
    if (!col) return nullData(arrowTypeOfColumn(node), length);
    const k = col.layers.length - 1 - depth;
    const layer = col.layers[k];
    if (!layer) throw new LanceFormatError('SCHEMA_MISMATCH', `field "${node.name}" is nested ${depth} deep; its column has ${col.layers.length} rep/def layers`, where);
    if (layer.count !== length) throw new LanceFormatError('BAD_PAGE', `field "${node.name}" has ${layer.count} slots, its parent expects ${length}`, where);
    if (isOwnerField(node)) {
      if (k !== 0) throw new LanceFormatError('SCHEMA_MISMATCH', `column of "${node.name}" has ${k} more rep/def layers than the schema nests it`, where);
      if (col.values.length !== length) throw new LanceFormatError('BAD_PAGE', `column of "${node.name}" decoded ${col.values.length} values for ${length} visible items`, where);
      return col.values;
    }
    if (isListLogical(node.logicalType)) {
      const item = node.children[0];
      if (!item || !layer.offsets) throw new LanceFormatError('SCHEMA_MISMATCH', `list field "${node.name}" has no list layer in its column`, where);
      const child = build(item, depth + 1, layer.offsets[layer.count]!);
      const type = listTypeOf(node, new arrow.Field(item.name, child.type, item.nullable));
      return arrow.makeData({ type: type as arrow.List, length, ...bitmapOf(layer), valueOffsets: layer.offsets, child });
    }
    const kids = node.children.map((c) => build(c, depth + 1, length));
    const type = new arrow.Struct(node.children.map((c, i) => new arrow.Field(c.name, kids[i]!.type, c.nullable)));
    return arrow.makeData({ type, length, ...bitmapOf(layer), children: kids });
  };
  return build(f, 0, rows);
}
