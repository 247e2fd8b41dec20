// A write that fails, or whose commit definitely does not land, removes every data file and blob
// sidecar it wrote; committed data is untouched.
import { expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, blobField } from '../../src/index.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 1000 })]);

it('a failed multi-file blob append leaves no data files or sidecars', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-failwrite-'));
  const db = await connect(root);
  const t = await db.createTable('t', [{ id: 0, img: new Uint8Array(5000) }], { schema });
  const dataDir = join(root, 't.lance', 'data');
  const before = filesUnder(dataDir).sort();
  // Three one-row data files (maxRowsPerFile 1) with packed and dedicated sidecars, then the source breaks.
  const blobType = schema.fields[1]!.type;
  let seenMidway = 0;
  async function* failing() {
    for (let i = 1; i <= 3; i++) {
      const img = arrow.vectorFromArray([{ data: new Uint8Array(i % 2 ? 5000 : 500), uri: null }], blobType);
      yield new arrow.RecordBatch({ id: arrow.makeVector(Int32Array.from([i])).data[0]!, img: img.data[0]! });
    }
    seenMidway = filesUnder(dataDir).length;
    throw new Error('source broke');
  }
  const err = await t.add(failing(), { maxRowsPerFile: 1 } as never).catch((e) => e);
  expect(err.message).toBe('source broke');
  expect(seenMidway).toBeGreaterThan(before.length + 2); // files and sidecars existed before the failure
  expect(filesUnder(dataDir).sort()).toEqual(before);
  expect(await t.countRows()).toBe(1);
});

it('a create that loses to an existing table removes what it wrote', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-failcommit-'));
  const db = await connect(root);
  await db.createTable('t', [{ id: 0, img: new Uint8Array(5000) }], { schema });
  const dataDir = join(root, 't.lance', 'data');
  const before = filesUnder(dataDir).sort();
  const err = await db.createTable('t', [{ id: 1, img: new Uint8Array(5000) }], { schema }).catch((e) => e);
  expect(err.code).toBe('TABLE_EXISTS');
  expect(filesUnder(dataDir).sort()).toEqual(before);
});
