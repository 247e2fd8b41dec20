// Reliability tests run cleanup through the fault-injection store: it must keep cleanup's
// confinement (no listing or deleting through a symlinked folder) rather than fall back to the
// store's plain list/delete.
import { afterEach, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/connection.js';
import { blobField } from '../../src/format/blob/blob-field.js';
import { newDataFileName } from '../../src/format/table/file-names.js';
import { FaultyStore } from '../../src/io/faulty-store.js';
import { LocalStore } from '../../src/io/local-store.js';
import { makeRows, SCHEMA } from '../dataset-ops/helpers.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('cleanup through a FaultyStore does not delete through a symlinked data/ folder', async () => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'lancet-faulty-cleanup-'));
  const store = new FaultyStore(new LocalStore(dir), { seed: 7, failRate: 0 });
  const db = await connect(dir, { store });
  const t = await db.createTable('t', makeRows(0, 4), { schema: SCHEMA });
  await t.add(makeRows(4, 2));
  const root = nodePath.join(dir, 't.lance');
  const outside = nodePath.join(dir, 'elsewhere');
  mkdirSync(outside);
  renameSync(nodePath.join(root, 'data'), nodePath.join(outside, 'data'));
  symlinkSync(nodePath.join(outside, 'data'), nodePath.join(root, 'data'), 'dir');
  // An old file with a Lance data-file name no version references, on the far side of the link.
  const planted = nodePath.join(outside, 'data', newDataFileName());
  writeFileSync(planted, 'x');
  const monthAgo = (Date.now() - 30 * 24 * 3600_000) / 1000;
  utimesSync(planted, monthAgo, monthAgo);
  const before = readdirSync(nodePath.join(outside, 'data')).sort();

  const r = await t.cleanup({ olderThan: 0, deleteUnverified: true });
  expect(r.removed.filter((p) => p.includes('/data/'))).toEqual([]);
  expect(readdirSync(nodePath.join(outside, 'data')).sort()).toEqual(before);
});

test("tables read through a FaultyStore stay in their own folder, and the wrapper's faults still apply", async () => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'lancet-faulty-reads-'));
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 100 })]);
  const store = new FaultyStore(new LocalStore(dir), { seed: 3, failRate: 1, ops: ['get', 'getRange', 'getRanges', 'readStream'] });
  store.enabled = false;
  const db = await connect(dir, { store });
  const a = await db.createTable('a', [{ id: 0, img: new Uint8Array(500).fill(1) }], { schema });
  await db.createTable('b', [{ id: 0, img: new Uint8Array(500).fill(2) }], { schema });
  const addr = ((await a.query().withRowAddress().toArray()) as { _rowaddr: bigint }[])[0]!._rowaddr;
  const sidecarOf = (t: string) => {
    const data = nodePath.join(dir, `${t}.lance`, 'data');
    const sub = readdirSync(data, { withFileTypes: true }).find((e) => e.isDirectory())!.name;
    return nodePath.join(data, sub, readdirSync(nodePath.join(data, sub))[0]!);
  };
  const [fileA] = await a.fetchBlobFiles('img', [addr]);
  store.enabled = true;
  await expect(fileA!.read()).rejects.toMatchObject({ code: 'INJECTED_FAULT' });
  store.enabled = false;
  const [sa, sb] = [sidecarOf('a'), sidecarOf('b')];
  rmSync(sa);
  symlinkSync(sb, sa);
  const t = await (await connect(dir, { store })).openTable('a');
  await expect(t.fetchBlobs('img', [addr])).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_ROOT' });
});
