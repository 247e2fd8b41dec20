// CREATE TABLE (columns or AS SELECT, OR REPLACE), CREATE NAMESPACE, USE, SHOW TABLES, DESCRIBE.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { blobField } from '../../format/blob/blob-field.js';
import type { TableCatalog } from '../catalog.js';
import { visibleCols } from '../plan.js';
import { bindContext, CATALOG_NAME, openOrFail, resolveName, runPlan, type Names } from '../run.js';
import { identValue, objectNameParts, unsupported, variant, type Obj } from '../sql/ast-util.js';
import { bindQuery, descriptorType, isBlobField } from '../sql/bind-query.js';
import { writeRows } from '../write-rows.js';
import type { Outcome } from './outcome.js';

interface TableProps {
  fileVersion?: string;
  blobCols: Map<string, { inlineSizeThreshold?: number; dedicatedSizeThreshold?: number; packFileSizeThreshold?: number }>;
}

const THRESHOLD_PROPS: Record<string, 'inlineSizeThreshold' | 'dedicatedSizeThreshold' | 'packFileSizeThreshold'> = {
  'inline-size-threshold': 'inlineSizeThreshold',
  'dedicated-size-threshold': 'dedicatedSizeThreshold',
  'pack-file-size-threshold': 'packFileSizeThreshold',
};

function tableProps(ct: Obj): TableProps {
  const props: TableProps = { blobCols: new Map() };
  const opts = ct.table_options;
  if (opts == null || opts === 'None') return props;
  const [k, v] = variant(opts);
  if (k !== 'TableProperties' && k !== 'Options') unsupported(`table options ${k}`);
  for (const kv of v as unknown[]) {
    const [kk, p] = variant(kv);
    if (kk !== 'KeyValue') unsupported(`table property ${kk}`);
    const key = identValue((p as Obj).key);
    const [vk, vv] = variant((p as Obj).value);
    const lit = vk === 'Value' ? variant((vv as Obj).value) : undefined;
    const value = lit ? (lit[0] === 'Number' ? String((lit[1] as unknown[])[0]) : String(lit[1])) : unsupported(`property value for ${key}`);
    const m = /^(.+)\.lance\.(encoding|blob\.([a-z-]+))$/.exec(key);
    if (key === 'file_format_version') props.fileVersion = value;
    else if (m) {
      const col = m[1]!;
      const entry = props.blobCols.get(col) ?? {};
      if (m[2] === 'encoding') {
        if (value !== 'blob') throw new SqlError('BAD_TABLE_PROPERTY', `unsupported ${key}='${value}' (only 'blob')`);
      } else {
        const opt = THRESHOLD_PROPS[m[3]!];
        if (!opt || !/^\d+$/.test(value)) throw new SqlError('BAD_TABLE_PROPERTY', `unsupported table property ${key}='${value}'`);
        entry[opt] = Number(value);
      }
      props.blobCols.set(col, entry);
    } else throw new SqlError('BAD_TABLE_PROPERTY', `unsupported table property '${key}'`);
  }
  if (props.fileVersion !== undefined && props.blobCols.size > 0 && !/^(\d+)\.(\d+)$/.test(props.fileVersion)) {
    throw new SqlError('BAD_TABLE_PROPERTY', `file_format_version '${props.fileVersion}' cannot hold blob v2 columns (needs 2.2 or later)`);
  }
  if (props.blobCols.size > 0 && props.fileVersion !== undefined) {
    const [maj, min] = props.fileVersion.split('.').map(Number) as [number, number];
    if (maj < 2 || (maj === 2 && min < 2)) throw new SqlError('BAD_TABLE_PROPERTY', `file_format_version '${props.fileVersion}' cannot hold blob v2 columns (needs 2.2 or later)`);
  }
  return props;
}

export function sqlType(dt: unknown, col: string): arrow.DataType {
  const [k, v] = variant(dt);
  switch (k) {
    case 'Int':
    case 'Integer':
      return new arrow.Int32();
    case 'BigInt':
    case 'Long':
      return new arrow.Int64();
    case 'SmallInt':
      return new arrow.Int16();
    case 'TinyInt':
      return new arrow.Int8();
    case 'String':
    case 'Varchar':
    case 'Char':
    case 'Text':
      return new arrow.Utf8();
    case 'Binary':
    case 'Varbinary':
    case 'Blob':
      return new arrow.LargeBinary();
    case 'Boolean':
    case 'Bool':
      return new arrow.Bool();
    case 'Float':
    case 'Real':
      return new arrow.Float32();
    case 'Double':
    case 'DoublePrecision':
      return new arrow.Float64();
    case 'Date':
      return new arrow.DateDay();
    case 'Timestamp':
    case 'TimestampNtz':
      return new arrow.TimestampMicrosecond();
    default:
      void v;
      throw new SqlError('UNSUPPORTED_TYPE', `column ${col}: unsupported type ${k}`);
  }
}

function applyBlobProps(fields: arrow.Field[], props: TableProps): arrow.Field[] {
  for (const name of props.blobCols.keys()) {
    if (!fields.some((f) => f.name === name)) throw new SqlError('UNKNOWN_COLUMN', `table property names column ${name}, which the table does not have`);
  }
  return fields.map((f) => {
    const opts = props.blobCols.get(f.name);
    if (!opts) return f;
    const isBinary = f.type.typeId === arrow.Type.LargeBinary || f.type.typeId === arrow.Type.Binary || isBlobField(f);
    if (!isBinary) throw new SqlError('BAD_TABLE_PROPERTY', `${f.name}.lance.encoding='blob' needs a BINARY column, ${f.name} is ${String(f.type)}`);
    return blobField(f.name, { nullable: f.nullable, ...opts });
  });
}

export async function createTable(ct: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  if (ct.temporary || ct.external) unsupported('TEMPORARY/EXTERNAL tables');
  const storage = (ct.hive_formats as Obj | undefined)?.storage as Obj | undefined;
  if (storage?.Using) {
    const fmt = identValue((storage.Using as Obj).format ?? storage.Using).toLowerCase();
    if (fmt !== 'lance') throw new SqlError('UNSUPPORTED_FORMAT', `USING ${fmt}: only USING lance tables are supported`);
  }
  const path = resolveName(objectNameParts(ct.name), names);
  const props = tableProps(ct);
  const exists = await catalog.exists(path);
  if (exists && !ct.or_replace) {
    if (ct.if_not_exists) return { kind: 'CREATE TABLE', rowsAffected: 0, version: null };
    throw new SqlError('TABLE_EXISTS', `table ${[CATALOG_NAME, ...path].join('.')} already exists`);
  }
  if (ct.query != null) {
    const plan = await bindQuery(ct.query as Obj, bindContext(catalog, names));
    const { rel, planPayloadBytes } = await runPlan(plan);
    const vis = visibleCols(plan);
    const dup = vis.find((c, i) => vis.findIndex((d) => d.name.toLowerCase() === c.name.toLowerCase()) !== i);
    if (dup) throw new SqlError('DUPLICATE_COLUMN', `CREATE TABLE AS SELECT produces column ${dup.name} twice; alias one of them`);
    // Blob references become blob columns of the new table (with their source's thresholds).
    const fields = vis.map((c) => {
      const v = rel.vectors[rel.cols.indexOf(c)]!;
      if (c.blob) {
        const src = c.blob.table.schema.fields.find((f) => f.name === c.blob!.column)!;
        return new arrow.Field(c.name, src.type, true, src.metadata);
      }
      if (v.type.typeId === arrow.Type.Null) throw new SqlError('UNTYPED_COLUMN', `column ${c.name} is NULL in every row; CAST it to a type`);
      if (v.type.typeId === arrow.Type.Struct && sameType(v.type, descriptorType())) {
        throw new SqlError('BLOB_TYPE_MISMATCH', `column ${c.name} is a transformed blob descriptor, not a blob reference; select the bare blob column`);
      }
      return new arrow.Field(c.name, v.type, true);
    });
    const schema = new arrow.Schema(applyBlobProps(fields, props));
    const rows = await writeRows(rel, schema, vis, 'CREATE TABLE AS SELECT');
    const out = await catalog.create(path, { schema, fileVersion: props.fileVersion ?? (vis.some((c) => c.blob) ? '2.2' : undefined), replace: Boolean(ct.or_replace) }, rows);
    return { kind: ct.or_replace ? 'CREATE OR REPLACE TABLE AS SELECT' : 'CREATE TABLE AS SELECT', rowsAffected: out.rows, version: out.version, planPayloadBytes };
  }
  const cols = (ct.columns as Obj[]) ?? [];
  if (cols.length === 0) throw new SqlError('NO_COLUMNS', 'CREATE TABLE needs a column list or AS SELECT');
  const fields = cols.map((c) => {
    const name = identValue(c.name);
    const notNull = ((c.options as Obj[]) ?? []).some((o) => o.option === 'NotNull');
    return new arrow.Field(name, sqlType(c.data_type, name), !notNull);
  });
  const schema = new arrow.Schema(applyBlobProps(fields, props));
  const out = await catalog.create(path, { schema, fileVersion: props.fileVersion, replace: Boolean(ct.or_replace) }, []);
  return { kind: 'CREATE TABLE', rowsAffected: 0, version: out.version };
}

function sameType(a: arrow.DataType, b: arrow.DataType): boolean {
  return arrow.util.compareTypes(a, b);
}

export async function createNamespace(cd: Obj, catalog: TableCatalog): Promise<Outcome> {
  const parts = objectNameParts(cd.db_name);
  const ns = parts[0]?.toLowerCase() === CATALOG_NAME && parts.length > 1 ? parts.slice(1) : parts;
  await catalog.createNamespace(ns);
  return { kind: 'CREATE NAMESPACE', rowsAffected: 0, version: null };
}

export function useNamespace(u: unknown, names: Names): Outcome {
  const [k, v] = variant(u);
  const parts = k === 'Object' || k === 'Database' || k === 'Schema' || k === 'Catalog' ? objectNameParts(v) : unsupported(`USE ${k}`);
  names.namespace = parts[0]?.toLowerCase() === CATALOG_NAME ? parts.slice(1) : parts;
  return { kind: 'USE', rowsAffected: 0, version: null };
}

export async function showTables(st: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const showIn = (st.show_options as Obj | undefined)?.show_in as Obj | undefined;
  let ns = names.namespace;
  if (showIn?.parent_name) {
    const parts = objectNameParts(showIn.parent_name);
    ns = parts[0]?.toLowerCase() === CATALOG_NAME ? parts.slice(1) : parts;
  }
  const tables = (await catalog.list(ns)).sort();
  const namespace = ns.join('.');
  const table = arrow.tableFromArrays({ namespace: tables.map(() => namespace), tableName: tables });
  return { kind: 'SHOW TABLES', rowsAffected: 0, version: null, table };
}

export async function describe(st: Obj, catalog: TableCatalog, names: Names): Promise<Outcome> {
  const path = resolveName(objectNameParts(st.table_name), names);
  const t = await openOrFail(catalog, path);
  const rows = t.schema.fields.map((f) => ({
    col_name: f.name,
    data_type: isBlobField(f) ? 'struct<kind:tinyint unsigned,position:bigint unsigned,size:bigint unsigned,blob_id:int unsigned,blob_uri:string>' : sparkTypeName(f.type),
    comment: isBlobField(f) ? 'blob v2 (descriptor on read, BINARY on write)' : '',
  }));
  const table = arrow.tableFromArrays({ col_name: rows.map((r) => r.col_name), data_type: rows.map((r) => r.data_type), comment: rows.map((r) => r.comment) });
  return { kind: 'DESCRIBE', rowsAffected: 0, version: t.version, table };
}

function sparkTypeName(t: arrow.DataType): string {
  switch (t.typeId) {
    case arrow.Type.Int: {
      const i = t as arrow.Int;
      const base = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' }[i.bitWidth as 8 | 16 | 32 | 64];
      return i.isSigned ? base : `${base} unsigned`;
    }
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'string';
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
      return 'binary';
    case arrow.Type.Bool:
      return 'boolean';
    case arrow.Type.Float:
      return (t as arrow.Float).precision === arrow.Precision.SINGLE ? 'float' : 'double';
    case arrow.Type.Date:
      return 'date';
    case arrow.Type.Timestamp:
      return 'timestamp';
    default:
      return String(t).toLowerCase();
  }
}
