import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cli } from './helpers.js';
import { runCli } from '../../src/cli/main.js';
import { openDataset } from '../../src/dataset/dataset.js';
import { scanDataset } from '../../src/dataset/scanner.js';
import { ROW_ADDRESS_COLUMN } from '../../src/dataset/scan.js';
import { DEMO_ROWS, imageBytes, imageSize } from '../../src/cli/inspect/demo-data.js';

async function rowsOf(path: string): Promise<Map<number, { label: string; category: string; addr: bigint }>> {
  const out = new Map<number, { label: string; category: string; addr: bigint }>();
  for await (const b of scanDataset(await openDataset(path), { columns: ['id', 'label', 'category'], withRowAddress: true })) {
    for (let i = 0; i < b.numRows; i++) out.set(Number(b.getChild('id')!.get(i)), { label: b.getChild('label')!.get(i), category: b.getChild('category')!.get(i), addr: b.getChild(ROW_ADDRESS_COLUMN)!.get(i) });
  }
  return out;
}

async function catBytes(path: string, addr: bigint): Promise<Buffer> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (d: Buffer) => chunks.push(d));
  const code = await runCli(['blob', 'cat', path, '--column', 'image', '--row', String(addr)], { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} });
  expect(code).toBe(0);
  return Buffer.concat(chunks);
}

interface Step {
  step: string;
  via: string;
  rowsAffected: number;
  payloadBytesRead: number;
  payloadBytesWritten: number;
  payloadBytesLinked: number;
  rows?: Record<string, unknown>[];
  note?: string;
}

async function checkDemo(dir: string, extra: string[]) {
  const r = await cli(['demo', dir, '--json', ...extra]);
  expect(r.code, r.err).toBe(0);
  const j = JSON.parse(r.out) as { via: string; table: string; archive: string; steps: Step[]; totalMs: number };
  expect(j.totalMs).toBeLessThan(60_000);
  const [load, select, update, merge, archive] = j.steps;
  // Every stored kind is present, with the counts the generator implies.
  const sizes = Array.from({ length: DEMO_ROWS }, (_, i) => imageSize(i + 1));
  const kindOf = (s: number) => (s > 4 * 1024 * 1024 ? 'dedicated' : s > 64 * 1024 ? 'packed' : 'inline');
  expect(load!.note).toContain(`${sizes.filter((s) => s !== null && kindOf(s) === 'dedicated').length} dedicated`);
  expect(load!.note).toContain(`${sizes.filter((s) => s !== null && kindOf(s) === 'packed').length} packed`);
  expect(load!.payloadBytesWritten).toBe(sizes.reduce<number>((s, x) => s + (x ?? 0), 0));
  // The metadata-only select reads no payload byte.
  expect(select!.payloadBytesRead).toBe(0);
  expect(select!.rows!.length).toBeGreaterThan(0);
  expect(update!.rowsAffected).toBe(1);
  expect(merge!.rowsAffected).toBe(3);
  expect(archive!.rowsAffected).toBe(DEMO_ROWS / 5);
  // Archived dedicated images move without being rewritten byte by byte.
  expect(archive!.payloadBytesLinked).toBeGreaterThan(0);
  const products = await rowsOf(j.table);
  expect(products.size).toBe(DEMO_ROWS);
  expect(products.get(42)!.label).toBe('discontinued');
  expect([3, 17, 64].map((id) => products.get(id)!.label)).toEqual(['refurbished', 'clearance', 'bundle']);
  expect(products.get(5)!.label).toBe('active');
  const archived = await rowsOf(j.archive);
  expect([...archived.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: DEMO_ROWS / 5 }, (_, i) => (i + 1) * 5));
  // Payloads survive update and archive byte for byte (42 packed, 40 dedicated).
  expect(Buffer.compare(await catBytes(j.table, products.get(42)!.addr), Buffer.from(imageBytes(42, imageSize(42)!)))).toBe(0);
  expect(Buffer.compare(await catBytes(j.archive, archived.get(40)!.addr), Buffer.from(imageBytes(40, imageSize(40)!)))).toBe(0);
  for (const p of [j.table, j.archive]) expect((await cli(['verify', p, '--deep'])).code).toBe(0);
  return j;
}

describe('lancet demo', () => {
  it('runs the main job through SQL (or says why not), and reruns over its own directory', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lancet-demo-')), 'demo');
    const j = await checkDemo(dir, []);
    expect(['sql', 'api']).toContain(j.via);
    const again = await cli(['demo', dir]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('lancet demo in');
    expect(again.out).toMatch(/UPDATE products SET label = 'discontinued' WHERE id = 42/);
    expect(again.out).toMatch(/payload read .* written .* linked/);
    expect(again.out).toContain('$ lancet info');
    expect(again.out).toMatch(/dedicated\s+3/);
    expect(again.out).toContain('$ lancet blobs');
  }, 120_000);

  it('runs the same job through the dataset API with --api', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lancet-demo-api-')), 'demo');
    const j = await checkDemo(dir, ['--api']);
    expect(j.via).toBe('api');
    expect(j.steps.slice(1).every((s) => s.via === 'api')).toBe(true);
  }, 120_000);

  it('refuses a non-empty directory that holds no previous demo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lancet-demo-busy-'));
    await fs.writeFile(join(dir, 'precious.txt'), 'keep me');
    const r = await cli(['demo', dir]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('DEMO_DIR_IN_USE');
    expect(await fs.readFile(join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
    expect((await cli(['demo', dir, 'other'])).code).toBe(2);
  });
});
