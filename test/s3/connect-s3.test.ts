// connect('s3://bucket/prefix', { storageOptions }) opens tables on S3 (here the in-repo fake S3
// server, through the real AWS SDK): create, append with blobs, read back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { connect, blobField } from '../../src/index.js';
import { startFakeS3, type FakeS3 } from '../helpers/fake-s3.js';

let fake: FakeS3;
beforeAll(async () => {
  fake = await startFakeS3({ buckets: ['shop'] });
});
afterAll(async () => {
  await fake.close();
});

it('opens, writes and reads tables under an s3:// root with storage options', async () => {
  const prefix = `tests/${randomUUID()}`;
  const db = await connect(`s3://shop/${prefix}`, {
    storageOptions: { aws_endpoint: fake.endpoint, aws_region: 'us-east-1', aws_access_key_id: 'AK', aws_secret_access_key: 'SK' },
  });
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 8 })]);
  const t = await db.createTable('products', [{ id: 1, img: new Uint8Array(4).fill(1) }], { schema });
  await t.add([{ id: 2, img: new Uint8Array(100).fill(2) }]);
  expect(await db.tableNames()).toEqual(['products']);
  const rows = (await (await db.openTable('products')).query().withRowAddress().toArray()) as { id: number; _rowaddr: bigint }[];
  expect(rows.map((r) => r.id)).toEqual([1, 2]);
  const blobs = await t.fetchBlobs('img', rows.map((r) => r._rowaddr));
  expect(blobs.map((b) => b!.length)).toEqual([4, 100]);
  const keys = [...fake.bucket('shop').keys()].filter((k) => k.startsWith(`${prefix}/products.lance/`));
  expect(keys.some((k) => k.includes('/_versions/'))).toBe(true);
  expect(keys.some((k) => k.endsWith('.blob'))).toBe(true);
});
