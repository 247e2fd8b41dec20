// MERGE INTO target USING source ON ... WHEN [NOT] MATCHED [BY SOURCE] [AND cond] THEN ...
// The join runs in the executor; matched/unmatched rows become one RowChanges transaction.
// Source blobs assigned or inserted (`SET t.image = s.image`) travel as references.
import { SqlError } from '../../errors.js';
import { conjuncts } from '../sql/ast-util.js';
import type { RowChanges, TableCatalog, WriteRow } from '../catalog.js';
import { evalBound } from '../execute.js';
import { hashJoin } from '../exec/hash-join.js';
import { bareColumn, type BoundExpr } from '../plan.js';
import { gather, type Col, type Relation } from '../relation.js';
import { bindContext, execContext, runPlan, type Names } from '../run.js';
import { identValue, unsupported, variant, type Obj } from '../sql/ast-util.js';
import { bindIr, boundColumns, toIr, type Scope } from '../sql/bind-expr.js';
import { bindFrom, scanPlan } from '../sql/bind-query.js';
import { columnValues } from '../write-rows.js';
import { assignmentColumn, assignmentValues, openTarget, rowAddrs } from './dml.js';
import type { Outcome } from './outcome.js';

type Clause = { kind: 'Matched' | 'NotMatched' | 'NotMatchedBySource'; predicate?: unknown; action: [string, Obj | undefined] };

function concat(a: Relation, b: Relation): Relation {
  return { cols: [...a.cols, ...b.cols], vectors: [...a.vectors, ...b.vectors], numRows: a.numRows };
}

const filled = (n: number, v: number) => new Int32Array(n).fill(v);

export async function merge(m: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const { table, alias } = await openTarget(m.table, catalog, names);
  const what = `MERGE INTO ${table.name}`;
  const ctx = bindContext(catalog, names);
  const tScan = scanPlan(table, alias, { rowAddr: true });
  const sPlan = (await bindFrom([{ relation: m.source, joins: [] }], ctx))!;
  const scope: Scope = { cols: [...tScan.cols, ...sPlan.cols] };
  const tIds = new Set(tScan.cols.map((c) => c.id));
  const sIds = new Set(sPlan.cols.map((c) => c.id));

  const clauses: Clause[] = (m.clauses as Obj[]).map((c) => ({ kind: c.clause_kind as Clause['kind'], predicate: c.predicate ?? undefined, action: variant(c.action) as [string, Obj | undefined] }));
  for (const c of clauses) {
    if (c.kind === 'NotMatched' && c.action[0] !== 'Insert') throw new SqlError('BAD_MERGE', `${what}: WHEN NOT MATCHED only allows INSERT`);
    if (c.kind !== 'NotMatched' && c.action[0] === 'Insert') throw new SqlError('BAD_MERGE', `${what}: INSERT is only allowed in WHEN NOT MATCHED`);
    if (c.action[0] === 'Update') for (const a of c.action[1]!.assignments as Obj[]) assignmentColumn(a.target, table, alias);
  }

  // ON: equality conjuncts between the two sides are hash keys, the rest a residual filter.
  const tKeys: BoundExpr[] = [];
  const sKeys: BoundExpr[] = [];
  const residual: BoundExpr[] = [];
  for (const c of conjuncts(toIr(m.on))) {
    if (c.kind === 'binary' && c.op === '=') {
      const a = bindIr(c.left, scope);
      const b = bindIr(c.right, scope);
      const inSide = (e: BoundExpr, ids: Set<string>) => [...boundColumns(e)].every((x) => ids.has(x)) && boundColumns(e).size > 0;
      if (inSide(a, tIds) && inSide(b, sIds)) {
        tKeys.push(a), sKeys.push(b);
        continue;
      }
      if (inSide(a, sIds) && inSide(b, tIds)) {
        tKeys.push(b), sKeys.push(a);
        continue;
      }
    }
    residual.push(bindIr(c, scope));
  }
  const { rel: tRel } = await runPlan(tScan);
  const { rel: sRel } = await runPlan(sPlan);
  const ex = execContext();
  const tk: import('apache-arrow').Vector[] = [];
  const sk: import('apache-arrow').Vector[] = [];
  for (const k of tKeys) tk.push(await evalBound(k, tRel, ex));
  for (const k of sKeys) sk.push(await evalBound(k, sRel, ex));
  let pairs = hashJoin(tk, sk, tRel.numRows, sRel.numRows, 'inner');
  if (residual.length) {
    const joined = concat(gather(tRel, pairs.left), gather(sRel, pairs.right));
    const keep = new Uint8Array(joined.numRows).fill(1);
    for (const r of residual) {
      const v = await evalBound(r, joined, ex);
      for (let i = 0; i < keep.length; i++) if (v.get(i) !== true) keep[i] = 0;
    }
    const L: number[] = [];
    const R: number[] = [];
    keep.forEach((k, i) => k && (L.push(pairs.left[i]!), R.push(pairs.right[i]!)));
    pairs = { left: Int32Array.from(L), right: Int32Array.from(R) };
  }
  const tMatched = new Uint8Array(tRel.numRows);
  const sMatched = new Uint8Array(sRel.numRows);
  for (const t of pairs.left) {
    if (tMatched[t] && clauses.some((c) => c.kind === 'Matched')) {
      throw new SqlError('MERGE_DUPLICATE_MATCH', `${what}: a target row matched more than one source row; the ON condition must identify at most one source row per target row`);
    }
    tMatched[t] = 1;
  }
  for (const s of pairs.right) sMatched[s] = 1;

  const tAddr = tScan.rowAddr!;
  const changes: RowChanges = { deletes: [], updates: [], inserts: [] };
  let affected = 0;

  const runClauses = async (kind: Clause['kind'], rel: Relation) => {
    const todo = clauses.filter((c) => c.kind === kind);
    let remaining = Int32Array.from({ length: rel.numRows }, (_, i) => i);
    for (const c of todo) {
      if (remaining.length === 0) break;
      const sub = gather(rel, remaining);
      let hit: number[] = [];
      if (c.predicate === undefined) hit = Array.from(remaining.keys());
      else {
        const v = await evalBound(bindIr(toIr(c.predicate), scope), sub, ex);
        for (let i = 0; i < sub.numRows; i++) if (v.get(i) === true) hit.push(i);
      }
      const rows = gather(sub, hit);
      remaining = remaining.filter((_, i) => !hit.includes(i));
      if (rows.numRows === 0) continue;
      affected += rows.numRows;
      const [act, body] = c.action;
      if (act === 'Delete') changes.deletes.push(...rowAddrs(rows, tAddr));
      else if (act === 'Update') changes.updates.push({ rowAddrs: rowAddrs(rows, tAddr), columns: await assignmentValues(body!.assignments as Obj[], rows, scope, table, alias, what) });
      else if (act === 'Insert') changes.inserts.push(...(await insertRows(body!, rows, scope, table, what)));
      else unsupported(`MERGE action ${act}`);
    }
  };
  await runClauses('Matched', concat(gather(tRel, pairs.left), gather(sRel, pairs.right)));
  const unmatchedS = [...sMatched.keys()].filter((i) => !sMatched[i]);
  await runClauses('NotMatched', concat(gather(tRel, filled(unmatchedS.length, -1)), gather(sRel, unmatchedS)));
  const unmatchedT = [...tMatched.keys()].filter((i) => !tMatched[i]);
  await runClauses('NotMatchedBySource', concat(gather(tRel, unmatchedT), gather(sRel, filled(unmatchedT.length, -1))));

  if (affected === 0) return { kind: 'MERGE', rowsAffected: 0, version: table.version };
  const out = await catalog.apply(table, changes);
  return { kind: 'MERGE', rowsAffected: affected, version: out.version, ...(out.rewrite ? { rewrite: out.rewrite } : {}) };
}

async function insertRows(body: Obj, rows: Relation, scope: Scope, table: { schema: import('apache-arrow').Schema; name: string }, what: string): Promise<WriteRow[]> {
  const [kk, kv] = variant(body.kind);
  if (kk !== 'Values') unsupported(`MERGE INSERT ${kk}`);
  const valueRows = ((kv as Obj).rows as Obj[]).map((r) => (Array.isArray(r) ? r : (r.content as unknown[])));
  if (valueRows.length !== 1) throw new SqlError('BAD_MERGE', `${what}: INSERT takes exactly one VALUES row`);
  const fields = table.schema.fields;
  const listed = ((body.columns as unknown[][] | undefined) ?? []).map((c) => identValue(variant(c[c.length - 1])[1]));
  const names = listed.length ? listed : fields.map((f) => f.name);
  if (names.length !== valueRows[0]!.length) throw new SqlError('INSERT_WIDTH', `${what}: INSERT lists ${names.length} columns but ${valueRows[0]!.length} values`);
  const out: WriteRow[] = Array.from({ length: rows.numRows }, () => ({}));
  const ex = execContext();
  for (const f of fields) {
    const i = names.findIndex((n) => n.toLowerCase() === f.name.toLowerCase());
    let vals: unknown[];
    if (i < 0) {
      if (!f.nullable) throw new SqlError('NULL_VIOLATION', `column ${f.name} is NOT NULL and has no value in ${what} INSERT`);
      vals = new Array(rows.numRows).fill(null);
    } else {
      const expr = bindIr(toIr(valueRows[0]![i]), scope);
      const bare = bareColumn(expr);
      let col: Col | undefined = bare ? rows.cols.find((c) => c.id === bare) : undefined;
      let rel = rows;
      if (!col) {
        const v = await evalBound(expr, rows, ex);
        col = { id: `${f.name}$ins`, name: f.name, type: v.type, nullable: true };
        rel = { cols: [...rows.cols, col], vectors: [...rows.vectors, v], numRows: rows.numRows };
      }
      vals = await columnValues(rel, col, f, `${what} INSERT`);
    }
    vals.forEach((v, r) => (out[r]![f.name] = v));
  }
  for (const n of names) if (!fields.some((f) => f.name.toLowerCase() === n.toLowerCase())) throw new SqlError('UNKNOWN_COLUMN', `${what}: table has no column ${n}`);
  return out;
}
