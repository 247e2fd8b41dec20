// The AWS SDK is an optional peer dependency: it costs ~8 MB installed and ~0.4 s to import, and
// only s3:// datasets need it. It is imported on the first S3 request, so opening local,
// in-memory or http(s) datasets (and the CLI) neither needs it installed nor pays for it.
import { MissingDependencyError } from './missing-dependency.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

export { MissingDependencyError };

export const S3_SDK_PACKAGE = '@aws-sdk/client-s3';

let sdk: Promise<S3Sdk> | undefined;

/** `importer` is for tests that simulate an installation without the SDK. */
export function loadS3Sdk(importer: () => Promise<S3Sdk> = () => import(S3_SDK_PACKAGE) as Promise<S3Sdk>): Promise<S3Sdk> {
  return (sdk ??= importer().catch((e: unknown) => {
    sdk = undefined;
    if (isModuleNotFound(e)) {
      throw new MissingDependencyError(
        'MISSING_DEPENDENCY',
        `s3:// datasets need the optional package ${S3_SDK_PACKAGE}, which is not installed; install it next to lancet: npm install ${S3_SDK_PACKAGE}`,
        { package: S3_SDK_PACKAGE },
        { cause: e },
      );
    }
    throw e;
  }));
}

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
