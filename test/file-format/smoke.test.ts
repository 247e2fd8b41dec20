import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { MemoryStore } from '../../src/io/memory-store.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { createFileWriter, openLanceFile } from '../../src/format/file/index.js';

describe('file smoke', () => {
  it('round-trips a few columns', async () => {
    const t = arrow.tableFromArrays({ a: Int32Array.from([1, 2, 3]), b: ['x', 'yy', 'zzz'], c: Float64Array.from([1.5, 2.5, 3.5]) });
    const schema = lanceSchemaFromArrow(new arrow.Schema([
      new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true), new arrow.Field('c', new arrow.Float64(), true)]));
    const store = new MemoryStore();
    const w = await createFileWriter(store, 'f.lance', schema);
    const batch = new arrow.RecordBatch({ a: t.getChild('a')!.data[0]!, b: arrow.vectorFromArray(['x', null, 'zzz'], new arrow.Utf8()).data[0]!, c: t.getChild('c')!.data[0]! });
    await w.write(batch);
    const res = await w.finish();
    expect(res.numRows).toBe(3);
    const r = await openLanceFile(store, 'f.lance');
    const ids = new Map(res.fieldIds.map((id, i) => [id, res.columnIndices[i]!]));
    const out = await r.read(schema.fields, (id) => ids.get(id));
    expect(out.getChild('a')!.toArray()).toEqual(Int32Array.from([1, 2, 3]));
    expect([...out.getChild('b')!]).toEqual(['x', null, 'zzz']);
    expect([...out.getChild('c')!]).toEqual([1.5, 2.5, 3.5]);
  });
});
