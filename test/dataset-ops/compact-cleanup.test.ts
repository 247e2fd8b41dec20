import { afterEach, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import { existsSync, readdirSync } from 'node:fs';
import * as nodePath from 'node:path';
import { blobField } from '../../src/format/blob/blob-field.js';
import { lancetRows, makeRows, modelRows, peerRows, SCHEMA, tempDb } from './helpers.js';
import { peerOpen } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

test('compact merges small fragments, drops deletions; Lance 12 reads it and optimizes further', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const t = await env.db.createTable('t', makeRows(0, 10), { schema: SCHEMA, maxRowsPerFile: 4 });
  for (let k = 1; k < 4; k++) await t.add(makeRows(k * 10, 10), { maxRowsPerFile: 4 });
  await t.delete('id % 3 = 0');
  const model = makeRows(0, 40).filter((r) => r.id % 3n !== 0n);
  const before = (await t.dataset()).fragments.length;
  const r = await t.compact({ targetRowsPerFragment: 12 });
  expect(r.fragmentsRemoved).toBe(before);
  expect(r.rowsRewritten).toBe(model.length);
  const ds = await t.dataset();
  expect(ds.fragments.map((f) => Number(f.physicalRows))).toEqual([12, 12, 2]);
  expect(ds.fragments.every((f) => !f.deletionFile)).toBe(true);
  expect(await lancetRows(t)).toEqual(modelRows(model));
  expect(await peerRows(env.path('t'))).toEqual(modelRows(model));
  // Nothing left to do: no commit.
  expect((await t.compact({ targetRowsPerFragment: 12 })).version).toBe(r.version);

  const peer = await peerOpen(env.path('t'));
  await peer.delete('id < 5');
  await peer.optimize();
  expect(await lancetRows(t)).toEqual(modelRows(model.filter((m) => m.id >= 5n)));
});

test('compact on a blob table links dedicated sidecars and live packs; mostly-dead packs are re-packed', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false), blobField('payload', { inlineSizeThreshold: 100, dedicatedSizeThreshold: 10_000 })]);
  const bytes = (i: number) => new Uint8Array(i % 3 === 0 ? 20_000 : i % 3 === 1 ? 1000 : 40).fill(i);
  const rows = (from: number) => Array.from({ length: 6 }, (_, k) => ({ id: BigInt(from + k), payload: bytes(from + k) }));
  const t = await env.db.createTable('b', rows(0), { schema });
  await t.add(rows(6));
  await t.add(rows(12));
  await t.delete('id = 13 OR id = 16'); // fragment 2's pack loses both packed rows: re-pack nothing of it
  await t.delete('id = 1'); // fragment 0's pack keeps 1 of 2 packed rows (50% live): linked whole
  const r = await t.compact();
  const live = Array.from({ length: 18 }, (_, i) => i).filter((i) => ![1, 13, 16].includes(i));
  const dedicated = live.filter((i) => i % 3 === 0).length * 20_000;
  expect(r.io.bytesLinked).toBeGreaterThanOrEqual(dedicated);
  // Payload bytes through the client: inline (40 B each) plus re-packed slices only.
  expect(r.io.bytesWritten).toBeLessThan(20_000);
  const got = await t.query().select(['id']).withRowAddress().toArrow();
  const ids = [...got.getChild('id')!].map(Number);
  const blobs = await t.fetchBlobs('payload', [...got.getChild('_rowaddr')!] as bigint[]);
  expect(ids.sort((a, b) => a - b)).toEqual(live);
  got.getChild('id')!.toArray().forEach((id: bigint, k: number) => expect(Buffer.from(blobs[k]!).equals(Buffer.from(bytes(Number(id))))).toBe(true));
  const peer = await peerOpen(env.path('b'));
  const prow = await peer.query().select(['id']).withRowId().toArray();
  const pb = await peer.fetchBlobs('payload', prow.map((x: { _rowid: bigint }) => x._rowid));
  prow.forEach((x: { id: bigint }, k: number) => expect(Buffer.from(pb[k]).equals(Buffer.from(bytes(Number(x.id))))).toBe(true));
});

test('cleanup removes unreferenced versions and files, keeps tagged and latest, leaves the table readable', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const schema = new arrow.Schema([...SCHEMA.fields, blobField('payload', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 100 })]);
  const t = await env.db.createTable('t', makeRows(0, 6).map((r) => ({ ...r, payload: new Uint8Array(500).fill(Number(r.id)) })), { schema });
  await t.add(makeRows(6, 3).map((r) => ({ ...r, payload: new Uint8Array(500).fill(Number(r.id)) })));
  await t.tags.create('keep', 2);
  await t.update({ where: 'id = 1', values: { label: "'u'" }, mode: 'rewrite-columns' });
  await t.delete('id = 2');
  expect((await t.compact()).version).toBe(5);
  const dataDir = nodePath.join(env.path('t'), 'data');
  const beforeFiles = readdirSync(dataDir).length;

  // Bound in the past: nothing is old enough.
  const none = await t.cleanup({ olderThan: new Date(0) });
  expect(none.filesRemoved).toBe(0);

  const r = await t.cleanup({ olderThan: new Date(Date.now() + 1000) });
  const versions = (await t.listVersions()).map((v) => v.version);
  expect(versions).toEqual([2, 5]);
  expect(r.versionsRemoved).toBe(3);
  expect(r.bytesRemoved).toBeGreaterThan(0);
  expect(readdirSync(dataDir).length).toBeLessThan(beforeFiles);
  // Version 2 (tagged) still opens with its blobs; the latest is intact for both readers.
  await t.checkout('keep');
  expect((await lancetRows(t)).length).toBe(9);
  await t.checkoutLatest();
  const rows = await lancetRows(t, ['id', 'label']);
  expect(rows.map((x) => x.id)).toEqual(['0', '1', '3', '4', '5', '6', '7', '8']);
  expect(await peerRows(env.path('t'), ['id', 'label'])).toEqual(rows);
  const got = await t.query().select(['id']).withRowAddress().toArrow();
  const blobs = await t.fetchBlobs('payload', [...got.getChild('_rowaddr')!] as bigint[]);
  [...got.getChild('id')!].forEach((id, k) => expect(blobs[k]![0]).toBe(Number(id)));
  expect(existsSync(nodePath.join(env.path('t'), '_versions'))).toBe(true);
});
