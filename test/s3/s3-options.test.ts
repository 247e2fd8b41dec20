import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { storeForUri } from '../../src/io/open-store.js';
import { parseS3Uri, resolveS3Options, s3OptionsFromUri } from '../../src/io/s3-options.js';
import { toStoreError } from '../../src/io/s3-errors.js';

describe('parseS3Uri', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Uri('s3://bucket/')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Uri('s3://bucket/a/b.lance/')).toEqual({ bucket: 'bucket', prefix: 'a/b.lance' });
    expect(parseS3Uri('s3a://bucket//a')).toEqual({ bucket: 'bucket', prefix: 'a' });
  });
  it('rejects other URIs and dot segments', () => {
    expect(() => parseS3Uri('gs://bucket/a')).toThrow(InvalidInputError);
    expect(() => parseS3Uri('s3:///a')).toThrow(InvalidInputError);
    expect(() => parseS3Uri('s3://b/a/../../etc')).toThrow(/'\.\.'/);
  });
});

describe('s3OptionsFromUri', () => {
  it('reads Lance-style storage options, with or without the aws_ prefix', () => {
    expect(
      s3OptionsFromUri('s3://b/p', {
        AWS_ENDPOINT: 'http://127.0.0.1:7480',
        region: 'eu-west-1',
        aws_access_key_id: 'AK',
        aws_secret_access_key: 'SK',
        aws_session_token: 'TOK',
        aws_virtual_hosted_style_request: 'false',
        allow_http: 'true',
        max_attempts: '5',
      }),
    ).toEqual({
      bucket: 'b',
      prefix: 'p',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' },
      forcePathStyle: true,
      maxAttempts: 5,
    });
    expect(s3OptionsFromUri('s3://b', {})).toEqual({ bucket: 'b', prefix: '' });
  });
  it('refuses unknown keys, half credentials and bad values without echoing values', () => {
    expect(() => s3OptionsFromUri('s3://b', { aws_secret_acess_key: 'x' })).toThrow(/unknown S3 storage option aws_secret_acess_key/);
    expect(() => s3OptionsFromUri('s3://b', { aws_secret_access_key: 'hunter22' })).toThrow(/both/);
    const e = (() => {
      try {
        s3OptionsFromUri('s3://b', { force_path_style: 'hunter22' });
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e?.message).not.toContain('hunter22');
  });
  it('validates sizes', () => {
    expect(resolveS3Options({ bucket: 'b' })).toEqual({ partSize: 8 << 20, listPageSize: 1000, maxSingleCopy: 5 * 1024 ** 3, copyPartSize: 1 << 30 });
    expect(() => resolveS3Options({ bucket: 'b', partSize: 1 << 20 })).toThrow(/5 MiB/);
    expect(() => resolveS3Options({ bucket: 'b', listPageSize: 5000 })).toThrow(/listPageSize/);
  });
  it('storeForUri opens s3:// URIs without a request (the endpoint here is unreachable)', () => {
    const { store, path } = storeForUri('s3://bucket/ds', { storageOptions: { aws_endpoint: 'http://127.0.0.1:1' } });
    expect([store.kind, store.root, path]).toEqual(['s3', 's3://bucket/ds', '']);
  });
});

describe('toStoreError', () => {
  it('blanks secrets out of server messages', () => {
    const sdkError = Object.assign(new Error('signature for key wJalrXUtnFEMI/K7MDENG was wrong'), { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    const e = toStoreError(sdkError, 'put', 'a/b', ['wJalrXUtnFEMI/K7MDENG']);
    expect(e.message).toBe('S3 put failed with SignatureDoesNotMatch (HTTP 403): signature for key *** was wrong: a/b');
    expect(e.code).toBe('S3_ACCESS_DENIED');
  });
  it('maps missing keys and network failures', () => {
    expect(toStoreError(Object.assign(new Error('x'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }), 'get', 'k').code).toBe('NOT_FOUND');
    expect(toStoreError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'get', 'k').code).toBe('S3_UNAVAILABLE');
  });
});
