// The AWS SDK costs ~0.4 s to import; load it on the first S3 request so that opening local
// or in-memory datasets (and the CLI) does not pay for it.
export type S3Sdk = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Sdk> | undefined;

export function loadS3Sdk(): Promise<S3Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3'));
}
