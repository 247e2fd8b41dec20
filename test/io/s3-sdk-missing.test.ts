// The AWS SDK is an optional peer dependency: without it, s3:// fails with a typed error that
// names the package to install, and the next attempt (after installing) tries again.
import { expect, test } from 'vitest';
import { loadS3Sdk, MissingDependencyError, S3_SDK_PACKAGE, type S3Sdk } from '../../src/io/s3-sdk.js';

test('a missing @aws-sdk/client-s3 gives MISSING_DEPENDENCY naming the package', async () => {
  const missing = (): Promise<S3Sdk> => Promise.reject(Object.assign(new Error(`Cannot find package '${S3_SDK_PACKAGE}'`), { code: 'ERR_MODULE_NOT_FOUND' }));
  const err = await loadS3Sdk(missing).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MissingDependencyError);
  expect((err as MissingDependencyError).code).toBe('MISSING_DEPENDENCY');
  expect((err as Error).message).toContain(`npm install ${S3_SDK_PACKAGE}`);
  // Not cached: once installed, the SDK loads.
  const sdk = await loadS3Sdk();
  expect(typeof sdk.S3Client).toBe('function');
});
