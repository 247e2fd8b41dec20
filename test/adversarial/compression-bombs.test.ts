// General-compression buffers (LZ4, ZSTD) whose declared sizes exceed what their bytes can
// expand to: refused before the output is allocated.
import { describe, expect, it } from 'vitest';
import { compressGeneral, decompressGeneral } from '../../src/format/codecs/registry.js';
import { LanceFormatError } from '../../src/errors.js';
import { zstdRleFrame } from './hostile-bytes.js';

function refusedFast(f: () => unknown): void {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  expect(f).toThrow(LanceFormatError);
  expect(performance.now() - t0).toBeLessThan(100);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
}

const prefixed = (width: 4 | 8, claim: number, body: Uint8Array) => {
  const out = new Uint8Array(width + body.length);
  const dv = new DataView(out.buffer);
  if (width === 4) dv.setUint32(0, claim, true);
  else dv.setBigUint64(0, BigInt(claim), true);
  out.set(body, width);
  return out;
};

describe('compression bombs in data file buffers', () => {
  it('a ZSTD buffer whose u64 prefix claims 1.5 GB for a 17-byte frame', () => {
    refusedFast(() => decompressGeneral('zstd', prefixed(8, 1_500_000_000, zstdRleFrame(16, 16))));
  });

  it('a bare ZSTD frame whose header claims 1.9 GB', () => {
    refusedFast(() => decompressGeneral('zstd', zstdRleFrame(1_900_000_000, 16)));
  });

  it('an LZ4 block whose u32 prefix claims 4 GB for 10 bytes', () => {
    refusedFast(() => decompressGeneral('lz4', prefixed(4, 0xffff_fff0, new Uint8Array(10))));
  });

  it('honest buffers still round-trip, including highly compressible ones', () => {
    const zeros = new Uint8Array(1 << 14);
    for (const scheme of ['zstd', 'lz4'] as const) {
      try {
        expect(decompressGeneral(scheme, compressGeneral(scheme, zeros))).toEqual(zeros);
      } catch (e) {
        // No compressor registered for this scheme in lancet: only the decoders are tested.
        expect((e as LanceFormatError).code).toBe('MISSING_CODEC');
      }
    }
    const rle = zstdRleFrame(1 << 22, 1 << 22);
    expect(decompressGeneral('zstd', prefixed(8, 1 << 22, rle)).length).toBe(1 << 22);
  });
});
