// The interop oracle: real Lance 12 (Rust core inside @lancedb/lancedb 0.39.0).
// @lancedb/lancedb is CommonJS and checks `instanceof` against its own require('apache-arrow');
// our ESM import of apache-arrow is a different copy of the classes (dual-package hazard), so
// tables cross between the two worlds as Arrow IPC bytes.
import { createRequire } from 'node:module';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const lancedb: any = require('@lancedb/lancedb');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const peerArrow: any = require('apache-arrow');

/** Our Arrow table -> the peer's Arrow classes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toPeerTable(t: arrow.Table): any {
  return peerArrow.tableFromIPC(arrow.tableToIPC(t, 'stream'));
}

/** The peer's Arrow table -> ours. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fromPeerTable(t: any): arrow.Table {
  return arrow.tableFromIPC(peerArrow.tableToIPC(t, 'stream'));
}

/** Opens the dataset directory `<dir>/<name>.lance` with Lance 12 (optionally at a version). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function peerOpen(datasetPath: string, version?: number): Promise<any> {
  const parent = nodePath.dirname(datasetPath);
  const base = nodePath.basename(datasetPath);
  if (!base.endsWith('.lance')) throw new Error(`peer datasets must be named <name>.lance, got ${datasetPath}`);
  const db = await lancedb.connect(parent);
  return db.openTable(base.slice(0, -'.lance'.length), [], version === undefined ? undefined : { version });
}

/** Every row of a dataset as read by Lance 12, with `_rowid` when asked. */
export async function peerScan(datasetPath: string, opts: { version?: number; withRowId?: boolean; columns?: string[] } = {}): Promise<arrow.Table> {
  const table = await peerOpen(datasetPath, opts.version);
  let q = table.query();
  if (opts.columns) q = q.select(opts.columns);
  if (opts.withRowId) q = q.withRowId();
  return fromPeerTable(await q.toArrow());
}

/**
 * Creates `<dir>/<name>.lance` with Lance 12 from one of our Arrow tables.
 * `storage` goes to storageOptions (e.g. { newTableDataStorageVersion: '2.2' }).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function peerCreate(dir: string, name: string, data: arrow.Table, storage: Record<string, string> = {}, schema?: any): Promise<any> {
  const db = await lancedb.connect(dir);
  const opts: Record<string, unknown> = { mode: 'overwrite', storageOptions: { newTableDataStorageVersion: '2.2', ...storage } };
  if (schema) opts.schema = schema;
  return db.createTable(name, toPeerTable(data), opts);
}

/** Plain JSON-comparable values: bigint -> string, bytes -> hex, nested structs -> objects. */
export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const obj = v as { toJSON?: () => unknown; toArray?: () => unknown };
    if (typeof obj.toArray === 'function' && !(Symbol.iterator in Object(v) && typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      const arr = obj.toArray();
      if (Array.isArray(arr) || ArrayBuffer.isView(arr)) return Array.from(arr as ArrayLike<unknown>, plain);
    }
    if (typeof obj.toJSON === 'function') return plain(obj.toJSON());
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Rows of an Arrow table as plain objects (see `plain`). */
export function plainRows(t: arrow.Table): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const f of t.schema.fields) row[f.name] = plain(t.getChild(f.name)!.get(i));
    out.push(row);
  }
  return out;
}
