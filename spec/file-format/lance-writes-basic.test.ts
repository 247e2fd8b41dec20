// Lance 12 writes, lancet reads: plain files whose pages use only Flat / Variable /
// FixedSizeList / constant layouts (the encodings this module decodes without codecs).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { LocalStore } from '../../src/io/local-store.js';
import { openLanceFile } from '../../src/format/file/index.js';
import { peerCreate } from '../../test/helpers/lance-peer.js';
import { canonicalRows, rng } from './arbitraries.js';

async function lanceWritten(table: arrow.Table, version = '2.2') {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-lw-'));
  await peerCreate(dir, 't', table, { newTableDataStorageVersion: version });
  const store = new LocalStore(nodePath.join(dir, 't.lance'));
  const files = (await store.list('data/')).filter((m) => m.path.endsWith('.lance'));
  expect(files.length).toBe(1);
  const reader = await openLanceFile(store, files[0]!.path);
  return { dir, reader };
}

function vec(values: unknown[], type: arrow.DataType): arrow.Data {
  return arrow.vectorFromArray(values, type).data[0]!;
}

describe('lancet reads plain Lance 12 files', () => {
  for (const version of ['2.1', '2.2']) {
    it(`decodes Flat / Variable / FSL / bool / nullable binary pages (${version})`, async () => {
      const r = rng(11);
      const n = 3000;
      const f64 = Float64Array.from({ length: n }, () => (r() - 0.5) * 1e9);
      const bins = Array.from({ length: n }, () => Uint8Array.from({ length: 5 + Math.floor(r() * 21) }, () => Math.floor(r() * 256)));
      const nbins = bins.map((b, i) => (i % 7 === 3 ? null : b));
      const vecs = Array.from({ length: n }, () => Array.from({ length: 16 }, () => Math.fround(r())));
      const bools = Array.from({ length: n }, () => r() < 0.5);
      const schema = new arrow.Schema([
        new arrow.Field('f', new arrow.Float64(), false),
        new arrow.Field('b', new arrow.Binary(), false),
        new arrow.Field('nb', new arrow.Binary(), true),
        new arrow.Field('v', new arrow.FixedSizeList(16, new arrow.Field('item', new arrow.Float32(), true)), false),
        new arrow.Field('t', new arrow.Bool(), false),
        new arrow.Field('k', new arrow.Int64(), false),
        new arrow.Field('z', new arrow.Int32(), true),
        new arrow.Field('st', new arrow.Struct([new arrow.Field('x', new arrow.Float64(), true)]), false),
      ]);
      const children = [
        arrow.makeData({ type: new arrow.Float64(), length: n, data: f64 }),
        vec(bins, new arrow.Binary()),
        vec(nbins, new arrow.Binary()),
        vec(vecs, schema.fields[3]!.type),
        vec(bools, new arrow.Bool()),
        // constant: 2.2 stores it as ConstantLayout.inline_value
        arrow.makeData({ type: new arrow.Int64(), length: n, data: new BigInt64Array(n).fill(-42n) }),
        // all null: ConstantLayout without buffers
        arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3), data: new Int32Array(n) }),
        arrow.makeData({
          type: schema.fields[7]!.type as arrow.Struct,
          length: n,
          nullCount: 0,
          children: [arrow.makeData({ type: new arrow.Float64(), length: n, data: Float64Array.from(f64, (x) => x / 3) })],
        }),
      ];
      const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }));
      const { dir, reader } = await lanceWritten(new arrow.Table([batch]), version);
      try {
        expect(reader.numRows).toBe(n);
        expect(reader.version).toEqual({ major: 2, minor: version === '2.1' ? 1 : 2 });
        const layouts = Array.from({ length: reader.numColumns }, (_, i) => reader.columnInfo(i).pages.map((p) => p.layout.layout.case));
        expect(layouts.flat()).toContain('constantLayout');
        const names = schema.fields.map((f) => f.name);
        // Column order = pre-order column owners; the struct owns none, its child x does.
        const owners = [0, 1, 2, 3, 4, 5, 6, 8];
        const byName = new Map(owners.map((id, i) => [id, i]));
        const full = await reader.read(reader.schema.fields, (id) => byName.get(id));
        expect(canonicalRows([full], names)).toEqual(canonicalRows([batch], names));
        const part = await reader.read(reader.schema.fields, (id) => byName.get(id), { ranges: [[5, 9], [2000, 2600]] });
        const want = canonicalRows([batch], names);
        expect(canonicalRows([part], names)).toEqual([...want.slice(5, 9), ...want.slice(2000, 2600)]);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
