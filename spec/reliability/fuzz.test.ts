// Reliability fuzzing: 10,000 fast-check cases of corrupted or hostile input across the readers
// — manifests (decoder and datasets whose latest manifest is damaged), data files, deletion
// files (Arrow IPC and roaring), blob descriptors that point anywhere, and SQL text. Each case
// must end within a time bound with a result or a typed LancetError (no TypeError/RangeError).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import '../../src/dataset/blob/table-blobs.js';
import { fetchBlobs } from '../../src/dataset/blob/fetch-blobs.js';
import type { BlobTableView } from '../../src/dataset/blob/locate.js';
import { BlobKind, blobField, sidecarPath, type BlobDescriptor } from '../../src/format/blob/index.js';
import { openLanceFile } from '../../src/format/file/index.js';
import type { DataFile } from '../../src/format/proto/table_pb.js';
import { decodeManifestFile } from '../../src/format/table/manifest-file.js';
import { decodeDeletionArrow, encodeDeletionArrow } from '../../src/format/table/deletion-arrow.js';
import { decodeRoaring, encodeRoaring } from '../../src/format/table/roaring.js';
import { LancetError, SqlError } from '../../src/errors.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { storeForUri } from '../../src/io/open-store.js';
import { parseScript } from '../../src/query/sql/split.js';
import { sqlSession } from '../../src/query/session.js';

const CASE_MS = 2000;
const counts: Record<string, number> = {};

/** Runs one case: a value or a typed error, within CASE_MS. Returns the error code, or 'ok'. */
async function typed(category: string, f: () => Promise<unknown> | unknown, want: typeof LancetError = LancetError): Promise<string> {
  counts[category] = (counts[category] ?? 0) + 1;
  const t0 = Date.now();
  let code = 'ok';
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(f),
      new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${category} case did not settle within ${CASE_MS} ms`)), CASE_MS))),
    ]);
  } catch (e) {
    if (!(e instanceof want)) throw e;
    code = e.code;
  } finally {
    clearTimeout(timer);
  }
  expect(Date.now() - t0).toBeLessThan(CASE_MS);
  return code;
}

/** Byte-level damage: flips, a truncation, a splice, or overwriting a 64-bit field near the end. */
const damage = (len: number) =>
  fc.oneof(
    fc.record({ t: fc.constant('flip' as const), at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 4 }) }),
    fc.record({ t: fc.constant('truncate' as const), keep: fc.integer({ min: 0, max: Math.max(0, len - 1) }) }),
    fc.record({ t: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ t: fc.constant('u64' as const), back: fc.integer({ min: 8, max: 48 }), v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  );
type Damage = typeof damage extends (n: number) => fc.Arbitrary<infer D> ? D : never;

function apply(bytes: Uint8Array, d: Damage): Uint8Array {
  switch (d.t) {
    case 'flip': {
      const out = bytes.slice();
      for (const [pos, x, tail] of d.at) {
        if (out.length === 0) break;
        const at = tail ? out.length - 1 - (pos % Math.min(64, out.length)) : pos % out.length;
        out[at]! ^= x;
      }
      return out;
    }
    case 'truncate':
      return bytes.slice(0, d.keep);
    case 'splice': {
      const at = d.at % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + d.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(d.bytes, at);
      out.set(bytes.subarray(at), at + d.bytes.length);
      return out;
    }
    case 'u64': {
      const out = bytes.slice();
      if (out.length < d.back) return out;
      new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(out.length - d.back, d.v, true);
      return out;
    }
  }
}

function payload(id: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (id * 17 + j * 3) & 255;
  return b;
}

// Fixtures, built once: a blob table (create, append, delete → 3 versions) and a table of many types.
const blobSchema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 64, dedicatedSizeThreshold: 3000 })]);
let store: MemoryStore;
let manifests: Map<number, { path: string; bytes: Uint8Array }>;
let dataFiles: { path: string; bytes: Uint8Array; file: DataFile }[];
let blobFile: { path: string; bytes: Uint8Array; sidecars: Map<number, Uint8Array> };

beforeAll(async () => {
  store = new MemoryStore('memory://fuzz');
  const db = await connect('fuzz', { store });
  const sizes = [0, 10, 63, 64, 500, 2000, 2999, 3000, 7000];
  const b = await db.createTable('b', sizes.map((s, id) => ({ id, payload: payload(id, s) })), { schema: blobSchema });
  await b.add(sizes.map((s, i) => ({ id: 100 + i, payload: i % 3 === 0 ? null : payload(100 + i, s) })));
  await b.delete('id = 3 OR id = 104');
  const many = arrow.tableFromArrays({
    i: BigInt64Array.from([1n, -2n, 3n, 4n, 5n, 6n]),
    s: ['a', 'bb', '', 'dddd', 'e', 'ffffff'],
    f: Float64Array.from([0.5, 1, 2, 3, 4, 5]),
  });
  const m = await db.createTable('m', many);
  await m.add([{ i: 7n, s: 'x', f: 9 }]);

  manifests = new Map();
  dataFiles = [];
  const bt = await db.openTable('b');
  for (const info of await bt.listVersions()) {
    const at = await (await bt.dataset()).atVersion(info.version);
    manifests.set(info.version, { path: at.loaded.path, bytes: await store.get(at.loaded.path) });
  }
  for (const t of [bt, await db.openTable('m')]) {
    const ds = await t.dataset();
    for (const frag of ds.fragments) {
      for (const file of frag.files) {
        const path = `${ds.loc.base}/data/${file.path}`;
        dataFiles.push({ path, bytes: await store.get(path), file });
      }
    }
  }
  const first = dataFiles[0]!;
  const sidecars = new Map<number, Uint8Array>();
  const dir = first.path.replace(/\.lance$/, '/');
  for (const o of await store.list(dir)) {
    for (let id = 1; id < 64; id++) if (sidecarPath(first.path, id) === o.path) sidecars.set(id, await store.get(o.path));
  }
  blobFile = { path: first.path, bytes: first.bytes, sidecars };
  expect(manifests.size).toBe(3);
  expect(sidecars.size).toBeGreaterThan(0);
}, 60_000);

describe('reliability: fuzzing corrupted inputs (10,000 cases)', () => {
  it('manifest files: 2,300 damaged manifests decode or fail typed', async () => {
    const codes = new Map<string, number>();
    const all = [...manifests.values()];
    await fc.assert(
      fc.asyncProperty(fc.nat(all.length - 1), damage(4096), async (which, d) => {
        const m = all[which]!;
        const code = await typed('manifest', () => decodeManifestFile(apply(m.bytes, d), m.path));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: 2300 },
    );
    console.log(`reliability: fuzz manifests: 2300 cases, outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect([...codes.keys()].some((c) => c !== 'ok')).toBe(true);
  }, 120_000);

  it('datasets whose latest manifest is damaged: 100 cases fail typed (or open) and every earlier version opens', async () => {
    const latest = Math.max(...manifests.keys());
    const objects = await Promise.all((await store.list('b.lance/')).map(async (o) => [o.path, await store.get(o.path)] as const));
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(damage(4096), async (d) => {
        const s = new MemoryStore();
        for (const [p, bytes] of objects) await s.put(p, bytes);
        const m = manifests.get(latest)!;
        await s.put(m.path, apply(m.bytes, d));
        const db = await connect('x', { store: s });
        const code = await typed('dataset-manifest', async () => {
          const t = await db.openTable('b');
          await t.countRows();
          await t.query().toArrow();
        });
        if (code !== 'ok') failed++;
        for (const v of [1, 2]) {
          const old = await db.openTable('b', { version: v });
          expect(await old.countRows()).toBe(v === 1 ? 9 : 18);
        }
      }),
      { numRuns: 100 },
    );
    console.log(`reliability: fuzz datasets with a damaged latest manifest: 100 cases, ${failed} typed failures, ${100 - failed} still opened; versions 1 and 2 opened every time`);
  }, 120_000);

  it('data files: 2,500 damaged files open and read or fail typed', async () => {
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat(dataFiles.length - 1), damage(1 << 16), async (which, d) => {
        const f = dataFiles[which]!;
        const s = new MemoryStore();
        await s.put('f.lance', apply(f.bytes, d));
        const code = await typed('data-file', async () => {
          const r = await openLanceFile(s, 'f.lance');
          const fields = r.schema.fields.filter((x) => f.file.fields.includes(x.id));
          await r.read(fields, (id) => {
            const i = f.file.fields.indexOf(id);
            return i < 0 ? undefined : f.file.columnIndices[i];
          });
        });
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: 2500 },
    );
    console.log(`reliability: fuzz data files: 2500 cases over ${dataFiles.length} files, outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect([...codes.keys()].some((c) => c !== 'ok')).toBe(true);
  }, 120_000);

  it('deletion files: 2,000 damaged or random .arrow / .bin deletion vectors decode or fail typed', async () => {
    const codes = new Map<string, number>();
    const rowSets = fc.uniqueArray(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(fc.boolean(), rowSets, fc.option(damage(1 << 12), { nil: undefined }), fc.uint8Array({ maxLength: 64 }), async (isArrow, rows, d, junk) => {
        const sorted = rows.sort((a, b) => a - b);
        const valid = isArrow ? encodeDeletionArrow(sorted) : encodeRoaring(sorted);
        const bytes = d ? apply(valid, d) : junk;
        const code = await typed('deletion', () => {
          const got = isArrow ? decodeDeletionArrow(bytes, 'x.arrow') : decodeRoaring(bytes, 'x.bin');
          if (!(got instanceof Uint32Array)) throw new Error('decoder returned no Uint32Array');
        });
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: 2000 },
    );
    console.log(`reliability: fuzz deletion files: 2000 cases, outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect([...codes.keys()].some((c) => c !== 'ok')).toBe(true);
  }, 120_000);

  it('blob descriptors: 600 descriptors pointing anywhere give their own bytes or a typed error, never bytes from elsewhere', async () => {
    const ids = [...blobFile.sidecars.keys()];
    const fileLen = blobFile.bytes.length;
    const big = (n: number) => fc.oneof(fc.bigInt({ min: 0n, max: BigInt(n) + 64n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, BigInt(n), BigInt(n) - 1n, BigInt(n) + 1n));
    const desc = fc.record({
      kind: fc.oneof(fc.constantFrom(BlobKind.Inline, BlobKind.Packed, BlobKind.Dedicated, BlobKind.External), fc.integer({ min: 0, max: 255 })),
      position: big(fileLen),
      size: big(fileLen),
      blobId: fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 0, max: 0xffffffff })),
      blobUri: fc.oneof(fc.constant(''), fc.constantFrom('../b.lance/data/x', '../../etc/passwd', 'a/../../x', '%2e%2e/x', 'data/../../y'), fc.string({ maxLength: 12 })),
    });
    const codes = new Map<string, number>();
    let served = 0;
    await fc.assert(
      fc.asyncProperty(desc, async (d0) => {
        const d = d0 as BlobDescriptor;
        const view: BlobTableView = {
          basePaths: [],
          blobDescriptors: async (_c, addrs) => addrs.map((a) => ({ rowAddress: a, descriptor: d, dataFile: { store, path: blobFile.path } })),
        };
        let got: (Uint8Array | null)[] | undefined;
        const code = await typed('blob-descriptor', async () => {
          got = await fetchBlobs(view, 'payload', [0n]);
        });
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code !== 'ok') return;
        const bytes = got![0]!;
        // Whatever came back must be exactly the named range of the object the descriptor names.
        const pos = Number(d.position);
        const size = Number(d.size);
        let expected: Uint8Array | undefined;
        if (d.kind === BlobKind.Inline) expected = size === 0 ? new Uint8Array() : blobFile.bytes.slice(pos, pos + size);
        else if (d.kind === BlobKind.Packed) expected = size === 0 ? new Uint8Array() : blobFile.sidecars.get(d.blobId)?.slice(pos, pos + size);
        else if (d.kind === BlobKind.Dedicated) expected = size === 0 ? new Uint8Array() : blobFile.sidecars.get(d.blobId)?.slice(0, size);
        expect(expected, `descriptor ${JSON.stringify(d, (_, v) => (typeof v === 'bigint' ? String(v) : v))} returned bytes`).toBeDefined();
        expect(Buffer.from(bytes).equals(Buffer.from(expected!))).toBe(true);
        expect(bytes.length).toBe(size);
        served++;
      }),
      { numRuns: 600 },
    );
    console.log(`reliability: fuzz blob descriptors: 600 cases, ${served} served their own bytes exactly, outcomes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(codes.get('ok') ?? 0).toBeLessThan(600);
  }, 120_000);

  it('SQL text: 2,000 garbage scripts fail to parse with SqlError; 500 run through a session fail typed', async () => {
    const words = ['SELECT', 'FROM', 'WHERE', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'DELETE', 'MERGE', 'USING', 'ON', 'WHEN', 'MATCHED', 'THEN', 'CREATE', 'TABLE', 'AS', 'DROP', 'ORDER', 'BY', 'LIMIT', 'GROUP', 'VERSION', 'OF', 'JOIN', 'b', 'm', 'id', 'payload', 'blob', '*', ',', '(', ')', '=', '<', "'x'", '"q"', '1', '-1', '1e999', '9223372036854775808', 'NULL', ';', '--', '/*', '*/', '.', 'lance', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'CAST', '::', '$1', '?', '\\', '`'];
    const garbage = fc.oneof(
      fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 14 }).map((w) => w.join(' ')),
      fc.string({ maxLength: 60 }),
      fc.tuple(fc.constantFrom('SELECT id FROM b WHERE id < 5', "UPDATE b SET id = id + 1 WHERE id = 2", 'SELECT count(*) FROM m GROUP BY s'), fc.nat(), fc.string({ maxLength: 6 })).map(([s, at, ins]) => s.slice(0, at % s.length) + ins + s.slice((at % s.length) + 1)),
    );
    const codes = new Map<string, number>();
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(garbage, async (text) => {
        let ok = false;
        const code = await typed('sql-parse', () => {
          parseScript(text);
          ok = true;
        }, SqlError);
        if (ok) parsed++;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: 2000 },
    );
    // The session: garbage statements against a catalog over a copy of the fixtures (they may be
    // valid and write: the copy keeps the fixtures intact).
    const copy = storeForUri('memory://fuzz-sql').store;
    for (const o of await store.list('')) await copy.put(o.path, await store.get(o.path));
    const session = sqlSession({ root: 'memory://fuzz-sql' });
    const ran = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(garbage, async (text) => {
        const code = await typed('sql-session', () => session.sql(text));
        ran.set(code, (ran.get(code) ?? 0) + 1);
      }),
      { numRuns: 500 },
    );
    console.log(`reliability: fuzz SQL: 2000 parse cases (${parsed} parsed, rest SqlError ${JSON.stringify(Object.fromEntries(codes))}); 500 session cases ${JSON.stringify(Object.fromEntries(ran))}`);
    expect(parsed).toBeLessThan(2000);
  }, 120_000);

  it('totals 10,000 cases', () => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`reliability: fuzz total: ${total} cases ${JSON.stringify(counts)}, 0 untyped errors, 0 over ${CASE_MS} ms`);
    expect(total).toBe(10_000);
  });
});
