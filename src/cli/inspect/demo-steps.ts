// The demo's statements, each runnable two ways: through the SQL layer (sqlSession), or through
// the dataset API with the same effect (scan, copyBlobs, delete, add) when SQL is unavailable or
// refuses a statement. Every step reports the payload bytes it read, wrote and linked.
import type * as arrow from 'apache-arrow';
import type { Connection } from '../../dataset/connection.js';
import type { Table } from '../../dataset/table.js';
import { scanDataset } from '../../dataset/scanner.js';
import { ROW_ADDRESS_COLUMN } from '../../dataset/scan.js';
import { copyDatasetBlobs } from '../../dataset/blob/dataset-blobs.js';
import { descriptorsOf } from '../../format/blob/descriptor.js';
import { diffCounters, type IoCounters } from '../../io/object-store.js';
import type { BlobWriteCounters } from '../../format/blob/blob-writer.js';
import { LancetError } from '../../errors.js';
import { kindName } from './blob-rows.js';

export interface StepResult {
  step: string;
  statement: string;
  via: 'sql' | 'api';
  rowsAffected: number;
  version: number | null;
  payloadBytesRead: number;
  payloadBytesWritten: number;
  payloadBytesLinked: number;
  /** All bytes the store wrote (data files, sidecars, manifests, transactions). */
  bytesWritten: number;
  ms: number;
  /** Why the API ran instead of SQL, when it did. */
  note?: string;
  /** First rows of a SELECT. */
  rows?: Record<string, unknown>[];
}

export interface DemoStep {
  step: string;
  sql: string;
  api(db: Connection): Promise<Omit<StepResult, 'step' | 'statement' | 'via' | 'ms' | 'note'>>;
}

/** The SQL entry point, if the query layer loads and answers; otherwise the reason it does not. */
export type SqlRunner = (text: string) => Promise<{ kind: string; rowsAffected: number; version: number | null; payloadBytesRead: number; payloadBytesWritten: number; payloadBytesLinked: number; bytesWritten: number; table?: arrow.Table }[]>;

export async function loadSql(root: string): Promise<SqlRunner | string> {
  try {
    const { sqlSession } = await import('../../query/session.js');
    const session = sqlSession({ root });
    await session.sql('SHOW TABLES');
    return (text) => session.sql(text);
  } catch (e) {
    return e instanceof LancetError ? `${e.code}: ${e.message}` : (e as Error).message;
  }
}

const SHOWN_ROWS = 8;

export function tableRows(t: arrow.Table, max = SHOWN_ROWS): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < Math.min(t.numRows, max); i++) {
    const row: Record<string, unknown> = {};
    for (const f of t.schema.fields) {
      const v = t.getChild(f.name)!.get(i);
      row[f.name] = v !== null && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
    }
    out.push(row);
  }
  return out;
}

/** Runs `step` through SQL when possible, else through the API, timing and labelling it. */
export async function runStep(step: DemoStep, sql: SqlRunner | string, db: Connection): Promise<StepResult> {
  const t0 = performance.now();
  let note: string | undefined;
  if (typeof sql !== 'string') {
    try {
      const [r] = await sql(step.sql);
      if (!r) throw new Error('no result');
      return {
        step: step.step,
        statement: step.sql,
        via: 'sql',
        rowsAffected: r.table && r.kind === 'SELECT' ? r.table.numRows : r.rowsAffected,
        version: r.version,
        payloadBytesRead: r.payloadBytesRead,
        payloadBytesWritten: r.payloadBytesWritten,
        payloadBytesLinked: r.payloadBytesLinked,
        bytesWritten: r.bytesWritten,
        ms: performance.now() - t0,
        ...(r.table ? { rows: tableRows(r.table) } : {}),
      };
    } catch (e) {
      note = `SQL refused it (${e instanceof LancetError ? e.code + ': ' : ''}${((e as Error).message ?? String(e)).split('\n')[0]}); ran through the dataset API`;
    }
  } else {
    note = `through the dataset API (SQL not used: ${sql})`;
  }
  const r = await step.api(db);
  return { step: step.step, statement: step.sql, via: 'api', ...r, ms: performance.now() - t0, ...(note ? { note } : {}) };
}

async function counters(t: Table): Promise<IoCounters> {
  return { ...(await t.dataset()).loc.store.counters };
}

/**
 * Moves the rows of `src` matching `where` into `dst` (changed by `edit`), carrying images by
 * reference so payloads are linked or range-copied store-side; `removeFromSrc` makes it an
 * in-place update (delete + re-add, as the API has no row rewrite of its own).
 */
async function moveRows(db: Connection, src: string, dst: string, where: string, edit: (row: Record<string, unknown>) => Record<string, unknown>, removeFromSrc: boolean) {
  const from = await db.openTable(src);
  const to = src === dst ? from : await db.openTable(dst);
  const before = await counters(from);
  const ds = await from.dataset();
  const cols = ds.schema.fields.map((f) => f.name);
  const rows: Record<string, unknown>[] = [];
  const addrs: bigint[] = [];
  for await (const b of scanDataset(ds, { columns: cols.filter((c) => c !== 'image'), filter: where, withRowAddress: true })) {
    for (let i = 0; i < b.numRows; i++) {
      const row = (b.get(i) as { toJSON(): Record<string, unknown> }).toJSON();
      addrs.push(row[ROW_ADDRESS_COLUMN] as bigint);
      delete row[ROW_ADDRESS_COLUMN];
      rows.push(edit(row));
    }
  }
  let version: number | null = null;
  let blob: BlobWriteCounters | undefined;
  let refRead = 0;
  if (rows.length > 0) {
    const copied = await copyDatasetBlobs(ds, 'image', addrs);
    refRead = copied.stats.payloadBytesRead;
    rows.forEach((r, i) => (r.image = copied.values[i]));
    if (removeFromSrc) await from.delete(where);
    version = (await to.add(rows)).version;
    blob = to.lastBlobWrite;
  }
  const d = diffCounters(await counters(from), before);
  return { rowsAffected: rows.length, version, payloadBytesRead: refRead + (blob?.payloadBytesRead ?? 0), payloadBytesWritten: blob?.payloadBytesWritten ?? 0, payloadBytesLinked: blob?.payloadBytesLinked ?? 0, bytesWritten: d.bytesWritten };
}

export function demoSteps(fixes: Record<string, unknown>[]): DemoStep[] {
  const fixed = new Map(fixes.map((f) => [f.id as number, f.label as string]));
  return [
    {
      step: 'metadata-only select',
      sql: 'SELECT id, image.size, image.kind FROM products WHERE id % 20 = 0 OR id < 3 ORDER BY id',
      async api(db) {
        const t = await db.openTable('products');
        const before = await counters(t);
        const rows: Record<string, unknown>[] = [];
        let n = 0;
        for await (const b of scanDataset(await t.dataset(), { columns: ['id', 'image'], filter: 'id % 20 = 0 OR id < 3' })) {
          const descs = descriptorsOf(b.getChild('image') as arrow.Vector);
          for (let i = 0; i < b.numRows; i++, n++) {
            const d = descs[i];
            if (rows.length < SHOWN_ROWS) rows.push({ id: b.getChild('id')!.get(i), size: d ? d.size : null, kind: d ? kindName(d.kind) : null });
          }
        }
        const d = diffCounters(await counters(t), before);
        return { rowsAffected: n, version: null, payloadBytesRead: 0, payloadBytesWritten: 0, payloadBytesLinked: 0, bytesWritten: d.bytesWritten, rows };
      },
    },
    {
      step: 'update one label',
      sql: "UPDATE products SET label = 'discontinued' WHERE id = 42",
      api: (db) => moveRows(db, 'products', 'products', 'id = 42', (r) => ({ ...r, label: 'discontinued' }), true),
    },
    {
      step: 'merge label fixes',
      sql: 'MERGE INTO products USING label_fixes ON products.id = label_fixes.id WHEN MATCHED THEN UPDATE SET label = label_fixes.label',
      api: (db) => moveRows(db, 'products', 'products', `id IN (${[...fixed.keys()].join(', ')})`, (r) => ({ ...r, label: fixed.get(r.id as number) }), true),
    },
    {
      step: 'archive seasonal products',
      sql: "INSERT INTO products_archive SELECT * FROM products WHERE category = 'seasonal'",
      api: (db) => moveRows(db, 'products', 'products_archive', "category = 'seasonal'", (r) => r, false),
    },
  ];
}
