// Lance 12 writes, lancet reads.
//  1. Every committed fixture (test/fixtures/lance12, one per default 2.2 encoding) decodes to its
//     golden JSON.
//  2. Live: fast-check draws batches of random columns shaped to hit the default encodings
//     (bit-packed ints, runs, constants, nulls in runs and scattered, FSST-sized and dictionary
//     strings, large binary, floats, bools); Lance 12 writes each batch as one dataset; lancet
//     decodes every page and must reproduce the values exactly.
import { seededRandom } from '../../src/io/faulty-store.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { peerCreate } from '../../test/helpers/lance-peer.js';
import { LocalStore } from '../../src/io/local-store.js';
import { openLanceFile } from '../../src/format/file/index.js';
import { decodeManifestFile } from '../../src/format/table/manifest-file.js';
import { dataFileOf, readColumns } from '../../test/codecs/helpers/lance-pages.js';
import { rowsOf, type Kind } from '../../test/codecs/helpers/canonical.js';

/** Canonical JSON of one Arrow column (the golden form: int64/timestamp as decimal strings, binary as hex, dates as days). */
function canonicalColumn(v: arrow.Vector): unknown[] {
  const out: unknown[] = [];
  for (const data of v.data) for (let i = 0; i < data.length; i++) out.push(canonicalValue(data, i));
  return out;
}

function canonicalValue(data: arrow.Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const t = data.type;
  const j = data.offset + i;
  if (arrow.DataType.isInt(t)) return t.bitWidth === 64 ? (data.values as BigInt64Array)[j]!.toString() : Number((data.values as Int32Array)[j]);
  if (arrow.DataType.isTimestamp(t)) return (data.values as BigInt64Array)[j]!.toString();
  if (arrow.DataType.isDate(t)) return (data.values as Int32Array)[j];
  if (arrow.DataType.isFloat(t)) return (data.values as Float64Array)[j];
  if (arrow.DataType.isBool(t)) return ((data.values[j >> 3]! >> (j & 7)) & 1) === 1;
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) {
    const o = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = (data.values as Uint8Array).subarray(Number(o[j]), Number(o[j + 1]));
    return arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('hex');
  }
  if (arrow.DataType.isFixedSizeList(t)) {
    const child = data.children[0]!;
    return Array.from({ length: t.listSize }, (_, k) => canonicalValue(child, j * t.listSize + k - child.offset));
  }
  if (arrow.DataType.isStruct(t)) return Object.fromEntries(t.children.map((f, k) => [f.name, canonicalValue(data.children[k]!, j - data.children[k]!.offset)]));
  throw new Error(`no canonical form for ${t}`);
}

/** Opens a dataset's latest manifest and reads its single data file with lancet's file reader. */
async function readDataset(datasetDir: string): Promise<{ batch: arrow.RecordBatch; layouts: string[] }> {
  const store = new LocalStore(datasetDir);
  const manifests = (await store.list('_versions/')).filter((m) => m.path.endsWith('.manifest')).sort((a, b) => a.path.localeCompare(b.path));
  const mpath = manifests[0]!.path; // V2 naming: smallest name = newest version
  const { manifest } = decodeManifestFile(await store.get(mpath), mpath);
  expect(manifest.fragments.length).toBe(1);
  const file = manifest.fragments[0]!.files[0]!;
  const reader = await openLanceFile(store, `data/${file.path}`);
  const columnOf = new Map(file.fields.map((id, k) => [id, file.columnIndices[k]!]));
  const batch = await reader.read(reader.schema.fields, (id) => (columnOf.get(id)! >= 0 ? columnOf.get(id) : undefined));
  const layouts = Array.from({ length: reader.numColumns }, (_, c) => reader.columnInfo(c).pages.map((p) => p.layout.layout.case ?? '')).flat();
  return { batch, layouts };
}

// ---------------------------------------------------------------------------------------------
// Committed fixtures

const FIXTURES = nodePath.resolve(import.meta.dirname, '../../test/fixtures/lance12');

describe('lancet reads every Lance 12 default-encoding fixture', () => {
  const names = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  it('has fixtures', () => expect(names.length).toBeGreaterThanOrEqual(16));
  for (const name of names) {
    const golden = JSON.parse(fs.readFileSync(nodePath.join(FIXTURES, `${name}.json`), 'utf8')) as {
      rows: number;
      columns: Record<string, unknown[]>;
      encodings: Record<string, string[]>;
    };
    it(`${name}: ${Object.values(golden.encodings).flat().join(' ; ')}`, async () => {
      const { batch } = await readDataset(nodePath.join(FIXTURES, `${name}.lance`));
      expect(batch.numRows).toBe(golden.rows);
      const got = Object.fromEntries(Object.keys(golden.columns).map((c) => [c, canonicalColumn(batch.getChild(c)!)]));
      expect(got).toEqual(golden.columns);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Live round trips

type Shape =
  | { t: 'i64'; mode: 'seq' | 'small' | 'wide' | 'const'; nulls: 'none' | 'scattered' | 'runs' }
  | { t: 'i32'; mode: 'runs' | 'small' | 'negative'; nulls: 'none' | 'scattered' | 'runs' }
  | { t: 'f32' | 'f64' | 'bool'; nulls: 'none' | 'scattered' }
  | { t: 'utf8'; mode: 'dict' | 'unique' | 'short'; large: boolean; nulls: 'none' | 'scattered' }
  | { t: 'binary'; maxLen: number; large: boolean };

interface ColumnCase {
  shape: Shape;
  seed: number;
}

const nullsArb = fc.constantFrom<'none' | 'scattered' | 'runs'>('none', 'scattered', 'runs');
const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({ t: fc.constant('i64' as const), mode: fc.constantFrom('seq' as const, 'small' as const, 'wide' as const, 'const' as const), nulls: nullsArb }),
  fc.record({ t: fc.constant('i32' as const), mode: fc.constantFrom('runs' as const, 'small' as const, 'negative' as const), nulls: nullsArb }),
  fc.record({ t: fc.constantFrom('f32' as const, 'f64' as const, 'bool' as const), nulls: fc.constantFrom('none' as const, 'scattered' as const) }),
  fc.record({
    t: fc.constant('utf8' as const),
    mode: fc.constantFrom('dict' as const, 'unique' as const, 'short' as const),
    large: fc.boolean(),
    nulls: fc.constantFrom('none' as const, 'scattered' as const),
  }),
  fc.record({ t: fc.constant('binary' as const), maxLen: fc.constantFrom(30, 500), large: fc.boolean() }),
);
const columnArb: fc.Arbitrary<ColumnCase> = fc.record({ shape: shapeArb, seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) });
const COLUMNS_PER_BATCH = 30;
const batchArb = fc.record({
  rows: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1000, max: 5000 })),
  columns: fc.array(columnArb, { minLength: COLUMNS_PER_BATCH, maxLength: COLUMNS_PER_BATCH }),
});


const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'lance', 'arrow', 'page'];

/** Expands a case into canonical JSON values and the Arrow vector Lance will be given. */
function expand(c: ColumnCase, n: number): { values: unknown[]; vector: arrow.Vector; kind: Kind } {
  const r = seededRandom(c.seed);
  const s = c.shape;
  const nullMode = 'nulls' in s ? s.nulls : 'none';
  const isNull = (i: number): boolean => (nullMode === 'scattered' ? r() < 0.15 : nullMode === 'runs' ? Math.floor(i / 97) % 3 === 1 : false);
  const mask = Array.from({ length: n }, (_, i) => isNull(i));
  switch (s.t) {
    case 'i64': {
      const base = BigInt(Math.floor(r() * 1e9)) - 500000000n;
      const raw = Array.from({ length: n }, (_, i) =>
        s.mode === 'seq' ? base + BigInt(i) : s.mode === 'small' ? BigInt(Math.floor(r() * 5000)) : s.mode === 'const' ? base : BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32))),
      );
      const values = raw.map((v, i) => (mask[i] ? null : v));
      return { values: values.map((v) => (v === null ? null : v.toString())), vector: arrow.vectorFromArray(values, new arrow.Int64()), kind: 'i64' };
    }
    case 'i32': {
      let cur = 0;
      const raw = Array.from({ length: n }, (_, i) => {
        if (s.mode === 'runs') {
          if (i === 0 || r() < 0.02) cur = Math.floor(r() * 2000) - 1000;
          return cur;
        }
        return s.mode === 'small' ? Math.floor(r() * 300) : Math.floor(r() * 2 ** 32) - 2 ** 31;
      });
      const values = raw.map((v, i) => (mask[i] ? null : v));
      return { values, vector: arrow.vectorFromArray(values, new arrow.Int32()), kind: 'i32' };
    }
    case 'f32':
    case 'f64': {
      const values = Array.from({ length: n }, (_, i) => (mask[i] ? null : s.t === 'f32' ? Math.fround(r()) : (r() - 0.5) * 1e9));
      return { values, vector: arrow.vectorFromArray(values, s.t === 'f32' ? new arrow.Float32() : new arrow.Float64()), kind: s.t };
    }
    case 'bool': {
      const values = Array.from({ length: n }, (_, i) => (mask[i] ? null : r() < 0.5));
      return { values, vector: arrow.vectorFromArray(values, new arrow.Bool()), kind: 'bool' };
    }
    case 'utf8': {
      const values = Array.from({ length: n }, (_, i) => {
        if (mask[i]) return null;
        if (s.mode === 'dict') return WORDS[Math.floor(r() * 3)]!;
        if (s.mode === 'short') return WORDS[Math.floor(r() * WORDS.length)]!.slice(0, 1 + Math.floor(r() * 4));
        return `${WORDS[Math.floor(r() * WORDS.length)]}/${WORDS[Math.floor(r() * WORDS.length)]}/${i}/${Math.floor(r() * 1e9)}/é`;
      });
      return { values, vector: arrow.vectorFromArray(values, s.large ? new arrow.LargeUtf8() : new arrow.Utf8()), kind: 'utf8' };
    }
    case 'binary': {
      const bytes = Array.from({ length: n }, () => {
        const b = new Uint8Array(Math.floor(r() * s.maxLen));
        for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
        return b;
      });
      return {
        values: bytes.map((b) => Buffer.from(b).toString('hex')),
        vector: arrow.vectorFromArray(bytes, s.large ? new arrow.LargeBinary() : new arrow.Binary()),
        kind: 'hex',
      };
    }
  }
}

let cases = 0;
const seen = new Set<string>();

async function roundTrip(batch: { rows: number; columns: ColumnCase[] }): Promise<void> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'lancet-live-'));
  try {
    const expanded = batch.columns.map((c) => expand(c, batch.rows));
    const table = new arrow.Table(Object.fromEntries(expanded.map((e, i) => [`c${i}`, e.vector])));
    await peerCreate(dir, 'live', table);
    const where = (i: number): string => `column c${i} ${JSON.stringify(batch.columns[i])} with ${batch.rows} rows`;
    // Codec level first (test walker + dispatcher), so a failure says whether codecs or framing broke.
    const pages = readColumns(dataFileOf(nodePath.join(dir, 'live.lance')));
    for (const col of pages) for (const page of col) for (const part of (page.encoding ?? '').split(' ')) seen.add(part);
    expanded.forEach((e, i) => {
      const got = rowsOf(pages[i]!, e.kind).map((r) => r.value);
      if (JSON.stringify(got) !== JSON.stringify(e.values)) throw new Error(`codec walker: ${where(i)} decoded differently (${pages[i]!.map((p) => p.encoding).join(' | ')})`);
    });
    const { batch: out } = await readDataset(nodePath.join(dir, 'live.lance'));
    expect(out.numCols).toBe(expanded.length);
    expanded.forEach((e, i) => {
      const got = canonicalColumn(out.getChildAt(i)!);
      if (JSON.stringify(got) !== JSON.stringify(e.values)) {
        throw new Error(`file reader: ${where(i)} decoded differently (${pages[i]!.map((p) => p.encoding).join(' | ')})`);
      }
      cases++;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Lance 12 writes random data, lancet decodes it', () => {
  it(
    'fast-check batches of random columns (≥ 200 column cases)',
    async () => {
      // One fixed batch with every shape at 5000 rows first, so each default codec is always exercised.
      const every: ColumnCase[] = [
        ...(['seq', 'small', 'wide', 'const'] as const).flatMap((mode) =>
          (['none', 'scattered', 'runs'] as const).map((nulls) => ({ shape: { t: 'i64' as const, mode, nulls }, seed: 11 })),
        ),
        ...(['runs', 'small', 'negative'] as const).map((mode) => ({ shape: { t: 'i32' as const, mode, nulls: 'runs' as const }, seed: 12 })),
        ...(['f32', 'f64', 'bool'] as const).map((t) => ({ shape: { t, nulls: 'scattered' as const }, seed: 13 })),
        ...(['dict', 'unique', 'short'] as const).flatMap((mode) =>
          [false, true].map((large) => ({ shape: { t: 'utf8' as const, mode, large, nulls: 'scattered' as const }, seed: 14 })),
        ),
        ...[30, 500].map((maxLen) => ({ shape: { t: 'binary' as const, maxLen, large: true }, seed: 15 })),
      ];
      await fc.assert(fc.asyncProperty(batchArb, roundTrip), { numRuns: 8, endOnFailure: true, examples: [[{ rows: 5000, columns: every }]] });
      expect(cases).toBeGreaterThanOrEqual(200);
      for (const codec of [
        'mini-block:inlineBitpacking',
        'mini-block:rle',
        'mini-block:fsst',
        'mini-block:flat',
        'dict:general',
        'def:outOfLineBitpacking',
        'def:rle',
        'full-zip:variable',
        'constant:inline',
      ]) {
        expect(seen, `no page used ${codec}; seen ${[...seen].join(', ')}`).toContain(codec);
      }
    },
    120_000,
  );
});
