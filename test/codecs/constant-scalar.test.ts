import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeConstantScalar, encodeConstantScalar } from '../../src/format/codecs/constant-scalar.js';

describe('constant-layout scalar buffer', () => {
  it('round-trips for i32 and i64 offsets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (v, large) => {
        expect(decodeConstantScalar(encodeConstantScalar(v, large))).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });

  it('matches the bytes Lance 12 wrote for binary [1, 2] and large_binary [9, 9, 9]', () => {
    const small = Buffer.from('0200000008000000020000000000000002000000' + '0102', 'hex');
    expect(Array.from(decodeConstantScalar(small))).toEqual([1, 2]);
    const large = Buffer.from('02000000100000000300000000000000000000000300000000000000' + '090909' + '4848', 'hex');
    expect(Array.from(decodeConstantScalar(large))).toEqual([9, 9, 9]);
  });

  it('rejects unexpected buffer counts and offsets past the data', () => {
    expect(() => decodeConstantScalar(Buffer.from('030000000800000000000000', 'hex'))).toThrow(/3 buffers/);
    expect(() => decodeConstantScalar(Buffer.from('02000000080000000100000000000000050000000a', 'hex'))).toThrow(/offsets \[0, 5\)/);
  });
});
