// S3Store through the real AWS SDK against the in-repo fake S3 server: the whole contract on
// every run, plus failures only a fake can stage (lost responses, 409s, broken uploads).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, StoreError } from '../../src/errors.js';
import { storeForUri } from '../../src/io/open-store.js';
import { S3Store, type S3StoreOptions } from '../../src/io/s3-store.js';
import { startFakeS3, type FakeS3 } from '../helpers/fake-s3.js';
import { s3Contract } from './s3-contract.js';

const MIB = 1024 * 1024;
const BUCKET = 'fake-bucket';
const credentials = { accessKeyId: 'AKFAKE', secretAccessKey: 'fake-secret-never-shown' };
let fake: FakeS3;

beforeAll(async () => {
  fake = await startFakeS3({ buckets: [BUCKET] });
});
afterAll(async () => {
  await fake.close();
});

function make(extra: Partial<S3StoreOptions> = {}): S3Store {
  return new S3Store({ bucket: BUCKET, prefix: `lancet-tests/${randomUUID()}`, endpoint: fake.endpoint, region: 'us-east-1', credentials, ...extra });
}

s3Contract('the fake S3 server', () => ({ make, measuresMemory: false }));

describe('S3Store on the fake S3 server', () => {
  it('uploads 5 MiB parts one at a time', async () => {
    const s = make({ partSize: 5 * MIB });
    const parts0 = fake.stats.partSizes.length;
    const w = await s.createWriter('p.bin');
    for (let i = 0; i < 12; i++) await w.write(new Uint8Array(MIB).fill(i));
    await w.close();
    expect(fake.stats.partSizes.slice(parts0)).toEqual([5 * MIB, 5 * MIB, 2 * MIB]);
    expect(fake.stats.maxConcurrentParts).toBe(1);
    expect(fake.openUploads()).toBe(0);
  });

  it('a put-if-absent whose response was lost and retried still counts as won', async () => {
    const s = make();
    fake.fail({ op: 'PutObject', status: 500, code: 'InternalError', afterApply: true });
    await s.putIfAbsent('_versions/1.manifest', new Uint8Array([1, 2, 3]));
    expect(await s.get('_versions/1.manifest')).toEqual(new Uint8Array([1, 2, 3]));
    // Same lost response, but the key held someone else's bytes: a real conflict.
    await s.put('_versions/2.manifest', new Uint8Array([9]));
    fake.fail({ op: 'PutObject', status: 500, code: 'InternalError' });
    await expect(s.putIfAbsent('_versions/2.manifest', new Uint8Array([1]))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('maps 409 ConditionalRequestConflict to AlreadyExistsError', async () => {
    const s = make({ maxAttempts: 1 });
    fake.fail({ op: 'PutObject', status: 409, code: 'ConditionalRequestConflict' });
    await expect(s.putIfAbsent('v/1', new Uint8Array([1]))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('maps server errors to StoreError codes naming the object and never the secret', async () => {
    const s = make({ maxAttempts: 1 });
    await s.put('k.bin', new Uint8Array([1]));
    fake.fail({ op: 'GetObject', status: 503, code: 'SlowDown' });
    const e1 = (await s.get('k.bin').catch((e: unknown) => e)) as StoreError;
    expect(e1).toBeInstanceOf(StoreError);
    expect(e1.code).toBe('S3_UNAVAILABLE');
    expect(e1.path).toBe('k.bin');
    expect(e1.message).toMatch(/SlowDown.*503.*k\.bin/);
    fake.fail({ op: 'PutObject', status: 403, code: 'AccessDenied' });
    const e2 = (await s.put('k.bin', new Uint8Array([2])).catch((e: unknown) => e)) as StoreError;
    expect(e2.code).toBe('S3_ACCESS_DENIED');
    expect(JSON.stringify({ m: e2.message, d: e2.details })).not.toContain(credentials.secretAccessKey);
    fake.fail({ op: 'HeadObject', status: 400, code: 'InvalidArgument' });
    expect(((await s.head('k.bin').catch((e: unknown) => e)) as StoreError).code).toBe('S3_ERROR');
  });

  it('retries transient failures (SDK policy) before giving up', async () => {
    const s = make({ maxAttempts: 3 });
    await s.put('t.bin', new Uint8Array([7]));
    fake.fail({ op: 'GetObject', status: 503, code: 'SlowDown', times: 2 });
    expect(await s.get('t.bin')).toEqual(new Uint8Array([7]));
  });

  it('a failed part upload fails the write and abort drops the upload', async () => {
    const s = make({ partSize: 5 * MIB, maxAttempts: 1 });
    const w = await s.createWriter('broken.bin');
    fake.fail({ op: 'UploadPart', status: 500, code: 'InternalError' });
    await expect(w.write(new Uint8Array(6 * MIB))).rejects.toMatchObject({ code: 'S3_UNAVAILABLE' });
    await expect(w.write(new Uint8Array(1))).rejects.toBeInstanceOf(StoreError);
    expect(fake.openUploads()).toBe(1);
    await w.abort();
    expect(fake.openUploads()).toBe(0);
    expect(await s.exists('broken.bin')).toBe(false);
  });

  it('a failed complete aborts the upload and leaves no object', async () => {
    const s = make({ partSize: 5 * MIB, maxAttempts: 1 });
    const w = await s.createWriter('incomplete.bin');
    await w.write(new Uint8Array(6 * MIB));
    fake.fail({ op: 'CompleteMultipartUpload', status: 500, code: 'InternalError' });
    await expect(w.close()).rejects.toMatchObject({ code: 'S3_UNAVAILABLE' });
    await expect(w.close()).rejects.toMatchObject({ code: 'S3_UNAVAILABLE' });
    expect(fake.openUploads()).toBe(0);
    expect(await s.exists('incomplete.bin')).toBe(false);
  });

  it('rejects paths that would leave the prefix', async () => {
    const s = make();
    await expect(s.put('../x', new Uint8Array(1))).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(s.get('')).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  it('opens s3:// URIs through storeForUri with storage options', async () => {
    const prefix = `lancet-tests/${randomUUID()}/ds.lance`;
    const { store, path } = storeForUri(`s3://${BUCKET}/${prefix}`, {
      storageOptions: { aws_endpoint: fake.endpoint, aws_region: 'us-east-1', aws_access_key_id: 'AK', aws_secret_access_key: 'SK' },
    });
    expect(path).toBe('');
    expect(store.kind).toBe('s3');
    expect(store.root).toBe(`s3://${BUCKET}/${prefix}`);
    await store.put('_versions/1.manifest', new Uint8Array([1]));
    expect(fake.bucket(BUCKET).has(`${prefix}/_versions/1.manifest`)).toBe(true);
    await (store as S3Store).close();
  });

  it('sends plain bodies, never aws-chunked (radosgw 16 cannot read them)', async () => {
    // The fake answers aws-chunked bodies with 501; a streaming write must still go through.
    const s = make({ partSize: 5 * MIB, maxAttempts: 1 });
    const w = await s.createWriter('plain.bin');
    await w.write(new Uint8Array(5 * MIB + 1));
    await w.close();
    expect((await s.head('plain.bin')).size).toBe(5 * MIB + 1);
  });
});

describe('S3Store reads over dropped connections', () => {
  it('resumes a stream cut mid-body from the first missing byte', async () => {
    const s = make();
    const data = new Uint8Array(400_000).map((_, i) => (i * 7) & 0xff);
    await s.put('cut.bin', data);
    const gets = fake.stats.ops.GetObject ?? 0;
    fake.fail({ op: 'GetObject', status: 0, code: '', cutBody: true });
    const chunks: Buffer[] = [];
    for await (const c of s.readStream('cut.bin', 1000)) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).equals(data.subarray(1000))).toBe(true);
    expect(fake.stats.ops.GetObject! - gets).toBe(2);
  });

  it('resumes a cut ranged read', async () => {
    const s = make();
    const data = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
    await s.put('cut.bin', data);
    fake.fail({ op: 'GetObject', status: 0, code: '', cutBody: true });
    expect(Buffer.from(await s.getRange('cut.bin', 10, 250_010)).equals(data.subarray(10, 250_010))).toBe(true);
  });

  it('never splices two versions: the resumed GET is pinned to the first ETag', async () => {
    const s = make();
    await s.put('v.bin', new Uint8Array(300_000).fill(1));
    fake.fail({ op: 'GetObject', status: 0, code: '', cutBody: true });
    const read = async () => {
      let first = true;
      for await (const c of s.readStream('v.bin')) {
        expect(c.every((b) => b === 1)).toBe(true);
        if (first) await s.put('v.bin', new Uint8Array(300_000).fill(2));
        first = false;
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'S3_ERROR', message: expect.stringContaining('PreconditionFailed') });
  });

  it('gives up after a bounded number of resumes', async () => {
    const s = make();
    await s.put('flaky.bin', new Uint8Array(300_000));
    fake.fail({ op: 'GetObject', status: 0, code: '', cutBody: true, times: 10 });
    const gets = fake.stats.ops.GetObject ?? 0;
    await expect(s.getRange('flaky.bin', 0, 300_000)).rejects.toMatchObject({ code: 'S3_UNAVAILABLE' });
    expect(fake.stats.ops.GetObject! - gets).toBe(4); // the first GET and 3 resumes
    fake.clearFaults();
  });
});
