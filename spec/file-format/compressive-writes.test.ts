// The writer's compressive encodings (bit-packing, RLE, FSST, dictionary, general compression,
// compressed definition levels): random columns shaped to trigger each choice, written by lancet,
// read back by lancet (many runs) and by Lance 12 (fewer runs: each one is a peer scan).
// A third check asserts the encoding each shape gets, so a silent fall back to plain pages fails.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { MemoryStore } from '../../src/io/memory-store.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { createFileWriter, openLanceFile, type FileVersion } from '../../src/format/file/index.js';
import type { PageLayout } from '../../src/format/proto/encodings_v2_1_pb.js';
import { peerScan } from '../../test/helpers/lance-peer.js';
import { writePeerDataset } from '../../test/file-format/peer-dataset.js';
import { canonicalRows, rng } from './arbitraries.js';

type ColType = 'i8' | 'i16' | 'i32' | 'i64' | 'u64' | 'ts' | 'f64' | 'utf8';
type Style = 'seq' | 'small' | 'runs' | 'const' | 'random' | 'negative';

interface ColSpec {
  type: ColType;
  style: Style;
  nulls: 'none' | 'random' | 'blocks';
  /** Distinct strings for utf8 (1 = constant). */
  cardinality: number;
  metadata: Record<string, string>;
}

const metadataArb = fc.constantFrom<Record<string, string>>(
  {},
  {},
  {},
  { 'lance-encoding:compression': 'lz4' },
  { 'lance-encoding:compression': 'zstd' },
  { 'lance-encoding:compression': 'none' },
  { 'lance-encoding:compression': 'fsst' },
  { 'lance-encoding:rle-threshold': '0.9' },
  { 'lance-encoding:dict-size-ratio': '0.2' },
);

const colArb: fc.Arbitrary<ColSpec> = fc.record({
  type: fc.constantFrom<ColType>('i8', 'i16', 'i32', 'i64', 'u64', 'ts', 'f64', 'utf8'),
  style: fc.constantFrom<Style>('seq', 'small', 'runs', 'const', 'random', 'negative'),
  nulls: fc.constantFrom<ColSpec['nulls']>('none', 'random', 'blocks'),
  cardinality: fc.constantFrom(1, 3, 24, 400, 5000),
  metadata: metadataArb,
});

const caseArb = fc.record({
  cols: fc.array(colArb, { minLength: 1, maxLength: 3 }),
  rows: fc.integer({ min: 1, max: 5000 }),
  seed: fc.integer(),
  version: fc.constantFrom<FileVersion>('2.1', '2.2'),
  pageSize: fc.constantFrom(4096, 64 << 10, 8 << 20),
});

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'ünï', '日本'];

function arrowType(t: ColType): arrow.DataType {
  switch (t) {
    case 'i8':
      return new arrow.Int8();
    case 'i16':
      return new arrow.Int16();
    case 'i32':
      return new arrow.Int32();
    case 'i64':
      return new arrow.Int64();
    case 'u64':
      return new arrow.Uint64();
    case 'ts':
      return new arrow.TimestampMicrosecond();
    case 'f64':
      return new arrow.Float64();
    case 'utf8':
      return new arrow.Utf8();
  }
}

/** The integer behind row i for a style, kept within `bits` (signed). */
function intOf(style: Style, i: number, r: () => number, bits: number, prev: number): number {
  const max = 2 ** (bits - 1) - 1;
  switch (style) {
    case 'seq':
      return i % max;
    case 'small':
      return Math.floor(r() * 100);
    case 'runs':
      return r() < 0.05 ? Math.floor(r() * 50) : prev;
    case 'const':
      return 7;
    case 'random':
      return Math.floor(r() * max);
    case 'negative':
      return -Math.floor(r() * 1000);
  }
}

function validityOf(spec: ColSpec, n: number, r: () => number): Uint8Array | undefined {
  if (spec.nulls === 'none') return undefined;
  const v = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const valid = spec.nulls === 'random' ? r() >= 0.3 : Math.floor(i / 1500) % 2 === 0 || r() >= 0.5;
    if (valid) v[i >> 3]! |= 1 << (i & 7);
  }
  return v;
}

function makeColumn(spec: ColSpec, n: number, r: () => number): arrow.Data {
  const type = arrowType(spec.type);
  const nullBitmap = validityOf(spec, n, r);
  if (spec.type === 'utf8') {
    const vocab = Array.from({ length: spec.cardinality }, (_, k) => {
      const words = 1 + (k % 4);
      return Array.from({ length: words }, (_, j) => WORDS[(k * 7 + j * 3) % WORDS.length]).join(' ') + (k >= WORDS.length ? ` #${k}` : '');
    });
    const enc = new TextEncoder();
    const parts: Uint8Array[] = [];
    const offsets = new Int32Array(n + 1);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const k =
        spec.style === 'runs' ? (r() < 0.05 ? Math.floor(r() * vocab.length) : prev) : spec.style === 'const' ? 0 : spec.style === 'seq' ? i % vocab.length : Math.floor(r() ** 2 * vocab.length);
      prev = k;
      const b = enc.encode(vocab[k]!);
      parts.push(b);
      offsets[i + 1] = offsets[i]! + b.length;
    }
    const data = new Uint8Array(offsets[n]!);
    parts.forEach((p, i) => data.set(p, offsets[i]!));
    return arrow.makeData({ type: type as arrow.Utf8, length: n, valueOffsets: offsets, data, ...(nullBitmap ? { nullBitmap } : {}) });
  }
  if (spec.type === 'f64') {
    const d = new Float64Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) d[i] = prev = spec.style === 'random' ? r() * 1e6 : intOf(spec.style, i, r, 53, prev) / 4;
    return arrow.makeData({ type: type as arrow.Float64, length: n, data: d, ...(nullBitmap ? { nullBitmap } : {}) });
  }
  const bits = spec.type === 'i8' ? 8 : spec.type === 'i16' ? 16 : spec.type === 'i32' ? 32 : 64;
  const base = spec.type === 'ts' ? 1_700_000_000_000_000 : 0;
  let prev = 0;
  const ints = Array.from({ length: n }, (_, i) => (prev = intOf(spec.style, i, r, Math.min(bits, 48), prev)));
  if (bits === 64) {
    const d = spec.type === 'u64' ? BigUint64Array.from(ints, (x) => BigInt.asUintN(64, BigInt(x))) : BigInt64Array.from(ints, (x) => BigInt(x + base));
    return arrow.makeData({ type: type as arrow.Int64, length: n, data: d as BigInt64Array, ...(nullBitmap ? { nullBitmap } : {}) });
  }
  const d = bits === 8 ? Int8Array.from(ints) : bits === 16 ? Int16Array.from(ints) : Int32Array.from(ints);
  return arrow.makeData({ type: type as arrow.Int32, length: n, data: d as Int32Array, ...(nullBitmap ? { nullBitmap } : {}) });
}

function makeBatch(cols: ColSpec[], n: number, seed: number): arrow.RecordBatch {
  const r = rng(seed);
  const fields = cols.map((c, k) => new arrow.Field(`c${k}`, arrowType(c.type), true, new Map(Object.entries(c.metadata))));
  const children = cols.map((c) => makeColumn(c, n, r));
  const schema = new arrow.Schema(fields);
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, children }));
}

async function lancetReadBack(batch: arrow.RecordBatch, version: FileVersion, pageSize: number): Promise<{ rows: unknown[][]; layouts: string[] }> {
  const schema = lanceSchemaFromArrow(batch.schema);
  const store = new MemoryStore();
  const w = await createFileWriter(store, 'x.lance', schema, { version, pageSizeBytes: pageSize });
  await w.write(batch);
  const res = await w.finish();
  const reader = await openLanceFile(store, 'x.lance');
  const colOf = new Map(res.fieldIds.map((id, i) => [id, res.columnIndices[i]!]));
  const got = await reader.read(reader.schema.fields, (id) => colOf.get(id));
  return { rows: canonicalRows([got], batch.schema.fields.map((f) => f.name)), layouts: [] };
}

/** One fixed column per encoding the writer should pick, with the value compression expected. */
const SHAPES: Array<{ spec: ColSpec; rows: number; expect: (l: MiniBlock, version: FileVersion) => void }> = [
  { spec: col('i64', 'seq'), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('inlineBitpacking') },
  { spec: col('i32', 'small'), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('inlineBitpacking') },
  { spec: col('ts', 'seq'), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('inlineBitpacking') },
  { spec: col('i32', 'runs'), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('rle') },
  { spec: col('i64', 'const'), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('rle') },
  {
    spec: col('utf8', 'random', { cardinality: 24 }),
    rows: 5000,
    expect: (l) => {
      expect(l.dictionary?.compression.case).toBe('variable');
      expect(l.valueCompression?.compression.case).toBe('inlineBitpacking');
    },
  },
  { spec: col('utf8', 'seq', { cardinality: 5000 }), rows: 5000, expect: (l) => expect(l.valueCompression?.compression.case).toBe('fsst') },
  {
    spec: col('i64', 'random', { nulls: 'random' }),
    rows: 5000,
    expect: (l) => expect(l.defCompression?.compression.case).toBe('outOfLineBitpacking'),
  },
  {
    spec: col('i64', 'seq', { nulls: 'blocks' }),
    rows: 40_000,
    // Lance general-compresses large level blocks with zero-width stretches only from 2.2 on.
    expect: (l, v) => expect(l.defCompression?.compression.case).toBe(v === '2.2' ? 'general' : 'flat'),
  },
  {
    spec: col('f64', 'random', { metadata: { 'lance-encoding:compression': 'lz4' } }),
    rows: 5000,
    expect: (l) => expect(l.valueCompression?.compression.case).toBe('general'),
  },
  {
    spec: col('utf8', 'seq', { cardinality: 5000, metadata: { 'lance-encoding:compression': 'zstd' } }),
    rows: 5000,
    expect: (l) => {
      const c = l.valueCompression?.compression;
      expect(c?.case).toBe('general');
      // No zstd compressor is registered by default, so the writer falls back to LZ4 (Lance reads both).
      if (c?.case === 'general') expect(c.value.values?.compression.case).toBe('fsst');
    },
  },
  {
    spec: col('i64', 'seq', { metadata: { 'lance-encoding:compression': 'none' } }),
    rows: 5000,
    expect: (l) => expect(l.valueCompression?.compression.case).toBe('flat'),
  },
  {
    spec: col('i32', 'small', { metadata: { 'lance-encoding:rle-threshold': '1' } }),
    rows: 5000,
    expect: (l) => expect(l.valueCompression?.compression.case).toBe('rle'),
  },
];

type MiniBlock = Extract<PageLayout['layout'], { case: 'miniBlockLayout' }>['value'];

function col(type: ColType, style: Style, extra: Partial<ColSpec> = {}): ColSpec {
  return { type, style, nulls: 'none', cardinality: 24, metadata: {}, ...extra };
}

describe('compressive encodings on write', () => {
  it('picks the encoding Lance 12 would for each shape, and Lance 12 reads them all', async () => {
    for (const version of ['2.1', '2.2'] as const) {
      const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-compressive-'));
      try {
        for (const [k, shape] of SHAPES.entries()) {
          const batch = makeBatch([shape.spec], shape.rows, 1000 + k);
          const schema = lanceSchemaFromArrow(batch.schema);
          const store = new MemoryStore();
          const w = await createFileWriter(store, 'x.lance', schema, { version });
          await w.write(batch);
          await w.finish();
          const reader = await openLanceFile(store, 'x.lance');
          const layout = reader.columnInfo(0).pages[0]!.layout.layout;
          expect(layout.case, `shape ${k}`).toBe('miniBlockLayout');
          if (layout.case === 'miniBlockLayout') shape.expect(layout.value, version);
          if (shape.spec.type === 'i64' && shape.spec.style === 'seq' && shape.spec.nulls === 'none' && !shape.spec.metadata['lance-encoding:compression']) {
            // 5000 ids need 13 bits each: well under the 8 bytes a plain page spends.
            expect(reader.fileSize).toBeLessThan(5000 * 3);
          }
          const root = nodePath.join(dir, `s${k}.lance`);
          await writePeerDataset(root, schema, (pw) => pw.write(batch), { version });
          const got = await peerScan(root);
          expect(canonicalRows(got.batches, ['c0']), `shape ${k} (${version}) read by Lance 12`).toEqual(canonicalRows([batch], ['c0']));
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);

  it('lancet reads back what the compressive writer wrote', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const batch = makeBatch(c.cols, c.rows, c.seed);
        const names = batch.schema.fields.map((f) => f.name);
        const { rows } = await lancetReadBack(batch, c.version, c.pageSize);
        expect(rows).toEqual(canonicalRows([batch], names));
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('Lance 12 reads what the compressive writer wrote', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const batch = makeBatch(c.cols, c.rows, c.seed);
        const names = batch.schema.fields.map((f) => f.name);
        const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-compressive-'));
        const root = nodePath.join(dir, 't.lance');
        try {
          await writePeerDataset(root, lanceSchemaFromArrow(batch.schema), (w) => w.write(batch), { version: c.version, pageSizeBytes: c.pageSize });
          const got = await peerScan(root);
          expect(canonicalRows(got.batches, names)).toEqual(canonicalRows([batch], names));
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
