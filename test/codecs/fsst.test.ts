import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFsst, encodeFsst, FSST_TABLE_BYTES, parseFsstSymbolTable } from '../../src/format/codecs/fsst.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function strings(batch: { offsets: Uint32Array | BigUint64Array; data: Uint8Array }): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < batch.offsets.length; i++) out.push(dec.decode(batch.data.subarray(Number(batch.offsets[i]), Number(batch.offsets[i + 1]))));
  return out;
}

describe('FSST', () => {
  it('decodes what a greedy encoder produced, with u32 and u64 offsets', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme-ascii' }), { maxLength: 255 }),
        fc.array(fc.string({ maxLength: 40, unit: 'binary' }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 5 }),
        (symbols, strs, lead) => {
          const { table, offsets, codes } = encodeFsst(symbols.map((s) => enc.encode(s)), strs.map((s) => enc.encode(s)));
          expect(table.length).toBe(FSST_TABLE_BYTES);
          const st = parseFsstSymbolTable(table);
          expect(st.encoderOn).toBe(true);
          expect(st.numSymbols).toBe(symbols.length);
          // Offsets that do not start at 0 (as inside a chunk shared with other data).
          const padded = new Uint8Array(lead + codes.length);
          padded.set(codes, lead);
          const shifted = offsets.map((o) => o + lead);
          expect(strings(decodeFsst(st, shifted, padded))).toEqual(strs);
          const wide = BigUint64Array.from(shifted, (o) => BigInt(o));
          const out = decodeFsst(st, wide, padded);
          expect(out.offsets).toBeInstanceOf(BigUint64Array);
          expect(strings(out)).toEqual(strs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('passes bytes through when the table says the encoder was off', () => {
    const table = new Uint8Array(FSST_TABLE_BYTES);
    new DataView(table.buffer).setUint32(4, 0x46535354, true);
    const st = parseFsstSymbolTable(table);
    expect(st.encoderOn).toBe(false);
    const data = enc.encode('xxhelloworld');
    expect(strings(decodeFsst(st, Uint32Array.of(2, 7, 12), data))).toEqual(['hello', 'world']);
  });

  it('rejects a missing magic and codes beyond the table', () => {
    expect(() => parseFsstSymbolTable(new Uint8Array(FSST_TABLE_BYTES))).toThrow(/magic/);
    const { table } = encodeFsst([enc.encode('ab')], []);
    expect(() => decodeFsst(parseFsstSymbolTable(table), Uint32Array.of(0, 1), Uint8Array.of(3))).toThrow(/code 3/);
  });
});
