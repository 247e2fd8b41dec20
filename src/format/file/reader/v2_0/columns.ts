// Which 2.0 columns a field reads. 2.0 writes columns depth-first, one per schema node except:
// a struct has a header column (SimpleStruct, no data) before its children, or is one
// PackedStruct column; a list has an offsets column before its item columns; a string/binary
// column is one Binary column, or (files from Lance ~0.13) an offsets column plus a u8 items
// column, which is told apart by the encoding of its first page.
import type { LanceField, LanceSchema } from '../../../schema.js';

export type FieldShape = 'primitive' | 'binary' | 'list' | 'struct';

export function shapeOf(f: LanceField): FieldShape {
  const lt = f.logicalType;
  if (['string', 'large_string', 'binary', 'large_binary', 'json'].includes(lt)) return 'binary';
  if (lt === 'struct') return 'struct';
  if (lt === 'list' || lt === 'large_list' || lt === 'list.struct' || lt === 'large_list.struct') return 'list';
  return 'primitive';
}

/**
 * Columns used by `f` starting at column `start`. `isListEncoded(c)` says whether column c's first
 * page is a List (offsets) page; `isPacked(c)` whether it is a PackedStruct page.
 */
export function columnSpan(f: LanceField, start: number, isListEncoded: (c: number) => boolean, isPacked: (c: number) => boolean): number {
  switch (shapeOf(f)) {
    case 'primitive':
      return 1;
    case 'binary':
      return isListEncoded(start) ? 2 : 1;
    case 'list': {
      const child = f.children[0];
      return 1 + (child ? columnSpan(child, start + 1, isListEncoded, isPacked) : 0);
    }
    case 'struct': {
      if (isPacked(start)) return 1;
      let n = 1;
      for (const c of f.children) n += columnSpan(c, start + n, isListEncoded, isPacked);
      return n;
    }
  }
}

/**
 * The DataFile `fields` / `column_indices` of a standalone 2.0 file, as Lance's 2.0 writer
 * records them: every schema node in depth-first order with the column it starts at.
 */
export function v20ColumnLayout(
  schema: LanceSchema,
  isListEncoded: (c: number) => boolean = () => false,
  isPacked: (c: number) => boolean = () => false,
): { fieldIds: number[]; columnIndices: number[] } {
  const fieldIds: number[] = [];
  const columnIndices: number[] = [];
  let next = 0;
  const visit = (f: LanceField, at: number) => {
    fieldIds.push(f.id);
    columnIndices.push(at);
    if (shapeOf(f) === 'struct' && !isPacked(at)) {
      let c = at + 1;
      for (const k of f.children) {
        visit(k, c);
        c += columnSpan(k, c, isListEncoded, isPacked);
      }
    } else if (shapeOf(f) === 'list' && f.children[0]) visit(f.children[0], at + 1);
  };
  for (const f of schema.fields) {
    visit(f, next);
    next += columnSpan(f, next, isListEncoded, isPacked);
  }
  return { fieldIds, columnIndices };
}
