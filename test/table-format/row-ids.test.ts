import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBinary } from '@bufbuild/protobuf';
import { decodeRowIdSequence, encodeRowIdSequence } from '../../src/format/table/row-ids.js';
import { RowIdSequenceSchema } from '../../src/format/proto/rowids_pb.js';
import { LanceFormatError } from '../../src/errors.js';

const idLists = fc.oneof(
  fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 300 }),
  // Mostly consecutive with holes: ranges, holes and bitmaps.
  fc.tuple(fc.bigInt({ min: 0n, max: 1n << 50n }), fc.array(fc.nat(3), { maxLength: 500 })).map(([start, gaps]) => {
    let v = start;
    return gaps.map((g) => (v += BigInt(g) + 1n));
  }),
  fc.tuple(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.nat(3000)).map(([s, n]) => Array.from({ length: n }, (_, i) => s + BigInt(i))),
);

describe('row id sequences', () => {
  it('round-trip any list of u64 in order', () => {
    fc.assert(
      fc.property(idLists, (ids) => {
        expect(decodeRowIdSequence(encodeRowIdSequence(ids))).toEqual(ids);
      }),
      { numRuns: 300 },
    );
  });

  it('stores a fresh fragment as one Range, like Lance', () => {
    const ids = Array.from({ length: 12000 }, (_, i) => 11000n + BigInt(i));
    const seq = fromBinary(RowIdSequenceSchema, encodeRowIdSequence(ids));
    expect(seq.segments).toHaveLength(1);
    expect(seq.segments[0]!.segment.case).toBe('range');
    expect(seq.segments[0]!.segment.value).toMatchObject({ start: 11000n, end: 23000n });
  });

  it('rejects garbage with a typed error', () => {
    expect(() => decodeRowIdSequence(new Uint8Array([0x0a, 0xff, 0xff]), 'f')).toThrow(LanceFormatError);
  });
});
