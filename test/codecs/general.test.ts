import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { lz4CompressBlock, lz4DecompressBlock } from '../../src/format/codecs/lz4.js';
import { compressGeneral, decompressGeneral, getCodec, registerCodec, unregisterCodec } from '../../src/format/codecs/registry.js';
import { CompressionScheme } from '../../src/format/proto/encodings_v2_1_pb.js';
import { MissingCodecError } from '../../src/errors.js';

// Compressible data: repeated fragments from a small alphabet plus some noise.
const dataArb = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc
    .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 80 })), { maxLength: 40 })
    .map((parts) => Uint8Array.from(parts.flatMap(([p, n]) => Array.from({ length: n }, () => Array.from(p)).flat()))),
);

function zstdCli(data: Uint8Array, args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...args], { input: data }));
}

describe('LZ4 block', () => {
  it('round-trips and actually compresses repetitive input', () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        const c = lz4CompressBlock(data);
        expect(lz4DecompressBlock(c, data.length)).toEqual(data);
      }),
      { numRuns: 250 },
    );
    const rep = new Uint8Array(10000).map((_, i) => i % 7);
    expect(lz4CompressBlock(rep).length).toBeLessThan(200);
  });

  it('decodes a hand-built block with an overlapping match', () => {
    // literals "ab", match offset 2 length 6 → "abababab", then last literals "c"
    const block = Uint8Array.of(0x22, 0x61, 0x62, 0x02, 0x00, 0x10, 0x63);
    expect(new TextDecoder().decode(lz4DecompressBlock(block, 9))).toBe('ababababc');
  });

  it('rejects offsets before the output start and wrong lengths', () => {
    expect(() => lz4DecompressBlock(Uint8Array.of(0x10, 0x61, 0x05, 0x00), 10)).toThrow(/offset 5/);
    expect(() => lz4DecompressBlock(Uint8Array.of(0x10, 0x61), 3)).toThrow(/decoded to 1 bytes, expected 3/);
  });
});

describe('General compression (Lance framing)', () => {
  it('LZ4 with the u32 size prefix round-trips', () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        const buf = compressGeneral(CompressionScheme.COMPRESSION_ALGORITHM_LZ4, data);
        expect(new DataView(buf.buffer).getUint32(0, true)).toBe(data.length);
        expect(decompressGeneral('lz4', buf)).toEqual(data);
      }),
      { numRuns: 100 },
    );
  });

  it('ZSTD: u64 prefix + frame without content size, and the legacy bare frame', () => {
    const data = new TextEncoder().encode('lance '.repeat(5000) + 'tail');
    // --no-content-size mimics Lance's streaming encoder.
    const frame = zstdCli(data, ['--no-content-size', '-1']);
    const prefixed = new Uint8Array(8 + frame.length);
    new DataView(prefixed.buffer).setBigUint64(0, BigInt(data.length), true);
    prefixed.set(frame, 8);
    expect(decompressGeneral(CompressionScheme.COMPRESSION_ALGORITHM_ZSTD, prefixed)).toEqual(data);
    expect(decompressGeneral('zstd', frame)).toEqual(data);
    expect(decompressGeneral('zstd', zstdCli(data, ['-3']))).toEqual(data);
    expect(decompressGeneral('zstd', new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('ZSTD: a prefix that happens to start with the magic is not mistaken for a bare frame', () => {
    const frame = zstdCli(new Uint8Array(0), ['--no-content-size']);
    // Length 0xFD2FB528 with FHD byte (byte 4) having the reserved bit set → must be treated as prefixed.
    const buf = new Uint8Array(8 + frame.length);
    new DataView(buf.buffer).setBigUint64(0, 0x10_fd2fb528n, true);
    buf.set(frame, 8);
    expect(() => decompressGeneral('zstd', buf)).toThrow(/more than one buffer can hold|decoded to 0 bytes/);
  });

  it('throws MissingCodecError naming the scheme when a codec is absent, and honours replacements', () => {
    const saved = getCodec('zstd');
    try {
      unregisterCodec('zstd');
      let err: unknown;
      try {
        decompressGeneral('zstd', new Uint8Array(16));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MissingCodecError);
      expect((err as MissingCodecError).code).toBe('MISSING_CODEC');
      expect((err as Error).message).toMatch(/"zstd"/);
      registerCodec('zstd', { decompress: (src, n) => new Uint8Array(n ?? 0).fill(src[0] ?? 0) });
      const buf = new Uint8Array(9);
      buf[0] = 3;
      buf[8] = 42;
      expect(decompressGeneral('zstd', buf)).toEqual(Uint8Array.of(42, 42, 42));
    } finally {
      registerCodec('zstd', saved);
    }
  });
});
