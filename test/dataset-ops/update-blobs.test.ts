// Updates on a Blob V2 table move no payload bytes: column rewrites never touch the blob column,
// row rewrites carry payloads by reference (dedicated sidecars linked).
import { afterEach, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import { blobField } from '../../src/format/blob/blob-field.js';
import { lancetRows, tempDb } from './helpers.js';
import { peerOpen } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const SIZE = 100_000;
const schema = new arrow.Schema([
  new arrow.Field('id', new arrow.Int64(), false),
  new arrow.Field('label', new arrow.Utf8(), true),
  blobField('payload', { inlineSizeThreshold: 100, dedicatedSizeThreshold: 1000 }),
]);
const payload = (i: number, n = SIZE) => new Uint8Array(n).map((_, k) => (i * 31 + k) & 0xff);

async function blobTable(sizes: (i: number) => number) {
  const env = await tempDb();
  cleanup = env.done;
  const rows = Array.from({ length: 20 }, (_, i) => ({ id: BigInt(i), label: `l${i}`, payload: payload(i, sizes(i)) }));
  const t = await env.db.createTable('b', rows, { schema });
  return { env, t };
}

async function checkPayloads(t: Awaited<ReturnType<typeof blobTable>>['t'], path: string, sizes: (i: number) => number) {
  const got = await t.query().select(['id']).withRowAddress().toArrow();
  const ids = [...got.getChild('id')!].map(Number);
  const addrs = [...got.getChild('_rowaddr')!] as bigint[];
  const blobs = await t.fetchBlobs('payload', addrs);
  ids.forEach((id, k) => expect(Buffer.from(blobs[k]!).equals(Buffer.from(payload(id, sizes(id))))).toBe(true));
  const peer = await peerOpen(path);
  const prow = await peer.query().select(['id']).withRowId().toArray();
  const pblobs = await peer.fetchBlobs('payload', prow.map((r: { _rowid: bigint }) => r._rowid));
  prow.forEach((r: { id: bigint }, k: number) => expect(Buffer.from(pblobs[k]).equals(Buffer.from(payload(Number(r.id), sizes(Number(r.id)))))).toBe(true));
}

test('rewrite-columns on a blob table writes a few KB and no payload', async () => {
  const sizes = () => SIZE;
  const { env, t } = await blobTable(sizes);
  const r = await t.update({ where: 'id < 10', values: { label: "'new'" }, mode: 'rewrite-columns' });
  expect(r.mode).toBe('rewrite-columns');
  expect(r.bytesWritten).toBeLessThan(5_000);
  expect(r.io.bytesLinked + r.io.bytesCopied).toBe(0);
  const rows = await lancetRows(t, ['id', 'label']);
  expect(rows.map((x) => x.label)).toEqual(Array.from({ length: 20 }, (_, i) => (i < 10 ? 'new' : `l${i}`)));
  await checkPayloads(t, env.path('b'), sizes);
});

test('rewrite-rows links dedicated payloads instead of copying them', async () => {
  const sizes = () => SIZE;
  const { env, t } = await blobTable(sizes);
  const r = await t.update({ where: 'id < 10', values: { label: "'new'" }, mode: 'rewrite-rows' });
  expect(r.mode).toBe('rewrite-rows');
  expect(r.io.bytesLinked).toBe(10 * SIZE);
  expect(r.bytesWritten).toBeLessThan(10_000);
  await checkPayloads(t, env.path('b'), sizes);
  const peer = await peerOpen(env.path('b'));
  expect(await peer.countRows("label = 'new'")).toBe(10);
});

test('rewrite-rows with inline and packed payloads: slices of partly moved packs are streamed, bytes intact', async () => {
  const sizes = (i: number) => (i % 2 === 0 ? 50 : 500);
  const { env, t } = await blobTable(sizes);
  const r = await t.update({ where: 'id >= 4 AND id < 8', values: { label: "'x'" }, mode: 'rewrite-rows' });
  expect(r.rowsUpdated).toBe(4);
  // Only the 4 updated rows' payloads move (2 × 500 B packed slices streamed into the new pack,
  // 2 × 50 B inline); nothing is linked because no source pack moves whole.
  expect(r.io.bytesLinked).toBe(0);
  expect(r.bytesWritten).toBeGreaterThan(1100);
  expect(r.bytesWritten).toBeLessThan(1100 + 5_000);
  await checkPayloads(t, env.path('b'), sizes);
});

test('auto picks per fragment and never copies untouched payloads', async () => {
  const sizes = () => SIZE;
  const { env, t } = await blobTable(sizes);
  const r = await t.update({ where: 'id = 3', values: { label: "'one'" } });
  expect(r.rowsUpdated).toBe(1);
  expect(r.bytesWritten).toBeLessThan(5_000);
  await checkPayloads(t, env.path('b'), sizes);
});
