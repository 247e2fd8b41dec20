// The SQL entry point: `const db = sqlSession({ root }); await db.sql(text)`. Statements run in
// order; each write is one transaction; a failing statement commits nothing and stops the script.
import type * as arrow from 'apache-arrow';
import { LancetError, SqlError } from '../errors.js';
import type { RewriteSummary, TableCatalog } from './catalog.js';
import { DataFrame } from './dataframe.js';
import { runPlan, bindContext, type Names } from './run.js';
import { variant, type Obj } from './sql/ast-util.js';
import { bindQuery } from './sql/bind-query.js';
import { parseScript } from './sql/split.js';
import { toArrowTable } from './relation.js';
import { createNamespace, createTable, describe, showTables, useNamespace } from './statements/ddl.js';
import { del, update } from './statements/dml.js';
import { insert } from './statements/insert.js';
import { merge } from './statements/merge.js';
import type { Outcome } from './statements/outcome.js';

export interface StatementResult {
  /** The statement text as written. */
  statement: string;
  /** SELECT, INSERT, UPDATE, MERGE, CREATE TABLE, ... */
  kind: string;
  rowsAffected: number;
  /** Version committed by a write (or read by DESCRIBE); null otherwise. */
  version: number | null;
  /** Payload bytes materialized inside the plan (only blob_bytes()). */
  planPayloadBytes: number;
  payloadBytesRead: number;
  payloadBytesWritten: number;
  payloadBytesLinked: number;
  /** All bytes written to the store (data files, sidecars, manifests, transactions). */
  bytesWritten: number;
  /** UPDATE/MERGE: fragments rewritten column-wise (blob files untouched) vs row-wise. */
  rewrite?: RewriteSummary;
  /** Result rows of SELECT / SHOW / DESCRIBE; blob columns as descriptors. */
  table?: arrow.Table;
}

export interface SessionOptions {
  root: string;
  /** Namespace unqualified names resolve in (default: the root itself). `USE` changes it. */
  namespace?: string[];
  /** Storage; defaults to the Lance datasets under `root`. */
  catalog?: TableCatalog;
}

export interface SqlSession {
  readonly catalog: TableCatalog;
  /** Current namespace (`USE lance.db` sets ['db']). */
  readonly namespace: string[];
  sql(text: string): Promise<StatementResult[]>;
  /** A DataFrame over a table (`products`, `db.products`, `lance.db.products`). */
  table(name: string): DataFrame;
}

export function sqlSession(opts: SessionOptions): SqlSession {
  const names: Names = { namespace: opts.namespace ?? [] };
  let catalog = opts.catalog;
  const getCatalog = async (): Promise<TableCatalog> => {
    if (!catalog) catalog = (await import('./lance-catalog.js')).lanceCatalog(opts.root);
    return catalog;
  };
  const session: SqlSession = {
    get catalog() {
      if (!catalog) throw new LancetError('NOT_READY', 'catalog opens on the first statement');
      return catalog;
    },
    get namespace() {
      return names.namespace;
    },
    async sql(text: string): Promise<StatementResult[]> {
      const cat = await getCatalog();
      const out: StatementResult[] = [];
      for (const st of parseScript(text)) out.push(await runStatement(st.text, st.ast, cat, names));
      return out;
    },
    table(name: string): DataFrame {
      return DataFrame.fromTable(getCatalog, names, name);
    },
  };
  return session;
}

/** Runs one parsed statement on its own view of the catalog, which counts its bytes. */
export function runStatement(text: string, ast: unknown, catalog: TableCatalog, names: Names): Promise<StatementResult> {
  return runOnView(text, ast, catalog.forStatement(), names);
}

/**
 * Runs one parsed statement on `view`, a statement view (TableCatalog.forStatement) used by
 * nothing else but this statement (and the plans bound for it), and reports what it counted.
 */
export async function runOnView(text: string, ast: unknown, view: TableCatalog, names: Names): Promise<StatementResult> {
  let outcome: Outcome;
  try {
    outcome = await dispatch(ast, view, names);
  } catch (e) {
    throw withStatement(e, text);
  }
  const d = view.counters();
  return {
    statement: text,
    kind: outcome.kind,
    rowsAffected: outcome.rowsAffected,
    version: outcome.version,
    planPayloadBytes: outcome.planPayloadBytes ?? 0,
    payloadBytesRead: d.payloadBytesRead,
    payloadBytesWritten: d.payloadBytesWritten,
    payloadBytesLinked: d.payloadBytesLinked,
    bytesWritten: d.bytesWritten,
    ...(outcome.rewrite ? { rewrite: outcome.rewrite } : {}),
    ...(outcome.table ? { table: outcome.table } : {}),
  };
}

async function dispatch(ast: unknown, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const [k, v] = variant(ast);
  const o = v as Obj;
  switch (k) {
    case 'Query': {
      const plan = await bindQuery(o, bindContext(catalog, names));
      const { rel, planPayloadBytes } = await runPlan(plan);
      return { kind: 'SELECT', rowsAffected: 0, version: null, planPayloadBytes, table: toArrowTable(rel) };
    }
    case 'CreateTable':
      return createTable(o, catalog, names);
    case 'CreateDatabase':
    case 'CreateSchema':
      return createNamespace(k === 'CreateSchema' ? { db_name: variant(o.schema_name)[1] } : o, catalog);
    case 'Use':
      return useNamespace(v, names);
    case 'ShowTables':
      return showTables(o, catalog, names);
    case 'ExplainTable':
      return describe(o, catalog, names);
    case 'Insert':
      return insert(o, catalog, names);
    case 'Update':
      return update(o, catalog, names);
    case 'Delete':
      return del(o, catalog, names);
    case 'Merge':
      return merge(o, catalog, names);
    default:
      throw new SqlError('UNSUPPORTED_STATEMENT', `unsupported statement ${k}; supported: SELECT, INSERT, UPDATE, DELETE, MERGE INTO, CREATE TABLE [AS SELECT], CREATE NAMESPACE, USE, SHOW TABLES, DESCRIBE`, { construct: k });
  }
}

/** Typed errors keep their code and gain the statement text. */
function withStatement(e: unknown, text: string): unknown {
  const short = text.length > 300 ? text.slice(0, 300) + '…' : text;
  if (e instanceof LancetError) {
    if (e.details.statement === undefined && !e.message.includes('\n  in statement: ')) {
      e.message = `${e.message}\n  in statement: ${short}`;
      (e.details as Record<string, unknown>).statement = text;
    }
    return e;
  }
  return new SqlError('STATEMENT_FAILED', `${(e as Error)?.message ?? String(e)}\n  in statement: ${short}`, { statement: text }, { cause: e });
}
