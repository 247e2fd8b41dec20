// Property: whatever lancet writes, lancet reads back identically — full scans, row ranges and
// projections, over random schemas (all supported types, nested structs, nulls), page sizes
// and both file versions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { MemoryStore } from '../../src/io/memory-store.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { createFileWriter, openLanceFile, type FileVersion } from '../../src/format/file/index.js';
import { canonicalRows, makeBatch, rng, schemaArb } from './arbitraries.js';

const caseArb = fc.record({
  schema: schemaArb({}),
  rows: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 }),
  seed: fc.integer(),
  version: fc.constantFrom<FileVersion>('2.1', '2.2'),
  pageSize: fc.constantFrom(1, 200, 4096, 8 << 20),
  huge: fc.boolean(),
  cuts: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 6 }),
  projection: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});

function rangesFrom(cuts: number[], total: number): Array<[number, number]> {
  const pts = [...new Set(cuts.map((c) => c % (total + 1)))].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < pts.length; i += 2) out.push([pts[i]!, pts[i + 1]!]);
  return out;
}

describe('lancet file round trip', () => {
  it('reads back what it wrote (full, ranges, projections)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = rng(c.seed);
        const schema = lanceSchemaFromArrow(c.schema);
        const batches = c.rows.map((n) => makeBatch(r, c.schema, n, { huge: c.huge && r() < 0.3 }));
        const store = new MemoryStore();
        const w = await createFileWriter(store, 'x.lance', schema, { version: c.version, pageSizeBytes: c.pageSize });
        for (const b of batches) await w.write(b);
        const res = await w.finish();
        const total = c.rows.reduce((a, b) => a + b, 0);
        expect(res.numRows).toBe(total);
        expect(res.fileSize).toBe((await store.head('x.lance')).size);
        const reader = await openLanceFile(store, 'x.lance');
        expect(reader.numRows).toBe(total);
        expect(reader.version).toEqual({ major: 2, minor: c.version === '2.1' ? 1 : 2 });
        const colOf = new Map(res.fieldIds.map((id, i) => [id, res.columnIndices[i]!]));
        const names = c.schema.fields.map((f) => f.name);
        const expected = canonicalRows(batches, names);

        const full = await reader.read(reader.schema.fields, (id) => colOf.get(id));
        expect(full.numRows).toBe(total);
        expect(canonicalRows([full], names)).toEqual(expected);

        const chosen = schema.fields.filter((_, i) => c.projection[i]);
        const picked = chosen.length ? chosen : [schema.fields[0]!];
        const ranges = rangesFrom(c.cuts, total);
        const part = await reader.read(picked, (id) => colOf.get(id), { ranges });
        const pickedNames = picked.map((f) => f.name);
        const want = ranges.flatMap(([a, b]) => expected.slice(a, b)).map((row) => pickedNames.map((n) => row[names.indexOf(n)]));
        expect(canonicalRows([part], pickedNames)).toEqual(want);
      }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('keeps pages within the configured size and splits batches across pages', async () => {
    const sch = new arrow.Schema([new arrow.Field('v', new arrow.Int64(), false)]);
    const batch = makeBatch(rng(7), sch, 10_000, {});
    const store = new MemoryStore();
    const w = await createFileWriter(store, 'p.lance', lanceSchemaFromArrow(sch), { pageSizeBytes: 16 * 1024 });
    await w.write(batch);
    await w.finish();
    const r = await openLanceFile(store, 'p.lance');
    const pages = r.columnInfo(0).pages;
    expect(pages.length).toBe(Math.ceil((10_000 * 8) / (16 * 1024)));
    for (const p of pages) expect(p.length * 8).toBeLessThanOrEqual(16 * 1024);
    expect(pages.map((p) => p.priority)).toEqual(pages.map((p) => p.firstRow));
  });

  it('reads only the chunks a row range needs', async () => {
    const sch = new arrow.Schema([new arrow.Field('v', new arrow.Float64(), false), new arrow.Field('s', new arrow.Utf8(), true)]);
    const batch = makeBatch(rng(3), sch, 20_000, {});
    const store = new MemoryStore();
    const w = await createFileWriter(store, 'r.lance', lanceSchemaFromArrow(sch));
    await w.write(batch);
    const res = await w.finish();
    const r = await openLanceFile(store, 'r.lance');
    const before = store.counters.bytesRead;
    const out = await r.read([r.schema.fields[0]!], (id) => res.columnIndices[res.fieldIds.indexOf(id)], { ranges: [[10_000, 10_010]] });
    const read = store.counters.bytesRead - before;
    expect(out.numRows).toBe(10);
    // One 1024-value chunk (8 KiB) plus the chunk table, not the 160 KB column.
    expect(read).toBeLessThan(9 * 1024);
  });
});
