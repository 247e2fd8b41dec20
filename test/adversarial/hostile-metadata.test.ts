// Adversarial metadata: structurally valid files whose counts, sizes, lengths and offsets are
// hostile — deletion vectors (roaring and Arrow IPC) with wild sizes, row id sequences with huge
// ranges, manifests with huge counts or deep schemas, data files whose footer / offset tables /
// page metadata point anywhere, Blob V2 descriptors past the end of their objects.
// Every case must give a correct result or a typed LancetError, within CASE_MS, without growing
// array-buffer memory by more than ALLOC_BOUND (what the hostile value claims is far larger).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { create, toBinary } from '@bufbuild/protobuf';
import { connect } from '../../src/dataset/index.js';
import '../../src/dataset/blob/table-blobs.js';
import { fetchBlobs } from '../../src/dataset/blob/fetch-blobs.js';
import type { BlobTableView } from '../../src/dataset/blob/locate.js';
import { BlobKind, blobField, type BlobDescriptor } from '../../src/format/blob/index.js';
import { openLanceFile } from '../../src/format/file/index.js';
import { DeletionFile_DeletionFileType, ManifestSchema, type DataFile, type Manifest } from '../../src/format/proto/table_pb.js';
import { RowIdSequenceSchema } from '../../src/format/proto/rowids_pb.js';
import { decodeManifestFile, encodeManifestFile } from '../../src/format/table/manifest-file.js';
import { decodeRoaring } from '../../src/format/table/roaring.js';
import { decodeDeletionArrow } from '../../src/format/table/deletion-arrow.js';
import { decodeRowIdSequence } from '../../src/format/table/row-ids.js';
import { LancetError } from '../../src/errors.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { decompressGeneral } from '../../src/format/codecs/registry.js';
import { deletionFilePath } from '../../src/format/table/file-names.js';
import { deepPbChain, deletionArrowIpc, joinDataFile, patchUint, runContainerBomb, splitDataFile, zstdRleFrame } from './hostile-bytes.js';

const CASE_MS = 1500;
const ALLOC_BOUND = 64 << 20;
/** RSS also counts the JS heap (e.g. an endless stream of null batches); generous for GC slack. */
const RSS_BOUND = 512 << 20;

const stats = { cases: 0, maxMs: 0, maxGrowth: 0, maxRss: 0, untyped: [] as string[], byCategory: {} as Record<string, Record<string, number>> };

class CaseTimeout extends Error {}

/** Runs one hostile case; returns 'ok' or the typed error's code. Untyped errors are collected. */
async function hostile(category: string, f: () => unknown): Promise<string> {
  stats.cases++;
  const before = process.memoryUsage();
  const t0 = performance.now();
  let code = 'ok';
  let timer: NodeJS.Timeout | undefined;
  try {
    // An asynchronous runaway (a scan that never ends) is cut off here rather than by the test timeout.
    await Promise.race([Promise.resolve().then(f), new Promise((_, reject) => (timer = setTimeout(() => reject(new CaseTimeout()), CASE_MS)))]);
  } catch (e) {
    if (e instanceof CaseTimeout) throw new Error(`${category} case did not settle within ${CASE_MS} ms`);
    if (e instanceof LancetError) code = e.code;
    else {
      code = 'UNTYPED';
      if (stats.untyped.length < 10) stats.untyped.push(`${category}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    }
  }
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  const grew = after.arrayBuffers - before.arrayBuffers;
  const rss = after.rss - before.rss;
  stats.maxMs = Math.max(stats.maxMs, ms);
  stats.maxGrowth = Math.max(stats.maxGrowth, grew);
  stats.maxRss = Math.max(stats.maxRss, rss);
  const cat = (stats.byCategory[category] ??= {});
  cat[code] = (cat[code] ?? 0) + 1;
  expect(ms, `${category} case took ${ms.toFixed(0)} ms`).toBeLessThan(CASE_MS);
  expect(grew, `${category} case grew array buffers by ${grew} bytes`).toBeLessThan(ALLOC_BOUND);
  expect(rss, `${category} case grew RSS by ${rss} bytes`).toBeLessThan(RSS_BOUND);
  return code;
}

const U64_MAX = (1n << 64n) - 1n;
/** Sizes and offsets that are plausible, borderline or absurd. */
const wildU64 = (near: number) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: BigInt(near) + 64n }),
    fc.constantFrom(0n, 1n, BigInt(near), BigInt(near) - 1n, BigInt(near) + 1n, 1n << 31n, 1n << 32n, (1n << 32n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, U64_MAX),
    fc.bigInt({ min: 0n, max: U64_MAX }),
  );
const wildCount = fc.oneof(fc.nat(100), fc.constantFrom(2 ** 16, 2 ** 31 - 1, 2 ** 32 - 1), fc.nat(2 ** 32 - 1));

const isSortedBelow = (v: Uint32Array, limit: number) => v.every((x, i) => x < limit && (i === 0 || x > v[i - 1]!));

// ---------------------------------------------------------------------------------------------
// Fixtures: a small dataset with two fragments, a deletion file and stable row ids; a table of
// nested types; a blob table. All in memory.

let store: MemoryStore;
let objects: Array<[string, Uint8Array]>;
let manifestPath: string;
let manifest: Manifest;
let dataFiles: Array<{ bytes: Uint8Array; file: DataFile }>;
let blob: { path: string; size: number; sidecars: number[] };

beforeAll(async () => {
  store = new MemoryStore('memory://adversarial');
  const db = await connect('adv', { store });
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int64(), false),
    new arrow.Field('s', new arrow.Utf8(), true),
    new arrow.Field('st', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Float64(), true)]), true),
    new arrow.Field('l', new arrow.List(new arrow.Field('item', new arrow.Int32(), true)), true),
  ]);
  const rows = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), s: i % 5 ? `s${from + i}` : null, st: { a: i, b: i / 2 }, l: i % 3 ? [i, i + 1] : null }));
  const t = await db.createTable('t', rows(0, 300), { schema, enableStableRowIds: true });
  await t.add(rows(300, 200));
  await t.delete('id % 7 = 0');
  const ds = await t.dataset();
  manifestPath = ds.loaded.path;
  manifest = ds.manifest;
  objects = await Promise.all((await store.list('t.lance/')).map(async (o) => [o.path, await store.get(o.path)] as [string, Uint8Array]));
  dataFiles = [];
  for (const frag of ds.fragments) for (const file of frag.files) dataFiles.push({ bytes: await store.get(`${ds.loc.base}/data/${file.path}`), file });

  const b = await db.createTable('b', [0, 10, 100, 5000].map((n, id) => ({ id, payload: new Uint8Array(n).fill(id + 1) })), {
    schema: new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 64, dedicatedSizeThreshold: 3000 })]),
  });
  const bds = await b.dataset();
  const bfile = bds.fragments[0]!.files[0]!;
  const bpath = `${bds.loc.base}/data/${bfile.path}`;
  const sidecars = (await store.list(bpath.replace(/\.lance$/, '/'))).map((o) => Number(/(\d+)\.\w+$/.exec(o.path)?.[1] ?? 0));
  blob = { path: bpath, size: (await store.head(bpath)).size, sidecars };
  expect(manifest.fragments.length).toBe(2);
  expect(manifest.fragments.some((f) => f.deletionFile)).toBe(true);
}, 60_000);

afterAll(() => {
  console.log(
    `adversarial: ${stats.cases} cases, ${stats.untyped.length} untyped, max ${stats.maxMs.toFixed(0)} ms, max array-buffer growth ${(stats.maxGrowth / 2 ** 20).toFixed(1)} MiB, max RSS growth ${(stats.maxRss / 2 ** 20).toFixed(1)} MiB; ` +
      `outcomes ${JSON.stringify(stats.byCategory)}`,
  );
});

describe('adversarial: hostile-but-valid-looking metadata gives a typed error or a correct result, fast and bounded', () => {
  it('roaring deletion files with wild container counts, cardinalities, offsets and runs', async () => {
    const container = fc.record({
      key: fc.oneof(fc.nat(8), fc.nat(65535)),
      cardMinus1: fc.oneof(fc.nat(10), fc.constantFrom(4095, 4096, 65535), fc.nat(65535)),
      run: fc.boolean(),
      runs: fc.array(fc.tuple(fc.nat(65535), fc.oneof(fc.nat(16), fc.constant(65535), fc.nat(65535))), { maxLength: 6 }),
      nRunsClaim: fc.option(fc.nat(65535), { nil: undefined }),
      body: fc.oneof(fc.constant('fits' as const), fc.constant('short' as const), fc.constant('bitmapOnes' as const)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(container, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 70000 }), { nil: undefined }),
        fc.option(fc.nat(16), { nil: undefined }),
        fc.oneof(fc.nat(1 << 20), fc.constant(2 ** 32)),
        async (cs, runsCookie, claimN, badOffset, rowLimit) => {
          const n = cs.length;
          const parts: number[] = [];
          const u16 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff);
          const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
          const claimed = claimN ?? n;
          if (runsCookie) {
            u32((12347 | (((claimed - 1) & 0xffff) << 16)) >>> 0);
            for (let i = 0; i < Math.ceil(n / 8); i++) parts.push(cs.slice(i * 8, i * 8 + 8).reduce((b, c, k) => b | ((c.run ? 1 : 0) << k), 0));
          } else {
            u32(12346);
            u32(claimed);
          }
          for (const c of cs) {
            u16(c.key);
            u16(c.cardMinus1);
          }
          const bodies = cs.map((c) => {
            const out: number[] = [];
            if (runsCookie && c.run) {
              const r = c.runs;
              out.push((c.nRunsClaim ?? r.length) & 0xff, ((c.nRunsClaim ?? r.length) >>> 8) & 0xff);
              for (const [s, l] of r) out.push(s & 0xff, s >>> 8, l & 0xff, l >>> 8);
            } else if (c.cardMinus1 + 1 > 4096) {
              out.push(...new Array(c.body === 'short' ? 100 : 8192).fill(c.body === 'bitmapOnes' ? 0xff : 0x11));
            } else {
              const len = c.body === 'short' ? Math.min(3, c.cardMinus1) : c.cardMinus1 + 1;
              for (let k = 0; k < len; k++) out.push(k & 0xff, (k >>> 8) & 0xff);
            }
            return out;
          });
          if (!runsCookie || n >= 4) {
            let at = parts.length + n * 4;
            for (const [i, b] of bodies.entries()) {
              u32(i === badOffset ? at + 1 : at);
              at += b.length;
            }
          }
          for (const b of bodies) parts.push(...b);
          const bytes = Uint8Array.from(parts);
          await hostile('roaring', () => {
            const got = decodeRoaring(bytes, 'h.bin', { rowLimit });
            expect(isSortedBelow(got, rowLimit)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Arrow IPC deletion files with wild row counts, buffer sizes, ZSTD claims and repeated blocks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.nat(300), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })),
        fc.oneof(
          fc.uint8Array({ maxLength: 1200 }).map((values) => ({ values, zstd: false })),
          fc.tuple(wildU64(4096), fc.nat(1 << 22), fc.nat(1 << 22)).map(([want, claim, actual]) => {
            const frame = zstdRleFrame(claim, actual);
            const values = new Uint8Array(8 + frame.length);
            new DataView(values.buffer).setBigUint64(0, want, true);
            values.set(frame, 8);
            return { values, zstd: true };
          }),
        ),
        fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3000 })),
        fc.nat(3),
        fc.oneof(fc.nat(5000), fc.constant(2 ** 32)),
        async (length, body, blocks, nullCount, rowLimit) => {
          const bytes = deletionArrowIpc({ length: typeof length === 'bigint' ? length : length, values: body.values, zstd: body.zstd, blocks, nullCount: nullCount === 3 ? 1 : 0 });
          await hostile('deletion-arrow', () => {
            const got = decodeDeletionArrow(bytes, 'h.arrow', { rowLimit });
            expect(got.length).toBeLessThanOrEqual(rowLimit);
            expect(got.every((v) => v < rowLimit)).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('row id sequences with huge ranges, short bitmaps and wrong totals', async () => {
    const seg = fc.oneof(
      fc.tuple(wildU64(1000), wildU64(1000)).map(([start, end]) => ({ segment: { case: 'range' as const, value: { start, end } } })),
      fc.tuple(wildU64(1000), wildU64(1000), fc.uint8Array({ maxLength: 64 })).map(([start, end, bitmap]) => ({ segment: { case: 'rangeWithBitmap' as const, value: { start, end, bitmap } } })),
      fc.tuple(wildU64(1000), wildU64(1000)).map(([start, end]) => ({
        segment: { case: 'rangeWithHoles' as const, value: { start, end, holes: { array: { case: 'u16Array' as const, value: { base: start, offsets: new Uint8Array(4) } } } } },
      })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(seg, { maxLength: 4 }), fc.option(fc.nat(2000), { nil: undefined }), async (segments, expected) => {
        const bytes = toBinary(RowIdSequenceSchema, create(RowIdSequenceSchema, { segments }));
        await hostile('row-ids', () => {
          const ids = decodeRowIdSequence(bytes, 'h.rowids', expected);
          if (expected !== undefined) expect(ids.length).toBe(expected);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('manifests with huge row counts, deletion counts, file sizes, field lists and deep schemas', async () => {
    type Mutation = (m: Manifest) => void;
    const frag = fc.nat(1);
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.constant((): void => undefined),
      fc.tuple(frag, wildU64(300)).map(([i, v]): Mutation => (m) => void (m.fragments[i]!.physicalRows = v)),
      fc.tuple(frag, wildU64(300)).map(([i, v]): Mutation => (m) => {
        const f = m.fragments[i]!;
        if (f.deletionFile) f.deletionFile.numDeletedRows = v;
      }),
      frag.map((i): Mutation => (m) => {
        const d = m.fragments[i]!.deletionFile;
        if (d) d.fileType = d.fileType === DeletionFile_DeletionFileType.BITMAP ? DeletionFile_DeletionFileType.ARROW_ARRAY : DeletionFile_DeletionFileType.BITMAP;
      }),
      fc.tuple(frag, wildU64(100_000)).map(([i, v]): Mutation => (m) => void (m.fragments[i]!.files[0]!.fileSizeBytes = v)),
      fc.tuple(frag, fc.array(fc.integer({ min: -3, max: 1 << 20 }), { maxLength: 2000 })).map(([i, ids]): Mutation => (m) => void (m.fragments[i]!.files[0]!.fields = ids)),
      fc.tuple(frag, fc.array(fc.integer({ min: -3, max: 2 ** 31 - 1 }), { maxLength: 50 })).map(([i, cols]): Mutation => (m) => void (m.fragments[i]!.files[0]!.columnIndices = cols)),
      fc.integer({ min: 60, max: 5000 }).map((depth): Mutation => (m) => void (m.fields = [...m.fields, ...deepPbChain(depth, 100)])),
      fc.tuple(frag, wildU64(10)).map(([i, v]): Mutation => (m) => void (m.fragments[i]!.id = v)),
      fc.tuple(frag, fc.bigInt({ min: 0n, max: 1n << 62n })).map(([i, end]): Mutation => (m) => {
        m.fragments[i]!.rowIdSequence = { case: 'inlineRowIds', value: toBinary(RowIdSequenceSchema, create(RowIdSequenceSchema, { segments: [{ segment: { case: 'range', value: { start: 0n, end } } }] })) };
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        const m = create(ManifestSchema, structuredClone(manifest) as Manifest);
        for (const f of ms) f(m);
        const s = new MemoryStore('memory://case');
        for (const [p, bytes] of objects) await s.put(p, bytes);
        await s.put(manifestPath, encodeManifestFile(m));
        await hostile('manifest', async () => {
          const db = await connect('adv', { store: s });
          const t = await db.openTable('t');
          await t.countRows();
          const got = await t.query().toArrow();
          expect(got.numRows).toBeLessThanOrEqual(500);
        });
      }),
      { numRuns: 250 },
    );
  });

  it('datasets whose deletion file is replaced by a run-container bomb or a hostile IPC file', async () => {
    const frag = manifest.fragments.find((f) => f.deletionFile)!;
    const delPath = `t.lance/${deletionFilePath(frag.id, frag.deletionFile!)}`;
    const isBitmap = frag.deletionFile!.fileType === DeletionFile_DeletionFileType.BITMAP;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8000 }), fc.nat(3), fc.oneof(fc.nat(600), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n })), fc.integer({ min: 1, max: 2000 }), async (n, firstKey, length, blocks) => {
        const bytes = isBitmap
          ? runContainerBomb(n, firstKey)
          : deletionArrowIpc({ length, values: new Uint8Array(Uint32Array.from({ length: 50 }, (_, i) => i * 3).buffer), blocks });
        const s = new MemoryStore('memory://case');
        for (const [p, b] of objects) await s.put(p, b);
        await s.put(delPath, bytes);
        await hostile('dataset-deletion-file', async () => {
          const t = await (await connect('adv', { store: s })).openTable('t');
          expect((await t.query().toArrow()).numRows).toBeLessThanOrEqual(500);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('LZ4 / ZSTD buffers whose size prefixes and frame headers claim anything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('lz4' as const, 'zstd' as const), fc.boolean(), wildU64(1 << 16), fc.nat(1 << 21), fc.nat(1 << 21), async (scheme, bare, prefix, claim, actual) => {
        const frame = scheme === 'zstd' ? zstdRleFrame(claim, actual) : new Uint8Array(actual % 64);
        const width = scheme === 'lz4' ? 4 : 8;
        const bytes = new Uint8Array((bare && scheme === 'zstd' ? 0 : width) + frame.length);
        if (!(bare && scheme === 'zstd')) {
          const dv = new DataView(bytes.buffer);
          if (width === 4) dv.setUint32(0, Number(prefix & 0xffffffffn), true);
          else dv.setBigUint64(0, prefix, true);
        }
        bytes.set(frame, bytes.length - frame.length);
        await hostile('general-compression', () => decompressGeneral(scheme, bytes));
      }),
      { numRuns: 150 },
    );
  });

  it('manifest files whose section offsets and lengths point anywhere', async () => {
    const body = toBinary(ManifestSchema, manifest);
    await fc.assert(
      fc.asyncProperty(fc.option(wildU64(body.length), { nil: undefined }), fc.option(wildU64(body.length), { nil: undefined }), wildU64(body.length + 8), fc.nat(2 ** 32 - 1), async (txn, idx, pos, len) => {
        const m = create(ManifestSchema, structuredClone(manifest) as Manifest);
        m.transactionSection = txn;
        m.indexSection = idx;
        const pb = toBinary(ManifestSchema, m);
        const bytes = new Uint8Array(4 + pb.length + 16);
        const dv = new DataView(bytes.buffer);
        dv.setUint32(0, len % 3 === 0 ? pb.length : len, true);
        bytes.set(pb, 4);
        dv.setBigUint64(4 + pb.length, pos % 2n === 0n ? 0n : pos, true);
        dv.setUint16(4 + pb.length + 10, 2, true);
        bytes.set([0x4c, 0x41, 0x4e, 0x43], 4 + pb.length + 12);
        await hostile('manifest-file', () => decodeManifestFile(bytes, 'h.manifest'));
      }),
      { numRuns: 150 },
    );
  });

  it('data files whose footer, offset tables, descriptor row count and page metadata are hostile', async () => {
    type Case = { which: number; bytes: () => Uint8Array };
    const file = fc.nat(dataFiles.length - 1);
    const footerField = fc.constantFrom([0, 8], [8, 8], [16, 8], [24, 4], [28, 4]) as fc.Arbitrary<[number, 4 | 8]>;
    const cases: fc.Arbitrary<Case> = fc.oneof(
      // Control: taken apart and rebuilt unchanged, the file must still read.
      file.map((which) => ({ which, bytes: () => joinDataFile(splitDataFile(dataFiles[which]!.bytes)) })),
      fc.tuple(file, footerField, wildU64(100_000)).map(([which, [off, width], v]) => ({
        which,
        bytes: () => {
          const b = dataFiles[which]!.bytes;
          return patchUint(b, b.length - 40 + off, v, width);
        },
      })),
      fc.tuple(file, fc.boolean(), fc.nat(8), fc.boolean(), wildU64(100_000)).map(([which, cmo, entry, isLen, v]) => ({
        which,
        bytes: () => {
          const b = dataFiles[which]!.bytes;
          const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
          const table = Number(dv.getBigUint64(b.length - 40 + (cmo ? 8 : 16), true));
          const count = dv.getUint32(b.length - 40 + (cmo ? 28 : 24), true);
          return patchUint(b, table + (entry % count) * 16 + (isLen ? 8 : 0), v, 8);
        },
      })),
      fc.tuple(file, wildU64(1 << 20), fc.boolean()).map(([which, rows, consistent]) => ({
        which,
        bytes: () => {
          const p = splitDataFile(dataFiles[which]!.bytes);
          p.descriptor.length = rows;
          if (consistent) for (const c of p.columns) if (c.pages.length === 1) c.pages[0]!.length = rows;
          return joinDataFile(p);
        },
      })),
      fc.tuple(file, fc.nat(16), fc.nat(8), fc.nat(8), fc.constantFrom('offset', 'size', 'length', 'drop'), wildU64(100_000)).map(([which, col, page, buf, what, v]) => ({
        which,
        bytes: () => {
          const p = splitDataFile(dataFiles[which]!.bytes);
          const c = p.columns[col % p.columns.length]!;
          const pg = c.pages[page % Math.max(1, c.pages.length)];
          if (!pg) return joinDataFile(p);
          const k = buf % Math.max(1, pg.bufferOffsets.length);
          if (what === 'offset' && pg.bufferOffsets.length) pg.bufferOffsets[k] = v;
          if (what === 'size' && pg.bufferSizes.length) pg.bufferSizes[k] = v;
          if (what === 'length') pg.length = v;
          if (what === 'drop') c.pages.splice(page % c.pages.length, 1);
          return joinDataFile(p);
        },
      })),
    );
    await fc.assert(
      fc.asyncProperty(cases, fc.nat(1000), async (c, from) => {
        const bytes = c.bytes();
        const { file } = dataFiles[c.which]!;
        const s = new MemoryStore('memory://f');
        await s.put('f.lance', bytes);
        await hostile('data-file', async () => {
          const r = await openLanceFile(s, 'f.lance');
          const fields = r.schema.fields.filter((x) => file.fields.includes(x.id) || x.children.some((k) => file.fields.includes(k.id)));
          const columnOf = (id: number) => {
            const i = file.fields.indexOf(id);
            return i < 0 ? undefined : file.columnIndices[i];
          };
          const start = Math.min(from, r.numRows);
          const end = Math.min(start + 4096, r.numRows);
          const got = await r.read(fields, columnOf, { ranges: [[start, end]] });
          expect(got.numRows).toBe(end - start);
          if (r.numRows <= 4096) await r.read(fields, columnOf);
        });
      }),
      { numRuns: 350 },
    );
  });

  it('Blob V2 descriptors whose positions and sizes run past the end of their objects', async () => {
    const desc = fc.record({
      kind: fc.constantFrom(BlobKind.Inline, BlobKind.Packed, BlobKind.Dedicated),
      position: wildU64(blob.size),
      size: fc.oneof(wildU64(blob.size), fc.constantFrom(1n << 30n, 1n << 40n)),
      blobId: fc.oneof(fc.constantFrom(...(blob.sidecars.length ? blob.sidecars : [1])), fc.nat(0xffffffff)),
      blobUri: fc.constant(''),
    });
    await fc.assert(
      fc.asyncProperty(desc, async (d0) => {
        const d = d0 as BlobDescriptor;
        const view: BlobTableView = {
          basePaths: [],
          blobDescriptors: async (_c, addrs) => addrs.map((a) => ({ rowAddress: a, descriptor: d, dataFile: { store, path: blob.path } })),
        };
        await hostile('blob-descriptor', async () => {
          const [bytes] = await fetchBlobs(view, 'payload', [0n]);
          expect(bytes!.length).toBe(Number(d.size));
          expect(d.size).toBeLessThan(1n << 30n);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('no case ended in an untyped error', () => {
    expect(stats.untyped, stats.untyped.join('\n')).toEqual([]);
  });
});
