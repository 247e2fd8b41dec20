// INSERT INTO / INSERT OVERWRITE ... VALUES | SELECT: one append (or overwrite) transaction.
import { SqlError } from '../../errors.js';
import type { TableCatalog } from '../catalog.js';
import { visibleCols } from '../plan.js';
import type { Col } from '../relation.js';
import { bindContext, openOrFail, resolveName, runPlan, type Names } from '../run.js';
import { identValue, objectNameParts, unsupported, variant, type Obj } from '../sql/ast-util.js';
import { bindQuery } from '../sql/bind-query.js';
import { writeRows } from '../write-rows.js';
import type { Outcome } from './outcome.js';

export async function insert(ins: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const [tk, tv] = variant(ins.table);
  if (tk !== 'TableName') unsupported(`INSERT into ${tk}`);
  if (ins.on != null || ins.returning != null) unsupported('INSERT ... ON CONFLICT/RETURNING');
  if (ins.partitioned != null) unsupported('INSERT ... PARTITION');
  const path = resolveName(objectNameParts(tv), names);
  const ctx = bindContext(catalog, names);
  const target = await openOrFail(catalog, path);
  if (ins.source == null) unsupported('INSERT without VALUES or SELECT');
  const plan = await bindQuery(ins.source as Obj, ctx);
  const { rel, planPayloadBytes } = await runPlan(plan);
  const vis = visibleCols(plan);
  const fields = target.schema.fields;
  const listed = ((ins.columns as unknown[][] | undefined) ?? []).map((c) => identValue(variant(Array.isArray(c) ? c[c.length - 1] : c)[1] ?? c));
  const mapping: (Col | undefined)[] = new Array(fields.length).fill(undefined);
  const what = `INSERT INTO ${path.join('.')}`;
  if (listed.length > 0) {
    if (listed.length !== vis.length) throw new SqlError('INSERT_WIDTH', `${what} lists ${listed.length} columns but the query produces ${vis.length}`);
    listed.forEach((name, i) => {
      const f = fields.findIndex((x) => x.name.toLowerCase() === name.toLowerCase());
      if (f < 0) throw new SqlError('UNKNOWN_COLUMN', `${what}: table has no column ${name}`, { column: name });
      if (mapping[f]) throw new SqlError('DUPLICATE_COLUMN', `${what}: column ${name} listed twice`);
      mapping[f] = vis[i];
    });
  } else {
    if (vis.length !== fields.length) throw new SqlError('INSERT_WIDTH', `${what}: table has ${fields.length} columns but the query produces ${vis.length}`);
    vis.forEach((c, i) => (mapping[i] = c));
  }
  const rows = await writeRows(rel, target.schema, mapping, what);
  const out = ins.overwrite ? await catalog.overwrite(target, rows) : await catalog.append(target, rows);
  return { kind: ins.overwrite ? 'INSERT OVERWRITE' : 'INSERT', rowsAffected: out.rows, version: out.version, planPayloadBytes };
}
