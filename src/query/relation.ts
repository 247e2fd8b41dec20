// The in-memory value every operator consumes and produces: aligned columns of one chunk each.
// Blob v2 columns travel as references: the descriptor struct read from the source plus a hidden
// row-address column, and a source pin (dataset identity at the version read) on the column.
import * as arrow from 'apache-arrow';
import { singleChunk, takeVector } from './exec/values.js';

/** A dataset a plan reads, pinned to the version the statement opened. */
export interface SourceTable {
  /** Dataset identity: its root URI (same string for every handle on the same dataset). */
  readonly uri: string;
  /** Catalog name as written in the statement (for messages). */
  readonly name: string;
  readonly version: number;
  /** Logical Arrow schema; blob v2 columns carry the `lance.blob.v2` extension metadata. */
  readonly schema: arrow.Schema;
}

/** Where the values of a blob column come from: (dataset@version, column) + a row-address column. */
export interface BlobSource {
  table: SourceTable;
  column: string;
  /** Id of the hidden column holding each row's address in `table`. */
  rowAddr: string;
  /** Id of the descriptor column (its `size` child is the payload length). */
  descriptor: string;
}

export interface Col {
  /** Unique internal name; what batches handed to the evaluator call the column. */
  id: string;
  /** Name the user sees and refers to. */
  name: string;
  /** Table alias that qualifies the name (`p` in `p.id`), if any. */
  qualifier?: string;
  type: arrow.DataType;
  nullable: boolean;
  /** Row addresses and other plumbing: never shown, never matched by name. */
  hidden?: boolean;
  /** Set while the column is still a bare reference to a source blob v2 column. */
  blob?: BlobSource;
}

export interface Relation {
  cols: Col[];
  vectors: arrow.Vector[];
  numRows: number;
}

export function emptyRelation(cols: Col[]): Relation {
  return { cols, vectors: cols.map((c) => arrow.makeVector(arrow.makeData({ type: c.type, length: 0, nullCount: 0 } as never))), numRows: 0 };
}

export function vectorOfCol(rel: Relation, id: string): arrow.Vector {
  const i = rel.cols.findIndex((c) => c.id === id);
  if (i < 0) throw new Error(`internal: column ${id} not in relation`);
  return rel.vectors[i]!;
}

/** Gathers rows; index -1 produces a null row (outer joins). */
export function gather(rel: Relation, idx: ArrayLike<number>): Relation {
  return { cols: rel.cols, vectors: rel.vectors.map((v) => takeVector(v, idx)), numRows: idx.length };
}

/** A RecordBatch over the given columns (all by default), fields named by column id. */
export function batchOf(rel: Relation, ids?: readonly string[]): arrow.RecordBatch {
  const pick = ids ? rel.cols.filter((c) => ids.includes(c.id)) : rel.cols;
  // The vectors' own types win over plan types (the plan's are static best guesses).
  const vecs = pick.map((c) => singleChunk(vectorOfCol(rel, c.id)));
  const fields = pick.map((c, i) => new arrow.Field(c.id, vecs[i]!.type, true));
  const children = vecs.map((v) => v.data[0] ?? arrow.makeData({ type: v.type, length: 0, nullCount: 0 } as never));
  if (fields.length === 0) {
    // arrow-js derives a batch's row count from its columns: keep one all-null column so
    // constant expressions (VALUES, SELECT 1) see the right number of rows.
    fields.push(new arrow.Field('__rows', new arrow.Null(), true));
    children.push(arrow.makeData({ type: new arrow.Null(), length: rel.numRows, nullCount: rel.numRows } as never));
  }
  const data = arrow.makeData({ type: new arrow.Struct(fields), length: rel.numRows, nullCount: 0, children } as never);
  return new arrow.RecordBatch(new arrow.Schema(fields), data as unknown as arrow.Data<arrow.Struct>);
}

/** Visible columns as an Arrow table with user-facing names. */
export function toArrowTable(rel: Relation): arrow.Table {
  const vis = rel.cols.map((c, i) => [c, i] as const).filter(([c]) => !c.hidden);
  const fields = vis.map(([c, i]) => new arrow.Field(c.name, rel.vectors[i]!.type, c.nullable));
  if (rel.numRows === 0) return new arrow.Table(new arrow.Schema(fields));
  const children = vis.map(([, i]) => singleChunk(rel.vectors[i]!).data[0]!);
  const data = arrow.makeData({ type: new arrow.Struct(fields), length: rel.numRows, nullCount: 0, children } as never);
  return new arrow.Table(new arrow.Schema(fields), [new arrow.RecordBatch(new arrow.Schema(fields), data as unknown as arrow.Data<arrow.Struct>)]);
}

let nextId = 0;
/** A fresh internal column id. Ids only need to be unique within a process. */
export function freshId(hint: string): string {
  return `${hint.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24)}#${nextId++}`;
}
