// DataFrames: lazily built plans over the same binder and executor as SQL. Writes hand the plan
// to the SQL statements as a named view, so a DataFrame write is exactly the INSERT / CTAS /
// MERGE it stands for (same reference passthrough, same statistics).
import type * as arrow from 'apache-arrow';
import { SqlError } from '../errors.js';
import { parseSql } from '../dataset/expr/sql-parser.js';
import { quoteIdent } from '../dataset/expr/ast.js';
import type { TableCatalog } from './catalog.js';
import { colRef, type Plan } from './plan.js';
import { freshId, toArrowTable } from './relation.js';
import { bindContext, runPlan, type Names } from './run.js';
import { identValue, variant, type Obj } from './sql/ast-util.js';
import { bindIr, boundType, resolvePath, toIr } from './sql/bind-expr.js';
import { scanPlan, sortKey } from './sql/bind-query.js';
import type { BindContext } from './sql/bind-query.js';
import type { StatementResult } from './session.js';

type Build = (ctx: BindContext) => Promise<Plan>;
type CatalogGetter = () => Promise<TableCatalog>;

/** One SELECT-list item parsed on its own: `expr [AS alias]`. */
function parseItem(text: string): { ast: unknown; alias?: string } {
  const st = parseSql(`SELECT ${text}`)[0] as Obj;
  const sel = variant(((st.Query as Obj).body as Obj))[1] as Obj;
  const items = sel.projection as unknown[];
  if (items.length !== 1) throw new SqlError('BAD_EXPRESSION', `expected one expression, got "${text}"`);
  const [k, v] = variant(items[0]);
  if (k === 'ExprWithAlias') return { ast: (v as Obj).expr, alias: identValue((v as Obj).alias) };
  if (k === 'UnnamedExpr') return { ast: v };
  throw new SqlError('BAD_EXPRESSION', `unsupported DataFrame expression "${text}"`);
}

function parseWhere(text: string): unknown {
  const st = parseSql(`SELECT 1 WHERE ${text}`)[0] as Obj;
  return (variant((st.Query as Obj).body)[1] as Obj).selection;
}

export class DataFrame {
  private constructor(
    private readonly catalog: CatalogGetter,
    private readonly names: Names,
    private readonly build: Build,
  ) {}

  static fromTable(catalog: CatalogGetter, names: Names, name: string): DataFrame {
    const parts = name.split('.');
    return new DataFrame(catalog, names, async (ctx) => scanPlan(await ctx.openSource(parts), parts[parts.length - 1]!));
  }

  // Not named `then`: a `then` method makes the DataFrame a thenable, and `await df` would call
  // it with resolve/reject and never settle.
  private derive(f: (p: Plan, ctx: BindContext) => Plan | Promise<Plan>): DataFrame {
    return new DataFrame(this.catalog, this.names, async (ctx) => f(await this.build(ctx), ctx));
  }

  /** Keeps rows matching a SQL predicate (`"category = 'shoes'"`). */
  filter(predicate: string): DataFrame {
    const ast = parseWhere(predicate);
    return this.derive((p) => ({ op: 'filter', input: p, pred: bindIr(toIr(ast), { cols: p.cols }), cols: p.cols }));
  }

  where(predicate: string): DataFrame {
    return this.filter(predicate);
  }

  /** Columns or expressions (`"id"`, `"image"`, `"image.size AS bytes"`); blob columns stay references. */
  select(...items: string[]): DataFrame {
    const parsed = items.map(parseItem);
    return this.derive((p) => {
      const scope = { cols: p.cols };
      const out = parsed.map(({ ast, alias }) => {
        const expr = bindIr(toIr(ast), scope);
        const bare = expr.ir.kind === 'column' && expr.ir.path.length === 1 ? p.cols.find((c) => c.id === (expr.ir as { path: string[] }).path[0]) : undefined;
        const name = alias ?? (bare ? bare.name : (() => {
          const ir = toIr(ast);
          return ir.kind === 'column' ? ir.path[ir.path.length - 1]! : String(ir.kind);
        })());
        const id = freshId(name);
        if (bare) return { col: { ...bare, id, name, ...(bare.blob ? { blob: { ...bare.blob, descriptor: id } } : {}) }, expr };
        return { col: { id, name, type: boundType(expr, scope), nullable: true }, expr };
      });
      const hidden = new Map<string, Plan['cols'][number]>();
      for (const it of out) if (it.col.blob) hidden.set(it.col.blob.rowAddr, p.cols.find((c) => c.id === it.col.blob!.rowAddr)!);
      const all = [...out, ...[...hidden.values()].map((c) => ({ col: c, expr: colRef(c.id) }))];
      return { op: 'project', input: p, items: all, cols: all.map((i) => i.col) };
    });
  }

  /** Equi-join on same-named columns (kept once, from the left), or on a SQL condition. */
  join(other: DataFrame, on: string | string[], how: 'inner' | 'left' = 'inner'): DataFrame {
    const keys = Array.isArray(on) ? on : /^[A-Za-z_][A-Za-z0-9_]*$/.test(on) ? [on] : undefined;
    return new DataFrame(this.catalog, this.names, async (ctx) => {
      const left = await this.build(ctx);
      const right = await other.build(ctx);
      const cols = [...left.cols, ...right.cols];
      if (keys) {
        const lk = keys.map((k) => colRef(resolvePath([k], { cols: left.cols }).col.id));
        const rk = keys.map((k) => colRef(resolvePath([k], { cols: right.cols }).col.id));
        const join: Plan = { op: 'join', kind: how, left, right, leftKeys: lk, rightKeys: rk, cols };
        const drop = new Set(rk.map((k) => (k.ir as { path: string[] }).path[0]));
        const kept = cols.filter((c) => !drop.has(c.id));
        return { op: 'project', input: join, items: kept.map((c) => ({ col: c, expr: colRef(c.id) })), cols: kept };
      }
      const cond = bindIr(toIr(parseWhere(on as string)), { cols });
      return { op: 'join', kind: how, left, right, leftKeys: [], rightKeys: [], residual: cond, cols };
    });
  }

  /** ORDER BY items (`"id DESC"`); blob columns cannot be sort keys. */
  orderBy(...items: string[]): DataFrame {
    const st = parseSql(`SELECT 1 ORDER BY ${items.join(', ')}`)[0] as Obj;
    const orderItems = variant(((st.Query as Obj).order_by as Obj).kind)[1] as Obj[];
    return this.derive((p) => ({ op: 'sort', input: p, keys: orderItems.map((o) => sortKey(o, { cols: p.cols })), cols: p.cols }));
  }

  limit(n: number, offset = 0): DataFrame {
    return this.derive((p) => ({ op: 'limit', input: p, limit: n, offset, cols: p.cols }));
  }

  /** Runs the plan: an Arrow table, blob columns as descriptors. */
  async toArrow(): Promise<arrow.Table> {
    const cat = await this.catalog();
    const plan = await this.build(bindContext(cat, this.names));
    return toArrowTable((await runPlan(plan)).rel);
  }

  writeTo(table: string): DataFrameWriter {
    return new DataFrameWriter(this, table);
  }

  /** MERGE INTO `target` USING this DataFrame ON `on`. */
  mergeInto(target: string, on: string | string[]): MergeBuilder {
    return new MergeBuilder(this, target, on);
  }

  /** Runs `sql` with this DataFrame visible as the view `__dataframe`. */
  async runWithView(sql: string): Promise<StatementResult> {
    // The DataFrame's tables are opened on the statement's own catalog view, so the bytes its
    // plan reads are counted for this statement.
    const scope = (await this.catalog()).forStatement();
    const view = await this.build(bindContext(scope, this.names));
    const names: Names = { namespace: this.names.namespace, views: new Map([...(this.names.views ?? []), [VIEW, view]]) };
    const { parseScript } = await import('./sql/split.js');
    const { runOnView } = await import('./session.js');
    const [st] = parseScript(sql);
    return runOnView(st!.text, st!.ast, scope, names);
  }
}

const VIEW = '__dataframe';

export class DataFrameWriter {
  constructor(
    private readonly df: DataFrame,
    private readonly table: string,
  ) {}

  append(): Promise<StatementResult> {
    return this.df.runWithView(`INSERT INTO ${this.table} SELECT * FROM ${VIEW}`);
  }

  overwrite(): Promise<StatementResult> {
    return this.df.runWithView(`INSERT OVERWRITE ${this.table} SELECT * FROM ${VIEW}`);
  }

  create(): Promise<StatementResult> {
    return this.df.runWithView(`CREATE TABLE ${this.table} USING lance AS SELECT * FROM ${VIEW}`);
  }

  createOrReplace(): Promise<StatementResult> {
    return this.df.runWithView(`CREATE OR REPLACE TABLE ${this.table} USING lance AS SELECT * FROM ${VIEW}`);
  }
}

/** LanceDB-style merge builder over a DataFrame source; compiles to one MERGE INTO statement. */
export class MergeBuilder {
  private readonly clauses: string[] = [];
  constructor(
    private readonly df: DataFrame,
    private readonly target: string,
    private readonly on: string | string[],
  ) {}

  /** WHEN MATCHED [AND cond] THEN UPDATE SET col = expr, ... (expressions over `t` and `s`). */
  whenMatchedUpdate(set: Record<string, string>, opts: { where?: string } = {}): this {
    const sets = Object.entries(set).map(([c, e]) => `t.${quoteIdent(c)} = ${e}`);
    this.clauses.push(`WHEN MATCHED${opts.where ? ` AND ${opts.where}` : ''} THEN UPDATE SET ${sets.join(', ')}`);
    return this;
  }

  /** WHEN MATCHED THEN UPDATE every column the source shares with the target. */
  whenMatchedUpdateAll(opts: { where?: string } = {}): this {
    this.clauses.push(`WHEN MATCHED${opts.where ? ` AND ${opts.where}` : ''} THEN UPDATE SET __ALL__`);
    return this;
  }

  whenMatchedDelete(opts: { where?: string } = {}): this {
    this.clauses.push(`WHEN MATCHED${opts.where ? ` AND ${opts.where}` : ''} THEN DELETE`);
    return this;
  }

  whenNotMatchedInsertAll(): this {
    this.clauses.push('WHEN NOT MATCHED THEN INSERT __ALL__');
    return this;
  }

  whenNotMatchedBySourceDelete(opts: { where?: string } = {}): this {
    this.clauses.push(`WHEN NOT MATCHED BY SOURCE${opts.where ? ` AND ${opts.where}` : ''} THEN DELETE`);
    return this;
  }

  async execute(): Promise<StatementResult> {
    const cols = (await this.df.limit(0).toArrow()).schema.fields.map((f) => f.name);
    const keys = Array.isArray(this.on) ? this.on : /^[A-Za-z_][A-Za-z0-9_]*$/.test(this.on) ? [this.on] : undefined;
    const on = keys ? keys.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ') : (this.on as string);
    const q = cols.map(quoteIdent);
    const clauses = this.clauses.map((c) =>
      c
        .replace('UPDATE SET __ALL__', `UPDATE SET ${q.map((x) => `t.${x} = s.${x}`).join(', ')}`)
        .replace('INSERT __ALL__', `INSERT (${q.join(', ')}) VALUES (${q.map((x) => `s.${x}`).join(', ')})`),
    );
    return this.df.runWithView(`MERGE INTO ${this.target} t USING ${VIEW} s ON ${on} ${clauses.join(' ')}`);
  }
}
