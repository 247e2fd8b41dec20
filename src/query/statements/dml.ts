// UPDATE and DELETE: the executor finds the rows (by row address) and computes new values; the
// catalog applies them in one transaction. Untouched columns, blobs included, are never read:
// the storage side keeps them where they are (column rewrite) or links them (row rewrite).
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import type { QueryTable, TableCatalog } from '../catalog.js';
import type { Plan } from '../plan.js';
import { freshId, type Col, type Relation } from '../relation.js';
import { bindContext, openOrFail, resolveName, runPlan, type Names } from '../run.js';
import { identValue, objectNameParts, unsupported, variant, type Obj } from '../sql/ast-util.js';
import { bindIr, toIr, type Scope } from '../sql/bind-expr.js';
import { scanPlan } from '../sql/bind-query.js';
import { columnValues } from '../write-rows.js';
import { evalBound } from '../execute.js';
import { execContext } from '../run.js';
import type { Outcome } from './outcome.js';

/** Target table of UPDATE/DELETE/MERGE with its alias. */
export async function openTarget(rel: unknown, catalog: TableCatalog, names: Names): Promise<{ table: QueryTable; alias: string }> {
  const [k, v] = variant(rel);
  if (k !== 'Table') unsupported(`target ${k}`);
  const o = v as Obj;
  const parts = objectNameParts(o.name);
  const path = resolveName(parts, names);
  const table = await openOrFail(catalog, path);
  const alias = o.alias ? identValue((o.alias as Obj).name) : parts[parts.length - 1]!;
  return { table, alias };
}

/** The rows of `table` matching `where` (all rows when absent), with row addresses. */
export async function targetRows(table: QueryTable, alias: string, where: unknown | undefined): Promise<{ plan: Plan; rel: Relation; addr: Col }> {
  const scan = scanPlan(table, alias, { rowAddr: true });
  let plan: Plan = scan;
  if (where != null) {
    const pred = bindIr(toIr(where), { cols: scan.cols });
    plan = { op: 'filter', input: scan, pred, cols: scan.cols };
  }
  const { rel } = await runPlan(plan);
  return { plan, rel, addr: scan.rowAddr! };
}

export function rowAddrs(rel: Relation, addr: Col): bigint[] {
  const v = rel.vectors[rel.cols.indexOf(addr)]!;
  return Array.from({ length: rel.numRows }, (_, i) => BigInt(v.get(i) as bigint));
}

/** The column an assignment target names (`label`, `t.label`). */
export function assignmentColumn(target: unknown, table: QueryTable, alias: string): arrow.Field {
  const [k, v] = variant(target);
  if (k !== 'ColumnName') unsupported(`assignment to ${k}`);
  const parts = objectNameParts(v);
  const name = parts.length === 2 && parts[0]!.toLowerCase() === alias.toLowerCase() ? parts[1]! : parts.length === 1 ? parts[0]! : unsupported(`assignment to ${parts.join('.')}`);
  const f = table.schema.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!f) throw new SqlError('UNKNOWN_COLUMN', `table ${table.name} has no column ${name}`, { column: name });
  return f;
}

/** Evaluates SET assignments over `rel` into per-column write values. */
export async function assignmentValues(assignments: Obj[], rel: Relation, scope: Scope, table: QueryTable, alias: string, what: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  const ctx = execContext();
  for (const a of assignments) {
    const field = assignmentColumn(a.target, table, alias);
    if (field.name in out) throw new SqlError('DUPLICATE_COLUMN', `${what}: column ${field.name} assigned twice`);
    const expr = bindIr(toIr(a.value), scope);
    const vec = await evalBound(expr, rel, ctx);
    if (ctx.planPayloadBytes) throw new SqlError('UNSUPPORTED_SQL', `${what}: blob_bytes() in SET is not supported; assign the blob column itself`);
    const bare = expr.ir.kind === 'column' && expr.ir.path.length === 1 ? scope.cols.find((c) => c.id === (expr.ir as { path: string[] }).path[0]) : undefined;
    // A bare blob column keeps its reference; anything else is a plain value column.
    const col: Col = bare ?? { id: freshId(field.name), name: field.name, type: vec.type, nullable: true };
    const withCol: Relation = bare ? rel : { cols: [...rel.cols, col], vectors: [...rel.vectors, vec], numRows: rel.numRows };
    out[field.name] = await columnValues(withCol, col, field, what);
  }
  return out;
}

export async function update(up: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const tw = up.table as Obj;
  if (((tw.joins as unknown[]) ?? []).length || up.from != null) unsupported('UPDATE ... FROM / joins (use MERGE INTO)');
  const { table, alias } = await openTarget(tw.relation, catalog, names);
  const what = `UPDATE ${table.name}`;
  // Validate assignments before reading anything.
  for (const a of up.assignments as Obj[]) assignmentColumn(a.target, table, alias);
  const { plan, rel, addr } = await targetRows(table, alias, up.selection ?? undefined);
  const columns = await assignmentValues(up.assignments as Obj[], rel, { cols: plan.cols }, table, alias, what);
  const addrs = rowAddrs(rel, addr);
  if (addrs.length === 0) return { kind: 'UPDATE', rowsAffected: 0, version: table.version };
  const out = await catalog.apply(table, { deletes: [], updates: [{ rowAddrs: addrs, columns }], inserts: [] });
  return { kind: 'UPDATE', rowsAffected: addrs.length, version: out.version, ...(out.rewrite ? { rewrite: out.rewrite } : {}) };
}

export async function del(d: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const [fk, fv] = variant(d.from);
  if (fk !== 'WithFromKeyword' && fk !== 'WithoutKeyword') unsupported(`DELETE ${fk}`);
  const from = fv as Obj[];
  if (from.length !== 1 || ((from[0]!.joins as unknown[]) ?? []).length || d.using != null) unsupported('DELETE with several tables (use MERGE INTO)');
  const { table, alias } = await openTarget(from[0]!.relation, catalog, names);
  const { rel, addr } = await targetRows(table, alias, d.selection ?? undefined);
  const addrs = rowAddrs(rel, addr);
  if (addrs.length === 0) return { kind: 'DELETE', rowsAffected: 0, version: table.version };
  const out = await catalog.apply(table, { deletes: addrs, updates: [], inserts: [] });
  return { kind: 'DELETE', rowsAffected: addrs.length, version: out.version };
}
