// S3Store against a real radosgw (started by .ci/run via scripts/rgw/rgw-up.sh). Skipped only
// outside CI when LANCET_S3_ENDPOINT is unset; in CI a missing server fails this file.
import { afterAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, StoreError } from '../../src/errors.js';
import { storeForUri } from '../../src/io/open-store.js';
import { S3Store } from '../../src/io/s3-store.js';
import { rgwEnv, rgwStore } from './s3-env.js';
import { s3Contract } from './s3-contract.js';

const env = rgwEnv();
const made: S3Store[] = [];

afterAll(async () => {
  // Remove what the tests wrote; the bucket lives as long as the radosgw instance.
  for (const s of made) {
    for (const m of await s.list('')) await s.delete(m.path);
    await s.close();
  }
});

describe.skipIf(!env)('radosgw', () => {
  s3Contract('radosgw', () => ({
    make: (extra) => {
      const s = rgwStore(env!, extra);
      made.push(s);
      return s;
    },
    measuresMemory: true,
  }));

  it('10-way conditional PUT race on one manifest key, repeated: one winner each round', async () => {
    const s = rgwStore(env!);
    made.push(s);
    for (let round = 0; round < 5; round++) {
      const key = `_versions/${round}.manifest`;
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.putIfAbsent(key, new Uint8Array([round, i]))));
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
      const stored = await s.get(key);
      expect(stored[0]).toBe(round);
      expect(results[stored[1]!]!.status).toBe('fulfilled');
    }
  });

  it('opens s3:// URIs with credentials from the SDK default chain', async () => {
    const prefix = `lancet-tests/uri-${Date.now()}`;
    const keep = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = env!.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = env!.credentials.secretAccessKey;
    try {
      const { store } = storeForUri(`s3://${env!.bucket}/${prefix}`, { storageOptions: { aws_endpoint: env!.endpoint, aws_region: env!.region } });
      made.push(store as S3Store);
      await store.putIfAbsent('a', new Uint8Array([1]));
      await expect(store.putIfAbsent('a', new Uint8Array([2]))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await store.list('')).map((m) => m.path)).toEqual(['a']);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = keep.AWS_ACCESS_KEY_ID;
      process.env.AWS_SECRET_ACCESS_KEY = keep.AWS_SECRET_ACCESS_KEY;
      if (keep.AWS_ACCESS_KEY_ID === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (keep.AWS_SECRET_ACCESS_KEY === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('reports a wrong secret as S3_ACCESS_DENIED without echoing credentials', async () => {
    const secret = 'wrong-secret-do-not-print';
    const s = rgwStore(env!, { credentials: { accessKeyId: env!.credentials.accessKeyId, secretAccessKey: secret }, maxAttempts: 1 });
    const e = (await s.put('x', new Uint8Array([1])).catch((err: unknown) => err)) as StoreError;
    await s.close();
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe('S3_ACCESS_DENIED');
    expect(e.message).toMatch(/SignatureDoesNotMatch|AccessDenied/);
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain(secret);
  });
});
