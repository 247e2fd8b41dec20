import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fastlanesPack, fastlanesUnpack, type WordBits } from '../../src/format/codecs/fastlanes.js';
import {
  decodeInlineBitpacking,
  decodeOutOfLineBitpacking,
  encodeInlineBitpacking,
  encodeOutOfLineBitpacking,
} from '../../src/format/codecs/bitpacking.js';

const WIDTHS: WordBits[] = [8, 16, 32, 64];

// Naive reference straight from the layout description (LANCE-FORMAT §7.5), bit by bit with BigInt,
// so the fast kernels are checked against the spec and not only against each other.
function referencePack(t: number, bw: number, values: bigint[]): bigint[] {
  const lanes = 1024 / t;
  const order = [0, 4, 2, 6, 1, 5, 3, 7];
  const packed: bigint[] = new Array(lanes * bw).fill(0n);
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < t; row++) {
      const v = values[order[Math.floor(row / 8)]! * 16 + (row % 8) * 128 + lane]!;
      for (let b = 0; b < bw; b++) {
        if ((v >> BigInt(b)) & 1n) {
          const pos = row * bw + b;
          const w = Math.floor(pos / t);
          packed[lanes * w + lane] = packed[lanes * w + lane]! | (1n << BigInt(pos % t));
        }
      }
    }
  }
  return packed;
}

function toBytes(t: number, words: bigint[]): Uint8Array {
  const out = new Uint8Array((words.length * t) / 8);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => {
    for (let k = 0; k < t / 8; k++) dv.setUint8(i * (t / 8) + k, Number((w >> BigInt(8 * k)) & 0xffn));
  });
  return out;
}

function fromBytes(t: number, bytes: Uint8Array): bigint[] {
  const n = bytes.length / (t / 8);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let v = 0n;
    for (let k = t / 8 - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i * (t / 8) + k]!);
    out.push(v);
  }
  return out;
}

const blockArb = fc
  .constantFrom(...WIDTHS)
  .chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 0, max: t })))
  .chain(([t, bw]) =>
    fc.tuple(
      fc.constant(t),
      fc.constant(bw),
      fc.array(fc.bigInt({ min: 0n, max: bw === 0 ? 0n : (1n << BigInt(bw)) - 1n }), { minLength: 1024, maxLength: 1024 }),
    ),
  );

describe('FastLanes block packing', () => {
  it('pack matches the reference layout and unpack inverts it (every T, every width)', () => {
    fc.assert(
      fc.property(blockArb, ([t, bw, values]) => {
        const bytes = toBytes(t, values);
        const packed = fastlanesPack(t, bw, bytes);
        expect(packed.length).toBe(128 * bw);
        expect(fromBytes(t, packed)).toEqual(referencePack(t, bw, values));
        const out = new Uint8Array(bytes.length);
        fastlanesUnpack(t, bw, packed, out);
        expect(fromBytes(t, out)).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it('covers all 4 × (T + 1) word/width pairs explicitly', () => {
    for (const t of WIDTHS) {
      for (let bw = 0; bw <= t; bw++) {
        const max = bw === 0 ? 0n : (1n << BigInt(bw)) - 1n;
        // Pseudo-random but deterministic values that use the top bit of the width.
        const values = Array.from({ length: 1024 }, (_, i) => (BigInt(i * 2654435761) * 0x9e3779b97f4a7c15n + BigInt(i)) & max);
        values[7] = max;
        const packed = fastlanesPack(t, bw, toBytes(t, values));
        const out = new Uint8Array((1024 * t) / 8);
        fastlanesUnpack(t, bw, packed, out);
        expect(fromBytes(t, out)).toEqual(values);
      }
    }
  });

  it('unpacks from misaligned input and into an offset', () => {
    const values = Array.from({ length: 1024 }, (_, i) => BigInt(i));
    const packed = fastlanesPack(32, 11, toBytes(32, values));
    const shifted = new Uint8Array(packed.length + 1);
    shifted.set(packed, 1);
    const out = new Uint8Array(4096 + 8);
    fastlanesUnpack(32, 11, shifted.subarray(1), out, 8);
    expect(fromBytes(32, out.subarray(8))).toEqual(values);
  });

  it('rejects widths beyond T and short input', () => {
    expect(() => fastlanesUnpack(8, 9, new Uint8Array(2000), new Uint8Array(1024))).toThrow(/bit width 9/);
    expect(() => fastlanesUnpack(16, 4, new Uint8Array(10), new Uint8Array(2048))).toThrow(/needs 512 bytes/);
  });
});

describe('InlineBitpacking chunks', () => {
  it('round-trips chunks of 1..1024 values for every T', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WIDTHS).chain((t) =>
          fc.tuple(fc.constant(t), fc.array(fc.bigInt({ min: 0n, max: (1n << BigInt(t)) - 1n }), { minLength: 1, maxLength: 1024 })),
        ),
        fc.integer({ min: 0, max: 64 }),
        ([t, raw], shift) => {
          // Narrow most values so widths vary, not just the full width.
          const values = raw.map((v) => v >> BigInt(Math.min(shift, t)));
          const chunk = encodeInlineBitpacking(toBytes(t, values), t, values.length);
          const bw = chunk[0]!;
          expect(chunk.length).toBe(t / 8 + 128 * bw); // always a full 1024-slot block
          expect(fromBytes(t, decodeInlineBitpacking(chunk, t, values.length))).toEqual(values);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('rejects a width word larger than T', () => {
    const chunk = new Uint8Array(2 + 128 * 17);
    chunk[0] = 17;
    expect(() => decodeInlineBitpacking(chunk, 16, 10)).toThrow(/bit width 17/);
  });
});

describe('OutOfLineBitpacking buffers', () => {
  it('round-trips with packed and raw tails, telling them apart by length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WIDTHS).chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 1, max: t }))),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom<'auto' | 'packed' | 'raw'>('auto', 'packed', 'raw'),
        fc.integer({ min: 0, max: 1 << 30 }),
        ([t, bw], n, tail, seed) => {
          const max = (1n << BigInt(bw)) - 1n;
          const values = Array.from({ length: n }, (_, i) => (BigInt(seed) * 6364136223846793005n + BigInt(i) * 1442695040888963407n) & max);
          const rest = n % 1024;
          // A forced packed tail whose size equals the raw size is ambiguous; Lance never writes it.
          const ambiguous = rest > 0 && (rest * t) / 8 === 128 * bw;
          const mode = ambiguous && tail === 'packed' ? 'raw' : tail;
          const buf = encodeOutOfLineBitpacking(toBytes(t, values), t, bw, n, mode);
          expect(fromBytes(t, decodeOutOfLineBitpacking(buf, t, bw, n))).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows Lance’s tail rule: 1-bit levels for 10 values stay raw, 1000 values get packed', () => {
    const ten = encodeOutOfLineBitpacking(new Uint8Array(20), 16, 1, 10);
    expect(ten.length).toBe(20);
    const many = encodeOutOfLineBitpacking(new Uint8Array(2000), 16, 1, 1000);
    expect(many.length).toBe(128);
  });

  it('reports truncated buffers', () => {
    expect(() => decodeOutOfLineBitpacking(new Uint8Array(100), 16, 1, 2048)).toThrow(/too short/);
  });
});
