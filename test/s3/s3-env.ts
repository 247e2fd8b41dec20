// Where the radosgw integration tests find their server. .ci/run starts radosgw and exports
// these variables; in CI their absence is an error (so the S3 tests can never be skipped
// silently there), elsewhere it only skips the radosgw tests.
import { randomUUID } from 'node:crypto';
import { S3Store, type S3StoreOptions } from '../../src/io/s3-store.js';

export interface RgwEnv {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

const inCi = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function rgwEnv(): RgwEnv | undefined {
  const e = process.env;
  const endpoint = e.LANCET_S3_ENDPOINT;
  if (!endpoint) {
    if (inCi(e.CI)) {
      throw new Error('CI is set but LANCET_S3_ENDPOINT is not: .ci/run must start radosgw with scripts/rgw/rgw-up.sh and source its env file');
    }
    return undefined;
  }
  const accessKeyId = e.LANCET_S3_ACCESS_KEY_ID ?? e.AWS_ACCESS_KEY_ID;
  const secretAccessKey = e.LANCET_S3_SECRET_ACCESS_KEY ?? e.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('LANCET_S3_ENDPOINT is set but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not');
  return {
    endpoint,
    bucket: e.LANCET_S3_BUCKET ?? 'lancet-test',
    region: e.LANCET_S3_REGION ?? e.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
}

/** A store under a fresh prefix of the test bucket, so runs and tests never see each other's keys. */
export function rgwStore(env: RgwEnv, extra: Partial<S3StoreOptions> = {}): S3Store {
  return new S3Store({ ...env, prefix: `lancet-tests/${randomUUID()}`, ...extra });
}
