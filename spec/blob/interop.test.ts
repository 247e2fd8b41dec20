// Blob V2 interop with real Lance 12 (lancedb 0.39.0), both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { connect } from '../../src/dataset/connection.js';
import { openDataset } from '../../src/dataset/dataset.js';
import '../../src/dataset/blob/table-blobs.js';
import { fetchDatasetBlobs } from '../../src/dataset/blob/dataset-blobs.js';
import { blobField, blobLogicalType, layoutForSize, resolveBlobThresholds, BlobKind, type BlobFieldOptions } from '../../src/format/blob/index.js';
import { lancedb, peerArrow, peerCreate, peerOpen, peerScan } from '../../test/helpers/lance-peer.js';
import { payload, sameBytes } from '../../test/blob/writer-helpers.js';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'blob-interop-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

interface BlobCol {
  name: string;
  opts: BlobFieldOptions;
  values: (Uint8Array | null)[];
}

let seq = 0;
const fresh = (p: string) => `${p}${seq++}`;

function ourSchema(cols: BlobCol[]): arrow.Schema {
  return new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), ...cols.map((c) => blobField(c.name, c.opts))]);
}

function rows(cols: BlobCol[]): Record<string, unknown>[] {
  const n = cols[0]!.values.length;
  return Array.from({ length: n }, (_, i) => Object.fromEntries([['id', i], ...cols.map((c) => [c.name, c.values[i]])]));
}

/** The same input as an Arrow table of logical structs, for Lance (field metadata travels via IPC). */
function arrowInput(cols: BlobCol[]): arrow.Table {
  const n = cols[0]!.values.length;
  const schema = ourSchema(cols);
  const children = [
    arrow.vectorFromArray(Int32Array.from({ length: n }, (_, i) => i)).data[0]!,
    ...cols.map((c) => arrow.vectorFromArray(c.values.map((v) => (v === null ? null : { data: v, uri: null })), blobLogicalType()).data[0]!),
  ];
  return new arrow.Table(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children })));
}

function peerSchema(cols: BlobCol[]) {
  return new peerArrow.Schema([new peerArrow.Field('id', new peerArrow.Int32(), false), ...cols.map((c) => lancedb.blob(c.name, c.opts))]);
}

async function lancetWrite(cols: BlobCol[]): Promise<string> {
  const name = fresh('ours');
  const db = await connect(root);
  await db.createTable(name, rows(cols), { schema: ourSchema(cols) });
  return nodePath.join(root, `${name}.lance`);
}

async function lanceWrite(cols: BlobCol[]): Promise<string> {
  const name = fresh('peer');
  await peerCreate(root, name, arrowInput(cols), {}, peerSchema(cols));
  return nodePath.join(root, `${name}.lance`);
}

type Desc = { kind: number; position: bigint; size: bigint; blob_id: number; blob_uri: string } | null;

async function descriptors(path: string, column: string): Promise<Desc[]> {
  const t = await peerScan(path, { columns: ['id', column] });
  const ids = t.getChild('id')!.toArray() as Int32Array;
  const col = t.getChild(column)!;
  const out: Desc[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r = col.get(i) as Record<string, unknown> | null;
    out[ids[i]!] = r === null ? null : { kind: Number(r['kind']), position: BigInt(r['position'] as bigint), size: BigInt(r['size'] as bigint), blob_id: Number(r['blob_id']), blob_uri: String(r['blob_uri']) };
  }
  return out;
}

async function peerFetch(path: string, column: string, n: number): Promise<(Uint8Array | null)[]> {
  const t = await peerOpen(path);
  return t.fetchBlobs(column, Array.from({ length: n }, (_, i) => i));
}

function sameSidecarLayout(ours: Desc[], theirs: Desc[]): void {
  expect(ours.map((d) => d?.kind ?? null)).toEqual(theirs.map((d) => d?.kind ?? null));
  // Sidecar kinds: same ids, same offsets inside packs (roll-over decisions identical).
  const side = (ds: Desc[]) => ds.map((d) => (d && d.kind !== BlobKind.Inline ? [d.blob_id, d.position, d.size] : d && [d.size]));
  expect(side(ours)).toEqual(side(theirs));
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** Sizes straddling each threshold of one column. */
function edgeArb(opts: BlobFieldOptions): fc.Arbitrary<number | null> {
  const t = resolveBlobThresholds(
    Object.fromEntries(
      Object.entries({
        'lance-encoding:blob-inline-size-threshold': opts.inlineSizeThreshold,
        'lance-encoding:blob-dedicated-size-threshold': opts.dedicatedSizeThreshold,
        'lance-encoding:blob-pack-file-size-threshold': opts.packFileSizeThreshold,
      })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ),
  );
  const edges = [0, 1, t.inline - 1, t.inline, t.inline + 1, t.dedicated - 1, t.dedicated, t.dedicated + 1].filter((s) => s >= 0);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 6, arbitrary: fc.constantFrom(...edges) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: t.dedicated + 2 * (t.inline + 1) }) });
}

const smallThresholds: BlobFieldOptions[] = [
  { inlineSizeThreshold: 100, dedicatedSizeThreshold: 2000, packFileSizeThreshold: 5000 },
  { inlineSizeThreshold: 0, dedicatedSizeThreshold: 1000, packFileSizeThreshold: 1500 },
  { inlineSizeThreshold: 1000, dedicatedSizeThreshold: 10_000 },
  { inlineSizeThreshold: 500, dedicatedSizeThreshold: 400, packFileSizeThreshold: 100 },
];

describe('lancet writes, Lance 12 reads', () => {
  it('default thresholds: sizes straddling 64 KiB and 4 MiB, null, empty — same kinds and sidecars as Lance', async () => {
    const sizes = [0, 1, 64 * KiB, 64 * KiB + 1, 4 * MiB, 4 * MiB + 1, null, 64 * KiB - 1, 2 * MiB];
    const cols: BlobCol[] = [{ name: 'payload', opts: {}, values: sizes.map((s, i) => (s === null ? null : payload(s, i + 1))) }];
    const ours = await lancetWrite(cols);
    const theirs = await lanceWrite(cols);
    const od = await descriptors(ours, 'payload');
    sameSidecarLayout(od, await descriptors(theirs, 'payload'));
    expect(od.map((d) => d?.kind ?? null)).toEqual([0, 0, 0, 1, 1, 2, null, 0, 1]);
    const got = await peerFetch(ours, 'payload', sizes.length);
    cols[0]!.values.forEach((v, i) => (v === null ? expect(got[i]).toBeNull() : expect(sameBytes(got[i], v)).toBe(true)));
  });

  it('property: custom thresholds, pack roll-over, nulls, empties, one or two blob columns', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: smallThresholds.length - 1 }),
        fc.integer({ min: 0, max: smallThresholds.length - 1 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 14 }),
        async (ta, tb, two, n) => {
          const optsA = smallThresholds[ta]!;
          const optsB = smallThresholds[tb]!;
          const sample = (o: BlobFieldOptions, seed: number) => fc.sample(edgeArb(o), { numRuns: n, seed });
          const a = sample(optsA, ta * 1000 + n);
          const cols: BlobCol[] = [{ name: 'a', opts: optsA, values: a.map((s, i) => (s === null ? null : payload(s, i + 11))) }];
          if (two) cols.push({ name: 'b', opts: optsB, values: sample(optsB, tb * 77 + n).map((s, i) => (s === null ? null : payload(s, i + 99))) });
          const ours = await lancetWrite(cols);
          const theirs = await lanceWrite(cols);
          for (const c of cols) {
            const od = await descriptors(ours, c.name);
            const td = await descriptors(theirs, c.name);
            expect(od.map((d) => d?.kind ?? null)).toEqual(td.map((d) => d?.kind ?? null));
            sameSidecarLayout(od, td);
            const got = await peerFetch(ours, c.name, n);
            c.values.forEach((v, i) => (v === null ? expect(got[i]).toBeNull() : expect(sameBytes(got[i], v)).toBe(true)));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('external blobs (kind 3, absolute URI) written by lancet are read by Lance 12', async () => {
    const ext = nodePath.join(root, 'external');
    await fs.mkdir(ext, { recursive: true });
    const files = [payload(5000, 1), payload(100, 2), payload(0, 3)];
    await Promise.all(files.map((b, i) => fs.writeFile(nodePath.join(ext, `f${i}.bin`), b)));
    const name = fresh('ext');
    const db = await connect(root);
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload')]);
    await db.createTable(
      name,
      [
        { id: 0, payload: nodePath.join(ext, 'f0.bin') },
        { id: 1, payload: new URL(`file://${ext}/f1.bin`) },
        { id: 2, payload: { uri: `file://${ext}/f0.bin`, position: 10, size: 20 } },
        { id: 3, payload: null },
      ],
      { schema, blob: { allowExternalOutsideBases: true } } as never,
    );
    const path = nodePath.join(root, `${name}.lance`);
    const d = await descriptors(path, 'payload');
    expect(d.map((x) => x?.kind ?? null)).toEqual([3, 3, 3, null]);
    expect(d[0]!.blob_id).toBe(0);
    const got = await peerFetch(path, 'payload', 4);
    expect(sameBytes(got[0], files[0])).toBe(true);
    expect(sameBytes(got[1], files[1])).toBe(true);
    expect(sameBytes(got[2], files[0]!.subarray(10, 30))).toBe(true);
    expect(got[3]).toBeNull();
    // And lancet reads them back the same way.
    const mine = await fetchDatasetBlobs(await openDataset(path, { externalBlobRoots: [ext] }), 'payload', [0n, 1n, 2n, 3n]);
    expect(mine.map((m, i) => sameBytes(m, got[i]))).toEqual([true, true, true, true]);
    // Outside registered bases without the opt-in: refused, nothing committed.
    await expect(db.createTable(fresh('ext'), [{ id: 0, payload: nodePath.join(ext, 'f0.bin') }], { schema })).rejects.toMatchObject({ code: 'UNSAFE_BLOB_URI' });
  });
});

describe('Lance 12 writes, lancet reads', () => {
  it('property: identical bytes for every kind, custom thresholds, two columns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: smallThresholds.length - 1 }), fc.integer({ min: 1, max: 14 }), fc.integer(), async (ti, n, seed) => {
        const opts = smallThresholds[ti]!;
        const sizes = fc.sample(edgeArb(opts), { numRuns: n, seed });
        const cols: BlobCol[] = [
          { name: 'a', opts, values: sizes.map((s, i) => (s === null ? null : payload(s, i + seed))) },
          { name: 'b', opts: {}, values: sizes.map((s, i) => (s === null ? new Uint8Array() : payload(s * 3, i))) },
        ];
        const path = await lanceWrite(cols);
        const ds = await openDataset(path);
        const addrs = Array.from({ length: n }, (_, i) => BigInt(i));
        const req = [...addrs, ...addrs.slice(0, 2)].reverse();
        for (const c of cols) {
          const got = await fetchDatasetBlobs(ds, c.name, req);
          req.forEach((a, k) => {
            const want = c.values[Number(a)]!;
            if (want === null) expect(got[k]).toBeNull();
            else expect(sameBytes(got[k], want)).toBe(true);
          });
        }
      }),
      { numRuns: 25 },
    );
  });

  it('default thresholds incl. a dedicated blob', async () => {
    const sizes = [65536, 65537, 4 * MiB + 1, 0];
    const cols: BlobCol[] = [{ name: 'payload', opts: {}, values: sizes.map((s, i) => payload(s, i)) }];
    const path = await lanceWrite(cols);
    const tbl = await (await connect(root)).openTable(nodePath.basename(path, '.lance'));
    const got = await tbl.fetchBlobs('payload', [3, 2, 1, 0]);
    expect([3, 2, 1, 0].map((i, k) => sameBytes(got[k], cols[0]!.values[i]))).toEqual([true, true, true, true]);
    const files = await tbl.fetchBlobFiles('payload', [2]);
    expect(files[0]!.size).toBe(4 * MiB + 1);
    expect(sameBytes(await files[0]!.readRange(100, 200), cols[0]!.values[2]!.subarray(100, 200))).toBe(true);
    expect(layoutForSize(files[0]!.size, resolveBlobThresholds(undefined))).toBe('dedicated');
  });
});
