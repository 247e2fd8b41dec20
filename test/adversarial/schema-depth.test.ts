// Deeply nested schemas: every recursive walk over fields is protected by one nesting limit
// checked where a schema enters lancet (manifest, data file, user-supplied Arrow schema).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { connect } from '../../src/dataset/index.js';
import { arrowSchemaOf, fromPbFields, lanceSchemaFromArrow, MAX_SCHEMA_DEPTH } from '../../src/format/schema.js';
import { FieldSchema, Field_Type } from '../../src/format/proto/file_pb.js';
import { deepPbChain } from './hostile-bytes.js';
import { decodeManifestFile, encodeManifestFile } from '../../src/format/table/manifest-file.js';
import { InvalidInputError, LanceFormatError } from '../../src/errors.js';
import { cli } from '../cli/helpers.js';

/** An Arrow schema of one column nested `depth` structs deep. */
function deepArrowSchema(depth: number): arrow.Schema {
  let t: arrow.DataType = new arrow.Int32();
  for (let d = depth - 1; d > 0; d--) t = new arrow.Struct([new arrow.Field(`s${d}`, t, true)]);
  return new arrow.Schema([new arrow.Field('s0', t, true)]);
}

describe(`schemas nested deeper than ${MAX_SCHEMA_DEPTH} levels`, () => {
  it('are accepted up to the limit and refused past it, from protobuf fields', () => {
    const ok = fromPbFields(deepPbChain(MAX_SCHEMA_DEPTH), { path: 'm' });
    expect(arrowSchemaOf({ fields: ok, metadata: {} }).fields).toHaveLength(1);
    for (const depth of [MAX_SCHEMA_DEPTH + 1, 3000, 100_000]) {
      let err: unknown;
      try {
        arrowSchemaOf({ fields: fromPbFields(deepPbChain(depth), { path: 'm.manifest' }), metadata: {} });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LanceFormatError);
      expect((err as LanceFormatError).code).toBe('SCHEMA_TOO_DEEP');
      expect((err as Error).message).toContain('m.manifest');
    }
  });

  it('counts nested fixed-size-list item types toward the limit', () => {
    const lt = 'fixed_size_list:'.repeat(3000) + 'int32' + ':2'.repeat(3000);
    const pb = [create(FieldSchema, { type: Field_Type.PARENT, name: 'v', id: 0, parentId: -1, logicalType: lt, nullable: true })];
    expect(() => arrowSchemaOf({ fields: fromPbFields(pb), metadata: {} })).toThrow(LanceFormatError);
  });

  it('refuses a user schema past the limit with InvalidInputError, before touching data', async () => {
    expect(() => lanceSchemaFromArrow(deepArrowSchema(3000))).toThrow(InvalidInputError);
    expect(lanceSchemaFromArrow(deepArrowSchema(MAX_SCHEMA_DEPTH)).fields).toHaveLength(1);
    const db = await connect(mkdtempSync(join(tmpdir(), 'lancet-deep-')));
    const schema = deepArrowSchema(3000);
    await expect(db.createTable('t', new arrow.Table(schema), { schema })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('a dataset whose manifest holds a 3000-deep schema fails to open with a typed error; `lancet schema` prints one line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-deep-'));
    const db = await connect(root);
    await db.createTable('items', arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) }));
    const dir = join(root, 'items.lance', '_versions');
    const name = readdirSync(dir).find((n) => n.endsWith('.manifest'))!;
    const decoded = decodeManifestFile(readFileSync(join(dir, name)), name);
    decoded.manifest.fields = deepPbChain(3000, 10);
    writeFileSync(join(dir, name), encodeManifestFile(decoded.manifest, decoded.transaction, decoded.indexSection));

    const err = await connect(root)
      .then((c) => c.openTable('items'))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LanceFormatError);
    expect((err as LanceFormatError).code).toBe('SCHEMA_TOO_DEEP');

    const r = await cli(['schema', join(root, 'items.lance')]);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/nested|deep/);
  });
});
