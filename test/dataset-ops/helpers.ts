// Shared fixtures of the mutation-op tests: temp dataset roots Lance 12 can open, a small
// typed schema, row comparison by id, and the peer's view of a dataset.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, type Connection } from '../../src/dataset/index.js';
import '../../src/dataset/blob/table-blobs.js';
import type { Table } from '../../src/dataset/table.js';
import { peerScan, plainRows } from '../helpers/lance-peer.js';

// A type alias (not an interface) so rows are assignable to Record<string, unknown>.
export type Row = {
  id: bigint;
  label: string | null;
  value: number | null;
};

export const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int64(), false),
  new arrow.Field('label', new arrow.Utf8(), true),
  new arrow.Field('value', new arrow.Float64(), true),
]);

export function makeRows(from: number, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), label: `l${from + i}`, value: (from + i) * 1.5 }));
}

export async function tempDb(): Promise<{ dir: string; db: Connection; path: (name: string) => string; done: () => void }> {
  const dir = mkdtempSync(nodePath.join(tmpdir(), 'lancet-ops-'));
  const db = await connect(dir);
  return { dir, db, path: (name) => nodePath.join(dir, `${name}.lance`), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Plain rows sorted by id (JSON-comparable). */
export function byId(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...rows].sort((a, b) => (BigInt(a.id as string) < BigInt(b.id as string) ? -1 : BigInt(a.id as string) > BigInt(b.id as string) ? 1 : 0));
}

export async function lancetRows(t: Table, columns?: string[]): Promise<Record<string, unknown>[]> {
  const q = t.query();
  const tbl = columns ? await q.select(columns).toArrow() : await q.toArrow();
  return byId(plainRows(tbl));
}

export async function peerRows(path: string, columns?: string[]): Promise<Record<string, unknown>[]> {
  return byId(plainRows(await peerScan(path, columns ? { columns } : {})));
}

export function modelRows(rows: Row[]): Record<string, unknown>[] {
  return byId(rows.map((r) => ({ id: r.id.toString(), label: r.label, value: r.value })));
}
