// Shared fixtures for the query tests: a temp root with a products table of mixed blob sizes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { PassThrough } from 'node:stream';
import { sqlSession, type SqlSession } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import type { CliIo } from '../../src/cli/command.js';

export function blobBytes(id: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + id) & 0xff;
  return b;
}

export interface Fixture {
  root: string;
  db: SqlSession;
  catalog: LanceCatalog;
}

/** `lance.db.products` (id, category, label, image) with small thresholds: 16 B inline, 1 KiB dedicated. */
export async function productsFixture(rows = 12): Promise<Fixture> {
  const root = mkdtempSync(nodePath.join(tmpdir(), 'lancet-q-'));
  const catalog = new LanceCatalog(root);
  const db = sqlSession({ root, catalog, namespace: ['db'] });
  await db.sql(`CREATE TABLE lance.db.products (id INT NOT NULL, category STRING, label STRING, image BINARY) USING lance
    TBLPROPERTIES ('image.lance.encoding' = 'blob', 'file_format_version' = '2.2',
      'image.lance.blob.inline-size-threshold' = '16', 'image.lance.blob.dedicated-size-threshold' = '1024')`);
  const t = await catalog.open(['db', 'products']);
  const data = [];
  for (let id = 1; id <= rows; id++) data.push({ id, category: ['shoes', 'hats', 'seasonal'][id % 3]!, label: `l${id}`, image: id === 5 ? null : blobBytes(id, [8, 200, 3000][id % 3]!) });
  await catalog.append(t, data);
  return { root, db, catalog };
}

/** An in-memory CliIo capturing output. */
export function captureIo(stdin = ''): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c) => (o += String(c)));
  stderr.on('data', (c) => (e += String(c)));
  const input = new PassThrough();
  input.end(stdin);
  return { stdout, stderr, stdin: input, env: { NO_COLOR: '1' }, out: () => o, err: () => e };
}
