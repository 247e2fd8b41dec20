import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import {
  BlobKind,
  blobDescriptorField,
  blobField,
  descriptorVector,
  descriptorsOf,
  isBlobArrowField,
  blobFieldThresholds,
  type BlobDescriptor,
} from '../../src/format/blob/index.js';

const descArb: fc.Arbitrary<BlobDescriptor | null> = fc.option(
  fc.record({
    kind: fc.constantFrom(BlobKind.Inline, BlobKind.Packed, BlobKind.Dedicated, BlobKind.External),
    position: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    blobId: fc.integer({ min: 0, max: 0xffffffff }),
    blobUri: fc.string(),
  }),
  { nil: null },
);

describe('descriptor column', () => {
  it('type is the durable five-field struct', () => {
    const f = blobDescriptorField('payload');
    const t = f.type;
    expect(t.children.map((c) => `${c.name}:${c.type}`)).toEqual(['kind:Uint8', 'position:Uint64', 'size:Uint64', 'blob_id:Uint32', 'blob_uri:Utf8']);
    expect(f.metadata.get('lance-encoding:packed')).toBe('true');
  });

  it('property: build → read round-trips, nulls stay null, empties stay non-null', () => {
    fc.assert(
      fc.property(fc.array(descArb, { maxLength: 30 }), (descs) => {
        const v = descriptorVector(descs);
        expect(v.length).toBe(descs.length);
        expect(descriptorsOf(v)).toEqual(descs);
      }),
      { numRuns: 200 },
    );
  });

  it('unknown kinds are an error', () => {
    const v = arrow.vectorFromArray([{ kind: 7, position: 0n, size: 0n, blob_id: 0, blob_uri: '' }], descriptorVector([]).type);
    expect(() => descriptorsOf(v)).toThrow(expect.objectContaining({ code: 'UNKNOWN_BLOB_KIND' }));
  });
});

describe('blobField', () => {
  it('declares the logical struct with extension name and thresholds', () => {
    const f = blobField('img', { nullable: false, inlineSizeThreshold: 0, dedicatedSizeThreshold: 100, packFileSizeThreshold: 1000 });
    expect(f.nullable).toBe(false);
    expect(String(f.type)).toBe('Struct<{data:LargeBinary, uri:Utf8}>');
    expect(isBlobArrowField(f)).toBe(true);
    expect(Object.fromEntries(f.metadata)).toEqual({
      'ARROW:extension:name': 'lance.blob.v2',
      'lance-encoding:blob-inline-size-threshold': '0',
      'lance-encoding:blob-dedicated-size-threshold': '100',
      'lance-encoding:blob-pack-file-size-threshold': '1000',
    });
    expect(blobFieldThresholds(f)).toEqual({ inline: 0, dedicated: 100, packFile: 1000 });
    expect(blobField('x').nullable).toBe(true);
    expect(() => blobField('x', { dedicatedSizeThreshold: 0 })).toThrow(expect.objectContaining({ code: 'BAD_BLOB_THRESHOLD' }));
  });
});
