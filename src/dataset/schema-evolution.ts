// Schema evolution without touching existing data files (LANCE-FORMAT §2.5, §4.2):
//   addColumns   computed columns → one new data file per fragment (all physical rows), Merge txn;
//                all-null columns → schema only (a field no data file lists reads as null).
//   dropColumns  Project txn; data files left without any live field drop out of the manifest.
//   alterColumns rename / nullability, Project txn (field ids stay, so data files still match).
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, type DataFragment } from '../format/proto/table_pb.js';
import { Transaction_MergeSchema, Transaction_ProjectSchema } from '../format/proto/transaction_pb.js';
import { lanceSchemaFromArrow, maxFieldId, toPbFields, arrowTypeOf, type LanceField, type LanceSchema } from '../format/schema.js';
import { InvalidInputError } from '../errors.js';
import { commitTransaction, newTransaction, type CommitOptions } from './commit.js';
import { Dataset } from './dataset.js';
import { withReplan, type ReplanOptions } from './delete.js';
import { exprModule, TABLE_API_DIALECT } from './filter.js';
import * as expr from './expr/index.js';
import { discardWrites, evalAs, makeBatch, readFragment, writeColumnFile } from './mutation-io.js';

/** Computed columns by SQL expression, or Arrow fields for all-null columns. */
export type NewColumns = Record<string, string> | readonly arrow.Field[] | arrow.Schema;

export interface ColumnAlteration {
  /** Top-level column name. */
  path: string;
  rename?: string;
  nullable?: boolean;
}

export interface SchemaChangeResult {
  version: number;
  dataset: Dataset;
}

const encoder = new TextEncoder();

function pbMetadata(s: LanceSchema): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(s.metadata).map(([k, v]) => [k, encoder.encode(v)]));
}

function checkNewNames(schema: LanceSchema, names: readonly string[]): void {
  for (const n of names) {
    if (!n) throw new InvalidInputError('BAD_COLUMN_NAME', 'column names must not be empty');
    if (schema.fields.some((f) => f.name === n)) throw new InvalidInputError('COLUMN_EXISTS', `column "${n}" already exists`, { column: n });
  }
  if (new Set(names).size !== names.length) throw new InvalidInputError('COLUMN_EXISTS', `duplicate new column names: ${names.join(', ')}`);
}

/**
 * The first id a new column may take: above every id in the schema and every id a data file
 * still lists. A dropped column's id stays in its data files' `fields`, so reusing it would make
 * the new column read the old column's bytes; Lance assigns ids the same way.
 */
export function nextFieldId(snap: Pick<Dataset, 'schema' | 'fragments'>): number {
  let max = maxFieldId(snap.schema);
  for (const frag of snap.fragments) for (const file of frag.files) for (const id of file.fields) if (id > max) max = id;
  return max + 1;
}

/** Adds columns to every row; existing data files are never rewritten. */
export async function addColumns(ds: Dataset, columns: NewColumns, opts: ReplanOptions = {}): Promise<SchemaChangeResult> {
  return withReplan(await ds.latest().catch(() => ds), opts, async (snap) => {
    const computed = !(columns instanceof arrow.Schema) && !Array.isArray(columns);
    const next = nextFieldId(snap);
    let added: LanceField[];
    let exprs: Map<string, expr.Expr> | undefined;
    if (!computed) {
      const fields = columns instanceof arrow.Schema ? columns.fields : (columns as readonly arrow.Field[]);
      checkNewNames(snap.schema, fields.map((f) => f.name));
      for (const f of fields) if (!f.nullable) throw new InvalidInputError('NOT_NULLABLE', `all-null column "${f.name}" must be nullable`, { column: f.name });
      added = lanceSchemaFromArrow(new arrow.Schema([...fields]), next).fields;
    } else {
      const m = await exprModule();
      const entries = Object.entries(columns as Record<string, string>);
      checkNewNames(snap.schema, entries.map(([n]) => n));
      exprs = new Map(entries.map(([n, sql]) => [n, m.parseExpr!(sql) as expr.Expr]));
      const arrowSchema = snap.arrowSchema;
      const fields = entries.map(([n]) => new arrow.Field(n, expr.exprType(exprs!.get(n)!, arrowSchema, TABLE_API_DIALECT), true));
      added = lanceSchemaFromArrow(new arrow.Schema(fields), next).fields;
    }
    const schema: LanceSchema = { fields: [...snap.schema.fields, ...added], metadata: snap.schema.metadata };
    const fragments: DataFragment[] = [];
    try {
      for (const frag of snap.fragments) {
        if (!exprs) {
          fragments.push(frag);
          continue;
        }
        const reads = new Set([...exprs.values()].flatMap((e) => expr.exprColumns(e)));
        const { batch } = await readFragment(snap, frag, snap.schema.fields.filter((f) => reads.has(f.name)), { physical: true });
        const cols: arrow.Data[] = [];
        for (const f of added) cols.push(await evalAs(exprs.get(f.name)!, batch, arrowTypeOf(f)));
        const out = makeBatch(added.map((f) => new arrow.Field(f.name, arrowTypeOf(f), f.nullable)), cols, batch.numRows);
        const file = await writeColumnFile(snap, added, out);
        fragments.push(create(DataFragmentSchema, { ...frag, files: [...frag.files, file] }));
      }
      const txn = newTransaction(snap.loaded.version, {
        case: 'merge',
        value: create(Transaction_MergeSchema, { fragments, schema: toPbFields(schema.fields), schemaMetadata: pbMetadata(schema) }),
      });
      const res = await commitTransaction(snap.loc, txn, opts);
      return { version: Number(res.version), dataset: new Dataset(snap.loc, res.loaded) };
    } catch (e) {
      await discardWrites(snap, fragments, [], e);
      throw e;
    }
  });
}

async function project(snap: Dataset, fields: LanceField[], opts: CommitOptions): Promise<SchemaChangeResult> {
  const txn = newTransaction(snap.loaded.version, { case: 'project', value: create(Transaction_ProjectSchema, { schema: toPbFields(fields) }) });
  const res = await commitTransaction(snap.loc, txn, opts);
  return { version: Number(res.version), dataset: new Dataset(snap.loc, res.loaded) };
}

function requireColumn(schema: LanceSchema, name: string): LanceField {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new InvalidInputError('UNKNOWN_COLUMN', `no column "${name}"; columns: ${schema.fields.map((x) => x.name).join(', ')}`, { column: name });
  return f;
}

/** Removes top-level columns (their data stays on disk until cleanup). */
export async function dropColumns(ds: Dataset, names: readonly string[], opts: ReplanOptions = {}): Promise<SchemaChangeResult> {
  return withReplan(await ds.latest().catch(() => ds), opts, async (snap) => {
    for (const n of names) requireColumn(snap.schema, n);
    const fields = snap.schema.fields.filter((f) => !names.includes(f.name));
    if (fields.length === 0) throw new InvalidInputError('DROP_ALL', 'cannot drop every column of a table');
    return project(snap, fields, opts);
  });
}

/** Renames columns or changes their nullability. */
export async function alterColumns(ds: Dataset, changes: readonly ColumnAlteration[], opts: ReplanOptions = {}): Promise<SchemaChangeResult> {
  return withReplan(await ds.latest().catch(() => ds), opts, async (snap) => {
    const fields = snap.schema.fields.map((f) => ({ ...f }));
    for (const c of changes) {
      const f = fields.find((x) => x.name === c.path);
      if (!f) requireColumn(snap.schema, c.path);
      if (c.rename !== undefined) {
        checkNewNames({ fields: fields.filter((x) => x !== f), metadata: {} }, [c.rename]);
        f!.name = c.rename;
      }
      if (c.nullable !== undefined) {
        if (!c.nullable && f!.nullable) {
          const nulls = await countNulls(snap, c.path);
          if (nulls > 0) throw new InvalidInputError('HAS_NULLS', `column "${c.path}" has ${nulls} null value(s); it cannot become non-nullable`, { column: c.path });
        }
        f!.nullable = c.nullable;
      }
    }
    return project(snap, fields, opts);
  });
}

async function countNulls(ds: Dataset, column: string): Promise<number> {
  const field = requireColumn(ds.schema, column);
  let n = 0;
  for (const frag of ds.fragments) {
    const { batch } = await readFragment(ds, frag, [field]);
    n += batch.getChild(column)!.nullCount;
  }
  return n;
}
