import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { deletionFilePath, newDataFileName, newTransactionFileName, parseDeletionFileName } from '../../src/format/table/file-names.js';
import { checkReadable, checkWritable, computeFeatureFlags } from '../../src/format/table/feature-flags.js';
import { DeletionFile_DeletionFileType, ManifestSchema } from '../../src/format/proto/table_pb.js';
import { LanceFormatError } from '../../src/errors.js';

describe('object names', () => {
  it('names data files with 24 binary digits and 26 hex digits', () => {
    const b = new Uint8Array(16).map((_, i) => i * 17);
    expect(newDataFileName(b)).toBe('000000000001000100100010' + '33445566778899aabbccddeeff' + '.lance');
    for (let i = 0; i < 50; i++) expect(newDataFileName()).toMatch(/^[01]{24}[0-9a-f]{26}\.lance$/);
  });

  it('names transaction files {read_version}-{uuid}.txn', () => {
    expect(newTransactionFileName(3n)).toMatch(/^3-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.txn$/);
  });

  it('round-trips deletion file names', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 32n }), fc.bigInt({ min: 0n, max: 1n << 40n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (frag, rv, id, bin) => {
        const fileType = bin ? DeletionFile_DeletionFileType.BITMAP : DeletionFile_DeletionFileType.ARROW_ARRAY;
        const p = deletionFilePath(frag, { readVersion: rv, id, fileType });
        expect(parseDeletionFileName(p.slice('_deletions/'.length))).toEqual({ fragmentId: frag, readVersion: rv, id, type: fileType });
      }),
      { numRuns: 200 },
    );
  });
});

describe('feature flags', () => {
  it('are computed from manifest content', () => {
    const m = create(ManifestSchema, { fragments: [{ id: 0n, deletionFile: { numDeletedRows: 1n } }, { id: 1n }] });
    expect(computeFeatureFlags(m)).toEqual({ reader: 1n, writer: 1n });
    const cfg = create(ManifestSchema, { config: { a: 'b' }, fragments: [{ id: 0n, rowIdSequence: { case: 'inlineRowIds', value: new Uint8Array() } }] });
    expect(computeFeatureFlags(cfg)).toEqual({ reader: 2n, writer: 2n | 8n });
  });

  it('refuse unknown and unsupported flags, naming the flag', () => {
    for (const bit of [64n, 128n, 1024n, 1n << 40n]) {
      const m = create(ManifestSchema, { readerFeatureFlags: bit | 1n });
      expect(() => checkReadable(m, '_versions/x.manifest')).toThrow(new RegExp(`flag ${bit}`));
    }
    expect(() => checkWritable(create(ManifestSchema, { writerFeatureFlags: 16n }), 'm')).toThrow(/base paths/);
    try {
      checkReadable(create(ManifestSchema, { readerFeatureFlags: 64n }), 'p.manifest');
    } catch (e) {
      expect(e).toBeInstanceOf(LanceFormatError);
      expect((e as LanceFormatError).path).toBe('p.manifest');
    }
    expect(() => checkReadable(create(ManifestSchema, { readerFeatureFlags: 3n }), 'm')).not.toThrow();
  });
});
