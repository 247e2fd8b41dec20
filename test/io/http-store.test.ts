// Reading a Lance 12 dataset over HTTP: a static server with Range support and no directory
// listings (like a CDN or a public bucket), counted byte for byte.
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect } from '../../src/dataset/connection.js';
import '../../src/dataset/blob/table-blobs.js';
import { ROW_ADDRESS_COLUMN } from '../../src/dataset/scan.js';
import { blobField, blobLogicalType } from '../../src/format/blob/index.js';
import { HttpStore, RangeNotSupportedError, ReadOnlyStoreError } from '../../src/io/http-store.js';
import { NotFoundError, StoreError } from '../../src/errors.js';
import { lancedb, peerArrow, peerCreate, peerOpen, fromPeerTable, toPeerTable, plainRows } from '../helpers/lance-peer.js';

const BLOB = 40_000;
const THRESHOLDS = { inlineSizeThreshold: 100, dedicatedSizeThreshold: 10_000 };

interface Served {
  requests: string[];
  bytes: number;
}

let root: string;
let server: http.Server;
let base: string;
let rangeSupport = true;
const served: Served = { requests: [], bytes: 0 };

function payload(id: number): Uint8Array {
  const out = new Uint8Array(BLOB);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + id * 7) & 0xff;
  return out;
}

function rows(ids: number[]): arrow.Table {
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', THRESHOLDS)]);
  const children = [
    arrow.vectorFromArray(Int32Array.from(ids)).data[0]!,
    arrow.vectorFromArray(ids.map((id) => ({ data: payload(id), uri: null })), blobLogicalType()).data[0]!,
  ];
  return new arrow.Table(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: ids.length, nullCount: 0, children })));
}

/** Serves `root` read-only: GET (with or without Range), HEAD, 404 for folders (no listings). */
function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
  void (async () => {
    const rel = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    served.requests.push(`${req.method} ${rel} ${req.headers.range ?? ''}`);
    const file = nodePath.join(root, rel);
    let body: Buffer;
    try {
      if (!(await fs.stat(file)).isFile()) throw new Error('folder');
      body = await fs.readFile(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = rangeSupport ? /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '') : null;
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), body.length - 1);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      const total = body.length;
      body = body.subarray(start, end + 1);
      res.writeHead(206, { 'Content-Length': body.length, 'Content-Range': `bytes ${start}-${end}/${total}`, 'Accept-Ranges': 'bytes' });
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    served.bytes += body.length;
    res.end(body);
  })();
}

beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-http-'));
  const peerSchema = new peerArrow.Schema([new peerArrow.Field('id', new peerArrow.Int32(), false), lancedb.blob('img', THRESHOLDS)]);
  const t = await peerCreate(root, 'ds', rows([0, 1, 2, 3, 4, 5, 6, 7]), {}, peerSchema);
  await t.add(toPeerTable(rows([8, 9, 10, 11])));
  server = http.createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (root) await fs.rm(root, { recursive: true, force: true });
});

function reset(): void {
  served.requests = [];
  served.bytes = 0;
}

test('a Lance 12 dataset opens over HTTP without listings: scan equals Lance 12, time travel by version', async () => {
  rangeSupport = true;
  const db = await connect(base);
  const table = await db.openTable('ds');
  expect(await table.version()).toBe(2);
  const ids = (t: arrow.Table) => plainRows(t).map((r) => r.id);
  const peerIds = ids(fromPeerTable(await (await peerOpen(nodePath.join(root, 'ds.lance'))).query().select(['id']).toArrow()));
  const ours = await table.query().select(['id']).toArrow();
  expect(ids(ours)).toEqual(peerIds);
  expect(peerIds).toHaveLength(12);
  // Nothing asked the server for a folder.
  expect(served.requests.filter((r) => / \/(ds\.lance\/?)?(_versions\/?|data\/?)? /.test(r))).toEqual([]);

  await table.checkout(1);
  expect(ids(await table.query().select(['id']).toArrow())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  const old = await db.openTable('ds', { version: 1 });
  expect(await old.countRows()).toBe(8);
});

test('reading one blob over HTTP costs its size plus metadata, not the dataset', async () => {
  rangeSupport = true;
  const db = await connect(base);
  const table = await db.openTable('ds');
  const addr = await table.query().select(['id']).withRowAddress().toArrow();
  const row = plainRows(addr).findIndex((r) => r.id === 9);
  const address = addr.getChild(ROW_ADDRESS_COLUMN)!.get(row) as bigint;
  reset();
  const [bytes] = await table.fetchBlobs('img', [address]);
  expect(Buffer.from(bytes!).equals(Buffer.from(payload(9)))).toBe(true);
  // Twelve 40 KB blobs are stored (480 KB); one blob and the descriptors of its file are read.
  expect(served.bytes).toBeGreaterThanOrEqual(BLOB);
  expect(served.bytes).toBeLessThan(BLOB + 16 * 1024);
});

test('writes through an HTTP connection are refused with READ_ONLY', async () => {
  const table = await (await connect(base)).openTable('ds');
  const err = await table.add(rows([99])).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ReadOnlyStoreError);
  expect((err as StoreError).code).toBe('READ_ONLY');
});

test('a server that ignores Range (200 with the whole body) gets a typed error; 404 and 416 too', async () => {
  const store = new HttpStore(`${base}/ds.lance`);
  // The hint names version 2: it is where probing starts, older versions are opened by number.
  const manifests = await store.list('_versions/');
  expect(manifests.map((m) => m.path)).toEqual(['_versions/18446744073709551613.manifest']);
  const path = manifests[0]!.path;
  await expect(store.get('_versions/nothing.manifest')).rejects.toBeInstanceOf(NotFoundError);
  const size = manifests[0]!.size;
  await expect(store.getRange(path, size + 10, size + 20)).rejects.toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
  rangeSupport = false;
  try {
    const err = await store.getRange(path, 0, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeNotSupportedError);
    expect((err as StoreError).code).toBe('RANGE_NOT_SUPPORTED');
    const open = await (await connect(base)).openTable('ds').then((t) => t.toArrow()).catch((e: unknown) => e);
    expect(open).toBeInstanceOf(RangeNotSupportedError);
  } finally {
    rangeSupport = true;
  }
});

test('without a hint the latest version is found by probing upward', async () => {
  const hint = nodePath.join(root, 'ds.lance', '_versions', 'latest_version_hint.json');
  const saved = await fs.readFile(hint).catch(() => undefined);
  await fs.rm(hint, { force: true });
  try {
    const store = new HttpStore(`${base}/ds.lance`);
    expect((await store.list('_versions/')).map((m) => m.path)).toHaveLength(2);
    await fs.writeFile(hint, '{"version":1}');
    expect(await (await (await connect(base)).openTable('ds')).version()).toBe(2);
  } finally {
    if (saved) await fs.writeFile(hint, saved);
    else await fs.rm(hint, { force: true });
  }
});
