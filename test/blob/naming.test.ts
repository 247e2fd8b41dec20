import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlobIdAllocator, decodeBlobFileName, encodeBlobId, sidecarPath } from '../../src/format/blob/index.js';

describe('sidecar naming', () => {
  it('matches the names Lance 12 wrote', () => {
    expect(encodeBlobId(1)).toBe('10000000000000000000000000000000');
    expect(encodeBlobId(2)).toBe('01000000000000000000000000000000');
    expect(encodeBlobId(3)).toBe('11000000000000000000000000000000');
    expect(encodeBlobId(4)).toBe('00100000000000000000000000000000');
    expect(encodeBlobId(0xffffffff)).toBe('1'.repeat(32));
    expect(sidecarPath('data/110110000000111110100010613cb1423ca0156e7d3666eeb4.lance', 2)).toBe(
      'data/110110000000111110100010613cb1423ca0156e7d3666eeb4/01000000000000000000000000000000.blob',
    );
  });

  it('property: encoding is the bit reversal of the id and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), (id) => {
        const s = encodeBlobId(id);
        expect(s).toMatch(/^[01]{32}$/);
        // Independent model: bit i of the id is character i of the name.
        for (let i = 0; i < 32; i++) expect(s[i]).toBe(String(Math.floor(id / 2 ** i) % 2));
        expect(decodeBlobFileName(`${s}.blob`)).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('property: distinct ids give distinct names', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffffffff }), (a, b) => {
        fc.pre(a !== b);
        expect(encodeBlobId(a)).not.toBe(encodeBlobId(b));
      }),
      { numRuns: 200 },
    );
  });

  it('id 0 is reserved, out-of-range ids and bad names are rejected', () => {
    expect(() => encodeBlobId(0)).toThrow(expect.objectContaining({ code: 'BAD_BLOB_ID' }));
    expect(() => encodeBlobId(2 ** 32)).toThrow(expect.objectContaining({ code: 'BAD_BLOB_ID' }));
    expect(() => decodeBlobFileName('0'.repeat(32) + '.blob')).toThrow(expect.objectContaining({ code: 'BAD_BLOB_ID' }));
    expect(() => decodeBlobFileName('0000.blob')).toThrow(expect.objectContaining({ code: 'BAD_SIDECAR_NAME' }));
    expect(() => sidecarPath('data/x.parquet', 1)).toThrow(expect.objectContaining({ code: 'BAD_DATA_FILE_PATH' }));
  });

  it('allocator starts at 1 and counts up', () => {
    const a = new BlobIdAllocator();
    expect([a.next(), a.next(), a.next()]).toEqual([1, 2, 3]);
    expect(a.allocated).toBe(3);
    const b = new BlobIdAllocator(0xffffffff);
    expect(b.next()).toBe(0xffffffff);
    expect(() => b.next()).toThrow(expect.objectContaining({ code: 'BLOB_IDS_EXHAUSTED' }));
  });
});
