// cleanup deletes only Lance's own files inside the dataset: never through a symlinked folder
// or file (whatever the link points at stays), never a file whose name Lance would not write in
// that folder (notes, sub-folders of data/, foreign files), even when old and with every opt-in.
import { afterEach, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { randomUUID } from 'node:crypto';
import { blobField } from '../../src/format/blob/blob-field.js';
import { newDataFileName } from '../../src/format/table/file-names.js';
import { lancetRows, makeRows, peerRows, SCHEMA, tempDb } from '../dataset-ops/helpers.js';

let done: (() => void)[] = [];
afterEach(() => {
  for (const d of done) d();
  done = [];
});

const MONTH_AGO = (Date.now() - 30 * 24 * 3600_000) / 1000;
const SIDECAR = `${'01'.repeat(16)}.blob`;

function backdate(path: string): void {
  utimesSync(path, MONTH_AGO, MONTH_AGO);
}

/** path → size of every file below `dir` (links not followed). */
function snapshot(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[nodePath.relative(dir, p)] = statSync(p).size;
    }
  };
  walk(dir);
  return out;
}

/** A table with old versions whose files only they reference: data, deletion and transaction files. */
async function tableWithHistory(name: string) {
  const env = await tempDb();
  done.push(env.done);
  const schema = new arrow.Schema([...SCHEMA.fields, blobField('payload', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 100 })]);
  const rows = (from: number, n: number) => makeRows(from, n).map((r) => ({ ...r, payload: new Uint8Array(500).fill(Number(r.id)) }));
  const t = await env.db.createTable(name, rows(0, 6), { schema });
  await t.add(rows(6, 3));
  await t.delete('id = 2');
  await t.delete('id = 4');
  await t.compact();
  return { env, t, root: env.path(name) };
}

describe('cleanup stays inside the dataset and deletes only Lance-named files', () => {
  // The folders move next to the dataset (inside the connection root, but out of the dataset
  // root: lancet's reads refuse the links too): cleanup must not reach them.
  test('symlinked data/, _deletions/, _transactions/ pointing outside the dataset: nothing there is touched', async () => {
    const { env, t, root } = await tableWithHistory('t');
    const expected = await lancetRows(t);
    const outside = nodePath.join(env.dir, 'elsewhere');
    mkdirSync(outside);
    for (const dir of ['data', '_deletions', '_transactions']) {
      renameSync(nodePath.join(root, dir), nodePath.join(outside, dir));
      symlinkSync(nodePath.join(outside, dir), nodePath.join(root, dir), 'dir');
    }
    // Old, unreferenced files with Lance's own names on the far side of the links.
    writeFileSync(nodePath.join(outside, 'data', newDataFileName()), 'x');
    writeFileSync(nodePath.join(outside, '_deletions', '7-1-99.arrow'), 'x');
    writeFileSync(nodePath.join(outside, '_transactions', `1-${randomUUID()}.txn`), 'x');
    for (const [p] of Object.entries(snapshot(outside))) backdate(nodePath.join(outside, p));
    const before = snapshot(outside);

    const r = await t.cleanup({ olderThan: 0, deleteUnverified: true });
    expect(r.versionsRemoved).toBeGreaterThan(0);
    expect(r.removed.filter((p) => !p.includes('/_versions/'))).toEqual([]);
    expect(snapshot(outside)).toEqual(before);
    expect(await peerRows(env.path('t'))).toEqual(expected);
  });

  test('a symlinked data file or sidecar folder inside data/ is neither followed nor removed', async () => {
    const { t, root } = await tableWithHistory('t');
    const outside = mkdtempSync(nodePath.join(tmpdir(), 'lancet-outside-'));
    done.push(() => rmSync(outside, { recursive: true, force: true }));
    const victim = nodePath.join(outside, 'victim.lance');
    writeFileSync(victim, 'precious');
    mkdirSync(nodePath.join(outside, 'blobs'));
    writeFileSync(nodePath.join(outside, 'blobs', SIDECAR), 'precious');
    backdate(victim);
    backdate(nodePath.join(outside, 'blobs', SIDECAR));
    const linkName = newDataFileName();
    symlinkSync(victim, nodePath.join(root, 'data', linkName));
    symlinkSync(nodePath.join(outside, 'blobs'), nodePath.join(root, 'data', linkName.replace(/\.lance$/, '')), 'dir');
    const before = snapshot(outside);

    await t.cleanup({ olderThan: 0, deleteUnverified: true });
    expect(snapshot(outside)).toEqual(before);
    expect(existsSync(nodePath.join(root, 'data', linkName))).toBe(true);
  });

  test('stray files (data/notes.txt, data/sub/keep.md, foreign names) are kept; old Lance-named orphans go', async () => {
    const { t, root } = await tableWithHistory('t');
    const stray = ['data/notes.txt', 'data/sub/keep.md', `data/${'0'.repeat(24)}zz.lance`, '_deletions/README', '_deletions/1-2-3.arrow.bak', '_transactions/notes.txt', '_transactions/abc.txn', 'data/x/y/z.blob', 'keep.txt'];
    for (const rel of stray) {
      mkdirSync(nodePath.dirname(nodePath.join(root, rel)), { recursive: true });
      writeFileSync(nodePath.join(root, rel), 'mine');
      backdate(nodePath.join(root, rel));
    }
    // Orphans Lance would write (a failed writer's data file and its sidecar folder), old enough to go.
    const orphan = newDataFileName();
    writeFileSync(nodePath.join(root, 'data', orphan), 'x');
    mkdirSync(nodePath.join(root, 'data', orphan.replace(/\.lance$/, '')));
    writeFileSync(nodePath.join(root, 'data', orphan.replace(/\.lance$/, ''), SIDECAR), 'x');
    backdate(nodePath.join(root, 'data', orphan));
    backdate(nodePath.join(root, 'data', orphan.replace(/\.lance$/, ''), SIDECAR));
    const expected = await lancetRows(t);

    const r = await t.cleanup({ olderThan: 0, deleteUnverified: true });
    for (const rel of stray) expect(existsSync(nodePath.join(root, rel)), rel).toBe(true);
    expect(existsSync(nodePath.join(root, 'data', orphan))).toBe(false);
    expect(existsSync(nodePath.join(root, 'data', orphan.replace(/\.lance$/, ''), SIDECAR))).toBe(false);
    expect(r.filesRemoved).toBeGreaterThan(r.versionsRemoved);
    expect(await lancetRows(t)).toEqual(expected);
  });
});
