// The codecs as seen through the file reader's dispatcher (src/format/file/reader/compressive.ts):
// protobuf encodings in, DecodedValues out, in mini-block, block and full-zip contexts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import {
  CompressionScheme,
  CompressiveEncodingSchema,
  type CompressiveEncoding,
} from '../../src/format/proto/encodings_v2_1_pb.js';
import { decodeBlockValues, decodeFullZipValues, decodeMiniBlockValues } from '../../src/format/file/reader/compressive.js';
import { encodeInlineBitpacking, encodeOutOfLineBitpacking } from '../../src/format/codecs/bitpacking.js';
import { encodeRle, encodeRleBlock } from '../../src/format/codecs/rle.js';
import { encodeFsst } from '../../src/format/codecs/fsst.js';
import { compressGeneral } from '../../src/format/codecs/registry.js';
import { encodeByteStreamSplit } from '../../src/format/codecs/byte-stream-split.js';

const where = { path: 'test.lance', offset: 0 };
type Enc = CompressiveEncoding['compression'];
const enc = (compression: Enc): CompressiveEncoding => create(CompressiveEncodingSchema, { compression });
const flat = (bits: number): CompressiveEncoding => enc({ case: 'flat', value: { bitsPerValue: BigInt(bits) } as never });
const variable = (bits: number): CompressiveEncoding => enc({ case: 'variable', value: { offsets: flat(bits) } as never });

function u32(values: number[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(values).buffer);
}

function variableChunk(strs: Uint8Array[]): Uint8Array {
  // Mini-block Variable: (n+1) u32 offsets relative to the buffer start, then the bytes.
  const head = (strs.length + 1) * 4;
  const offs = [head];
  for (const s of strs) offs.push(offs[offs.length - 1]! + s.length);
  const out = new Uint8Array(offs[offs.length - 1]!);
  out.set(u32(offs));
  let p = head;
  for (const s of strs) {
    out.set(s, p);
    p += s.length;
  }
  return out;
}

function stringsOf(v: { kind: string; offsets?: Uint32Array | BigUint64Array; data?: Uint8Array }): string[] {
  if (v.kind !== 'variable') throw new Error(`expected variable, got ${v.kind}`);
  const out: string[] = [];
  for (let i = 0; i + 1 < v.offsets!.length; i++) out.push(new TextDecoder().decode(v.data!.subarray(Number(v.offsets![i]), Number(v.offsets![i + 1]))));
  return out;
}

describe('dispatcher wiring', () => {
  it('mini-block InlineBitpacking(32) and block OutOfLineBitpacking(16) levels', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100000 }), { minLength: 1, maxLength: 1024 }), (vals) => {
        const e = enc({ case: 'inlineBitpacking', value: { uncompressedBitsPerValue: 32n } as never });
        const out = decodeMiniBlockValues(e, [encodeInlineBitpacking(u32(vals), 32, vals.length)], vals.length, where);
        expect(out.kind === 'fixed' && Array.from(new Uint32Array(out.data.slice().buffer))).toEqual(vals);
        const levels = vals.map((v) => v & 1);
        const lv = new Uint8Array(Uint16Array.from(levels).buffer);
        const oe = enc({ case: 'outOfLineBitpacking', value: { uncompressedBitsPerValue: 16n, values: flat(1) } as never });
        const dec = decodeBlockValues(oe, encodeOutOfLineBitpacking(lv, 16, 1, levels.length), levels.length, where);
        expect(dec.kind === 'fixed' && Array.from(new Uint16Array(dec.data.slice().buffer))).toEqual(levels);
      }),
      { numRuns: 60 },
    );
  });

  it('Rle in mini-block (two buffers) and block (def levels) forms', () => {
    const vals = [5, 5, 5, 7, 7, 9, ...new Array(300).fill(1)];
    const bytes = u32(vals);
    const r = encodeRle(bytes, 4, vals.length);
    const e = enc({ case: 'rle', value: { values: flat(32), runLengths: flat(8) } as never });
    const out = decodeMiniBlockValues(e, [r.values, r.runLengths], vals.length, where);
    expect(out.kind === 'fixed' && Array.from(new Uint32Array(out.data.slice().buffer))).toEqual(vals);
    const lv = new Uint8Array(Uint16Array.from([0, 0, 1, 1, 1, 0]).buffer);
    const be = enc({ case: 'rle', value: { values: flat(16), runLengths: flat(8) } as never });
    const dec = decodeBlockValues(be, encodeRleBlock(lv, 2, 6), 6, where);
    expect(dec.kind === 'fixed' && dec.data).toEqual(lv);
    const v2 = enc({ case: 'rle', value: { values: flat(16), runLengths: flat(16) } as never });
    expect(() => decodeBlockValues(v2, encodeRleBlock(lv, 2, 6), 6, where)).toThrow(/16-bit run lengths/);
  });

  it('Fsst over Variable in a mini-block chunk', () => {
    const te = new TextEncoder();
    const strs = ['hello world', 'hello lance', '', 'world of lance!'];
    const { table, offsets, codes } = encodeFsst([te.encode('hello'), te.encode(' world'), te.encode('lance')], strs.map((s) => te.encode(s)));
    const chunk = variableChunk(Array.from({ length: strs.length }, (_, i) => codes.subarray(offsets[i]!, offsets[i + 1]!)));
    const e = enc({ case: 'fsst', value: { symbolTable: table, values: variable(32) } as never });
    expect(stringsOf(decodeMiniBlockValues(e, [chunk], strs.length, where))).toEqual(strs);
  });

  it('General(LZ4){Variable} dictionary block and General(ZSTD-like) per value in full-zip', () => {
    const te = new TextEncoder();
    const items = ['red', 'green', 'blue'];
    // Block form of Variable: u32 32, u32 data start, offsets (relative to data start), bytes.
    const offs = [0, 3, 8, 12];
    const start = 8 + offs.length * 4;
    const block = new Uint8Array(start + 12);
    block.set(u32([32, start, ...offs]));
    block.set(te.encode('redgreenblue'), start);
    const g = (values: CompressiveEncoding): CompressiveEncoding =>
      enc({ case: 'general', value: { compression: { scheme: CompressionScheme.COMPRESSION_ALGORITHM_LZ4 }, values } as never });
    expect(stringsOf(decodeBlockValues(g(variable(32)), compressGeneral('lz4', block), 3, where))).toEqual(items);

    const vals = ['x'.repeat(5000), '', 'abc'.repeat(3000)];
    const comp = vals.map((s) => (s ? compressGeneral('lz4', te.encode(s)) : new Uint8Array(0)));
    const offsets = new Uint32Array(4);
    comp.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
    const data = new Uint8Array(offsets[3]!);
    comp.forEach((c, i) => data.set(c, offsets[i]!));
    const out = decodeFullZipValues(g(variable(32)), { kind: 'variable', numValues: 3, offsets, data }, where);
    expect(stringsOf(out)).toEqual(vals);
  });

  it('General in a mini-block decompresses only the first buffer', () => {
    const vals = Array.from({ length: 512 }, (_, i) => i % 10);
    const e = enc({ case: 'general', value: { compression: { scheme: CompressionScheme.COMPRESSION_ALGORITHM_LZ4 }, values: flat(32) } as never });
    const out = decodeMiniBlockValues(e, [compressGeneral('lz4', u32(vals))], vals.length, where);
    expect(out.kind === 'fixed' && Array.from(new Uint32Array(out.data.slice().buffer))).toEqual(vals);
  });

  it('ByteStreamSplit of f64', () => {
    const vals = [1.5, -2.25, Math.PI, 1e300];
    const bytes = new Uint8Array(Float64Array.from(vals).buffer);
    const e = enc({ case: 'byteStreamSplit', value: { values: flat(64) } as never });
    const out = decodeMiniBlockValues(e, [encodeByteStreamSplit(bytes, 8, 4)], 4, where);
    expect(out.kind === 'fixed' && Array.from(new Float64Array(out.data.slice().buffer))).toEqual(vals);
  });

  it('codec errors carry the page location', () => {
    const e = enc({ case: 'inlineBitpacking', value: { uncompressedBitsPerValue: 16n } as never });
    expect(() => decodeMiniBlockValues(e, [Uint8Array.of(17, 0)], 4, { path: 'x.lance', offset: 4096 })).toThrow(/bit width 17.*x\.lance at byte 4096/);
  });
});
