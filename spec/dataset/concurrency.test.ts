import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { peerOpen } from '../../test/helpers/lance-peer.js';

// Child processes need JavaScript: compile the library into a scratch directory inside the
// repository (so node_modules resolves). tsc emits even if unrelated files fail to typecheck.
const repo = resolve(__dirname, '../..');
const out = join(repo, '.test-build', `concurrency-${process.pid}`);

beforeAll(() => {
  try {
    execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json'), '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'pipe' });
  } catch {
    // type errors elsewhere do not stop the emit; the existence check below does
  }
  if (!existsSync(join(out, 'dataset/index.js'))) throw new Error('library build for worker processes failed');
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function runWorker(lib: string, root: string, worker: number, count: number, rows: number): Promise<{ worker: number; versions: number[] }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(__dirname, 'workers/append-worker.mjs'), lib, root, String(worker), String(count), String(rows)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => (code === 0 ? res(JSON.parse(stdout.trim())) : rej(new Error(`worker ${worker} exited ${code}: ${stderr}`))));
  });
}

describe('concurrent writers in separate processes', () => {
  it('every append lands exactly once and Lance 12 agrees', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-conc-'));
    const db = await connect(root);
    await db.createTable('c', arrow.tableFromArrays({ worker: Int32Array.from([-1]), seq: Int32Array.from([-1]) }));
    const workers = 4;
    const count = 5;
    const rows = 7;
    const lib = pathToFileURL(join(out, 'dataset/index.js')).href;
    const results = await Promise.all(Array.from({ length: workers }, (_, w) => runWorker(lib, root, w, count, rows)));

    const versions = results.flatMap((r) => r.versions).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: workers * count }, (_, i) => i + 2));
    const t = await db.openTable('c');
    expect(await t.version()).toBe(1 + workers * count);
    expect(await t.countRows()).toBe(1 + workers * count * rows);
    for (let w = 0; w < workers; w++) {
      const seqs = (await t.query().where(`worker = ${w}`).select(['seq']).toArrow()).getChild('seq')!.toArray() as Int32Array;
      const expected = Array.from({ length: count }, (_, k) => Array.from({ length: rows }, (_, i) => k * 1000 + i)).flat();
      expect([...seqs].sort((a, b) => a - b)).toEqual(expected);
    }
    const frags = (await t.dataset()).fragments.map((f) => f.id);
    expect(new Set(frags).size).toBe(frags.length);
    const lance = await peerOpen(join(root, 'c.lance'));
    expect(await lance.countRows()).toBe(1 + workers * count * rows);
    expect((await lance.listVersions()).length).toBe(1 + workers * count);
  }, 180_000);
});
