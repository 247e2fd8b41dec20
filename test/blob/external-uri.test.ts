import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatBlobUri, parseBlobUri, resolveExternalForRead, resolveExternalForWrite, type BasePathInfo } from '../../src/format/blob/index.js';

const bases: BasePathInfo[] = [
  { id: 1, path: '/data/media', isDatasetRoot: false },
  { id: 2, path: '/data/media/videos', isDatasetRoot: false },
  { id: 3, path: 's3://bucket/root', isDatasetRoot: false },
  { id: 4, path: '/data/ds.lance', isDatasetRoot: true },
];

describe('external URIs on write', () => {
  it('longest non-root base wins; relative path recorded', () => {
    expect(resolveExternalForWrite('/data/media/a.png', bases, false)).toEqual({ blobId: 1, blobUri: 'a.png' });
    expect(resolveExternalForWrite('file:///data/media/videos/x/y.mp4', bases, false)).toEqual({ blobId: 2, blobUri: 'x/y.mp4' });
    expect(resolveExternalForWrite(new URL('s3://bucket/root/k/v.bin'), bases, false)).toEqual({ blobId: 3, blobUri: 'k/v.bin' });
  });

  it('dataset root is not an external base; outside bases needs the opt-in', () => {
    expect(() => resolveExternalForWrite('/data/ds.lance/data/x.lance', bases, false)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(resolveExternalForWrite('/elsewhere/f.bin', bases, true)).toEqual({ blobId: 0, blobUri: 'file:///elsewhere/f.bin' });
    expect(resolveExternalForWrite('s3://other/k', bases, true)).toEqual({ blobId: 0, blobUri: 's3://other/k' });
    // A base name prefix that is not a path-component prefix does not match.
    expect(() => resolveExternalForWrite('/data/mediaX/a', bases, false)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
  });

  it('refuses dot segments, empty and relative paths, also percent-encoded', () => {
    for (const bad of ['', '/', 'relative/x', '/data/media/../secret', '/data/media/./a', 'file:///data/media/%2e%2e/x', 's3://bucket/root/../x', '/a\\b', 'file://host/x', 'file:///data/media/a%2F..%2Fb']) {
      expect(() => resolveExternalForWrite(bad, bases, true), bad).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    }
  });

  it('property: any URI containing a .. segment is refused, whatever the bases and opt-in', () => {
    const seg = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 4 }), fc.array(seg, { maxLength: 4 }), fc.boolean(), fc.constantFrom('..', '%2e%2e', '%2E.', '.'), (pre, post, allow, dots) => {
        const uri = '/' + [...pre, dots, ...post].join('/');
        expect(() => resolveExternalForWrite(uri, bases, allow)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
      }),
      { numRuns: 300 },
    );
  });

  it('property: write then read resolves to the same absolute location', () => {
    const seg = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.constantFrom('/data/media', '/data/media/videos', '/tmp', 's3://bucket/root'), fc.array(seg, { minLength: 1, maxLength: 4 }), (prefix, rest) => {
        const uri = `${prefix}/${rest.join('/')}`;
        const ref = resolveExternalForWrite(uri, bases, true);
        expect(formatBlobUri(resolveExternalForRead(ref.blobId, ref.blobUri, bases))).toBe(formatBlobUri(parseBlobUri(uri)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('external URIs on read', () => {
  it('never leaves the base the descriptor names', () => {
    expect(() => resolveExternalForRead(1, '../etc/passwd', bases)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(() => resolveExternalForRead(1, '/etc/passwd', bases)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(() => resolveExternalForRead(1, 'file:///etc/passwd', bases)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(() => resolveExternalForRead(1, '', bases)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(() => resolveExternalForRead(0, 'file:///x/../y', bases)).toThrow(expect.objectContaining({ code: 'UNSAFE_BLOB_URI' }));
    expect(() => resolveExternalForRead(9, 'a', bases)).toThrow(expect.objectContaining({ code: 'UNKNOWN_BLOB_BASE' }));
    expect(formatBlobUri(resolveExternalForRead(2, 'a/b.mp4', bases))).toBe('file:///data/media/videos/a/b.mp4');
  });
});
