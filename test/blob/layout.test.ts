import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_BLOB_THRESHOLDS,
  assignPacks,
  chooseBlobLayout,
  layoutForSize,
  needsNewPack,
  resolveBlobThresholds,
  blobThresholdMetadata,
  type BlobThresholds,
} from '../../src/format/blob/index.js';
import { BLOB_DEDICATED_THRESHOLD_KEY, BLOB_INLINE_THRESHOLD_KEY, BLOB_PACK_FILE_THRESHOLD_KEY } from '../../src/format/schema.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Sizes straddling every threshold of `t` plus the fixed interesting points. */
function edgeSizes(t: BlobThresholds): number[] {
  const pts = [0, 1, 64 * KiB, 64 * KiB + 1, 4 * MiB, 4 * MiB + 1, t.inline, t.dedicated];
  return [...new Set(pts.flatMap((p) => [p - 1, p, p + 1]).filter((s) => s >= 0))];
}

const thresholdsArb: fc.Arbitrary<BlobThresholds> = fc
  .record({ inline: fc.integer({ min: 0, max: 8 * MiB }), dedicated: fc.integer({ min: 1, max: 16 * MiB }), packFile: fc.integer({ min: 1, max: 1 << 30 }) })
  .map((t) => t);

describe('layout rule', () => {
  it('default thresholds at the observed Lance 12 edges', () => {
    const t = DEFAULT_BLOB_THRESHOLDS;
    expect([0, 1, 16384, 65536].map((s) => layoutForSize(s, t))).toEqual(['inline', 'inline', 'inline', 'inline']);
    expect([65537, 2097152, 4194304].map((s) => layoutForSize(s, t))).toEqual(['packed', 'packed', 'packed']);
    expect(layoutForSize(4194305, t)).toBe('dedicated');
  });

  it('property: strict comparisons, dedicated checked first, for sizes straddling every threshold', () => {
    fc.assert(
      fc.property(thresholdsArb, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 * MiB }), (t, pick, random) => {
        const sizes = [...edgeSizes(t), random];
        const size = sizes[pick % sizes.length]!;
        const got = layoutForSize(size, t);
        // Reference model written from the spec sentence, independently of the implementation's shape.
        const want = size > t.dedicated ? 'dedicated' : size > t.inline ? 'packed' : 'inline';
        expect(got).toBe(want);
        expect(chooseBlobLayout({ size }, t)).toBe(want);
        // Monotone: one byte more never moves a value to a "smaller" layout.
        const rank = { inline: 0, packed: 1, dedicated: 2 } as const;
        expect(rank[layoutForSize(size + 1, t)]).toBeGreaterThanOrEqual(rank[got]);
      }),
      { numRuns: 500 },
    );
  });

  it('property: dedicated threshold below inline threshold means nothing is packed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 5000 }), (ded, size) => {
        const t = { inline: ded + 500, dedicated: ded, packFile: 1 << 30 };
        expect(layoutForSize(size, t)).not.toBe('packed');
      }),
      { numRuns: 200 },
    );
  });

  it('nulls and URIs', () => {
    expect(chooseBlobLayout(null, DEFAULT_BLOB_THRESHOLDS)).toBe('null');
    expect(chooseBlobLayout({ uri: 'file:///x' }, DEFAULT_BLOB_THRESHOLDS)).toBe('external');
    expect(chooseBlobLayout({ size: 0 }, { inline: 0, dedicated: 1, packFile: 1 })).toBe('inline');
  });
});

describe('pack roll-over', () => {
  it('matches the packs Lance 12 produced (threshold 150000)', () => {
    const sizes = [30001, 50003, 70005, 20007, 90009, 40011];
    expect(assignPacks(sizes, 150000)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('property: no pack exceeds the threshold unless it holds one value; packs are filled greedily', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 60 }), fc.integer({ min: 1, max: 12000 }), (sizes, limit) => {
        const packs = assignPacks(sizes, limit);
        const totals = new Map<number, number[]>();
        packs.forEach((p, i) => totals.set(p, [...(totals.get(p) ?? []), sizes[i]!]));
        // Contiguous, increasing pack numbers.
        packs.forEach((p, i) => expect(p - (i === 0 ? 0 : packs[i - 1]!)).toBeGreaterThanOrEqual(i === 0 ? 0 : 0));
        packs.forEach((p, i) => i > 0 && expect(p - packs[i - 1]!).toBeLessThanOrEqual(1));
        for (const [p, members] of totals) {
          const sum = members.reduce((a, b) => a + b, 0);
          if (members.length > 1) expect(sum).toBeLessThanOrEqual(limit);
          // Greedy: the first value of the next pack did not fit.
          const nextFirst = sizes[packs.indexOf(p + 1)];
          if (nextFirst !== undefined) expect(sum + nextFirst).toBeGreaterThan(limit);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('needsNewPack boundaries are strict', () => {
    expect(needsNewPack(null, 1, 10)).toBe(true);
    expect(needsNewPack(5, 5, 10)).toBe(false);
    expect(needsNewPack(5, 6, 10)).toBe(true);
  });
});

describe('thresholds', () => {
  it('defaults and metadata overrides', () => {
    expect(resolveBlobThresholds(undefined)).toEqual({ inline: 64 * KiB, dedicated: 4 * MiB, packFile: 1 << 30 });
    const md = new Map([[BLOB_INLINE_THRESHOLD_KEY, '0'], [BLOB_DEDICATED_THRESHOLD_KEY, '100000'], [BLOB_PACK_FILE_THRESHOLD_KEY, '150000']]);
    expect(resolveBlobThresholds(md)).toEqual({ inline: 0, dedicated: 100000, packFile: 150000 });
  });

  it('rejects bad values with a typed error', () => {
    for (const [k, v] of [[BLOB_DEDICATED_THRESHOLD_KEY, '0'], [BLOB_PACK_FILE_THRESHOLD_KEY, '0'], [BLOB_INLINE_THRESHOLD_KEY, '-1'], [BLOB_INLINE_THRESHOLD_KEY, '1.5'], [BLOB_INLINE_THRESHOLD_KEY, 'abc']] as const) {
      expect(() => resolveBlobThresholds({ [k]: v }, 'payload')).toThrow(expect.objectContaining({ code: 'BAD_BLOB_THRESHOLD' }));
    }
    expect(() => blobThresholdMetadata({ dedicatedSizeThreshold: 0 }, 'x')).toThrow(expect.objectContaining({ code: 'BAD_BLOB_THRESHOLD' }));
    expect(() => blobThresholdMetadata({ packFileSizeThreshold: -5 }, 'x')).toThrow(expect.objectContaining({ code: 'BAD_BLOB_THRESHOLD' }));
    expect(blobThresholdMetadata({ inlineSizeThreshold: 0 }, 'x')).toEqual({ [BLOB_INLINE_THRESHOLD_KEY]: '0' });
  });

  it('property: metadata written by blobThresholdMetadata resolves back to the same thresholds', () => {
    fc.assert(
      fc.property(thresholdsArb, (t) => {
        const md = blobThresholdMetadata({ inlineSizeThreshold: t.inline, dedicatedSizeThreshold: t.dedicated, packFileSizeThreshold: t.packFile }, 'f');
        expect(resolveBlobThresholds(md, 'f')).toEqual(t);
      }),
      { numRuns: 200 },
    );
  });
});
