import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRle, decodeRleBlock, encodeRle, encodeRleBlock } from '../../src/format/codecs/rle.js';

// Values with long runs: a few distinct values repeated in runs of 1..600 (crossing the u8 limit).
const runsArb = fc.constantFrom(1, 2, 4, 8).chain((width) =>
  fc.tuple(
    fc.constant(width),
    fc.array(fc.tuple(fc.uint8Array({ minLength: width, maxLength: width }), fc.integer({ min: 1, max: 600 })), { minLength: 0, maxLength: 20 }),
  ),
);

// Byte-wise equality without vitest's per-element diffing (large buffers).
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function expand(width: number, runs: [Uint8Array, number][]): Uint8Array {
  const total = runs.reduce((a, [, n]) => a + n, 0);
  const out = new Uint8Array(total * width);
  let p = 0;
  for (const [v, n] of runs) for (let i = 0; i < n; i++, p++) out.set(v, p * width);
  return out;
}

describe('RLE', () => {
  it('mini-block form round-trips and splits runs longer than 255', () => {
    fc.assert(
      fc.property(runsArb, ([width, runs]) => {
        const data = expand(width, runs);
        const n = data.length / width;
        const enc = encodeRle(data, width, n);
        expect(enc.values.length).toBe(enc.runLengths.length * width);
        for (const len of enc.runLengths) expect(len).toBeGreaterThan(0);
        expect(same(decodeRle(enc.values, enc.runLengths, width, n), data)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('block form round-trips', () => {
    fc.assert(
      fc.property(runsArb, ([width, runs]) => {
        const data = expand(width, runs);
        const n = data.length / width;
        const block = encodeRleBlock(data, width, n);
        expect(Number(new DataView(block.buffer).getBigUint64(0, true))).toBe(block.length - 8 - (block.length - 8) / (width + 1));
        expect(same(decodeRleBlock(block, width, n), data)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('stops at numValues like Lance and rejects runs that fall short', () => {
    const values = Uint8Array.of(1, 0, 2, 0);
    const lengths = Uint8Array.of(3, 3);
    expect(Array.from(new Uint16Array(decodeRle(values, lengths, 2, 4).buffer))).toEqual([1, 1, 1, 2]);
    expect(() => decodeRle(values, lengths, 2, 7)).toThrow(/cover 6 values but 7/);
    expect(() => decodeRle(values, Uint8Array.of(3), 2, 2)).toThrow(/2 run values but 1 run lengths/);
  });

  it('rejects a block whose values size runs past the end', () => {
    const block = new Uint8Array(12);
    new DataView(block.buffer).setBigUint64(0, 100n, true);
    expect(() => decodeRleBlock(block, 2, 1)).toThrow(/declares 100 value bytes/);
  });
});
