// Blob v1 (`lance-encoding:blob`) columns are refused with a message that says what to do, on write
// and when a 2.2 dataset carrying one is opened; Blob V2 needs file version 2.2.
import { expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { connect, blobField, openDataset, InvalidInputError, LanceFormatError } from '../../src/index.js';
import { MemoryStore } from '../../src/io/index.js';
import { ManifestSchema } from '../../src/format/proto/table_pb.js';
import { encodeManifestFile, manifestNameV2 } from '../../src/format/table/manifest-file.js';
import { toPbFields } from '../../src/format/schema.js';

it('refuses legacy blob columns on write, naming the fix', async () => {
  const db = await connect(mkdtempSync(join(tmpdir(), 'lancet-legacy-')));
  const legacy = new arrow.Schema([new arrow.Field('b', new arrow.LargeBinary(), true, new Map([['lance-encoding:blob', 'true']]))]);
  const err = await db.createTable('a', [{ b: new Uint8Array(3) }], { schema: legacy }).catch((e) => e);
  expect(err).toBeInstanceOf(InvalidInputError);
  expect(err.code).toBe('LEGACY_BLOB_COLUMN');
  expect(err.message).toMatch(/Blob V2/);
  const v21 = await db.createTable('c', [{ img: new Uint8Array(3) }], { schema: new arrow.Schema([blobField('img')]), fileVersion: '2.1' }).catch((e) => e);
  expect(v21.code).toBe('BAD_VERSION');
  expect(await db.tableNames()).toEqual([]);
});

it('opens a 2.2 dataset whose manifest has a legacy blob column (its pages read as in 2.1)', async () => {
  const store = new MemoryStore();
  const fields = toPbFields([{ id: 0, name: 'b', logicalType: 'large_binary', nullable: true, metadata: { 'lance-encoding:blob': 'true' }, children: [] }]);
  const m = create(ManifestSchema, { fields, version: 1n, dataFormat: { fileFormat: 'lance', version: '2.2' } });
  await store.put(`_versions/${manifestNameV2(1)}`, encodeManifestFile(m));
  const ds = await openDataset('memory://legacy', { store });
  expect(ds.schema.fields.map((f) => f.name)).toEqual(['b']);
});
