// What the query layer needs from storage, as one narrow port. The dataset-backed implementation
// lives in lance-catalog.ts; tests can supply their own. Every write method is one transaction.
import type * as arrow from 'apache-arrow';
import type { SourceTable } from './relation.js';

/** A value for one blob cell handed to the writer: bytes, a zero-copy reference, or null. */
export type BlobCell = Uint8Array | null | { readonly reference: unknown };

/** One row to write; blob columns hold BlobCell values, others plain JS values. */
export type WriteRow = Record<string, unknown>;

export interface ScanArgs {
  columns: string[];
  /** SQL text over the table's own column names. */
  filter?: string;
  withRowAddress: boolean;
}

export interface QueryTable extends SourceTable {
  /** Namespace path + name inside the catalog root. */
  readonly path: string[];
  scan(args: ScanArgs): Promise<arrow.Table>;
  /** Payload bytes (explicit materialization). */
  fetchBlobs(column: string, rowAddrs: readonly bigint[]): Promise<(Uint8Array | null)[]>;
  /** Zero-copy references the writer accepts, one per address (request order). */
  copyBlobs(column: string, rowAddrs: readonly bigint[]): Promise<unknown[]>;
}

/** Changes to rows of one table, applied in one transaction. */
export interface RowChanges {
  /** Rows to remove. */
  deletes: bigint[];
  /**
   * Groups of rows whose listed columns get new values (other columns keep theirs, blobs
   * included); a row appears in at most one group.
   */
  updates: { rowAddrs: bigint[]; columns: Record<string, unknown[]> }[];
  /** New rows (complete). */
  inserts: WriteRow[];
}

export interface CreateSpec {
  schema: arrow.Schema;
  fileVersion?: string;
  /** Replace an existing table (CREATE OR REPLACE / INSERT OVERWRITE semantics). */
  replace?: boolean;
}

export interface WriteOutcome {
  version: number;
  rows: number;
  /** For row changes: fragments rewritten column-wise (blobs untouched) and row-wise. */
  rewrite?: RewriteSummary;
}

export interface RewriteSummary {
  columnFragments: number;
  rowFragments: number;
}

export interface StorageCounters {
  bytesRead: number;
  bytesWritten: number;
  bytesLinked: number;
  payloadBytesRead: number;
  payloadBytesWritten: number;
  payloadBytesLinked: number;
}

export interface TableCatalog {
  readonly root: string;
  open(path: string[], version?: number): Promise<QueryTable>;
  exists(path: string[]): Promise<boolean>;
  create(path: string[], spec: CreateSpec, rows: WriteRow[]): Promise<WriteOutcome>;
  append(table: QueryTable, rows: WriteRow[]): Promise<WriteOutcome>;
  overwrite(table: QueryTable, rows: WriteRow[]): Promise<WriteOutcome>;
  apply(table: QueryTable, changes: RowChanges): Promise<WriteOutcome>;
  list(namespace: string[]): Promise<string[]>;
  createNamespace(namespace: string[]): Promise<void>;
  /**
   * A view of the same tables for one statement: its counters() start at zero and count only the
   * work done through the view (tables opened, read and written through it).
   */
  forStatement(): TableCatalog;
  /** Bytes read, written and linked through this catalog object (not through its views). */
  counters(): StorageCounters;
}
