// ZSTD through fzstd (pure JS, decode only). Lance's streaming encoder leaves the frame content
// size out, so the caller passes the length from Lance's u64 prefix when it has one.
import { decompress } from 'fzstd';
import { LanceFormatError } from '../../errors.js';

const ZSTD_MAGIC = 0xfd2fb528;

/** True when `buf` starts with a zstd frame (magic + FHD reserved bit clear): Lance's legacy bare form. */
export function looksLikeBareZstdFrame(buf: Uint8Array): boolean {
  if (buf.byteLength < 8) return true; // too short to carry the u64 prefix, as Lance reasons
  const magic = (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
  return magic === ZSTD_MAGIC && (buf[4]! & 0x10) === 0;
}

/**
 * The most bytes `n` compressed bytes can expand to. zstd's densest block is RLE: 128 KiB of
 * output from a 3-byte header and 1 byte, so no honest frame beats 32,768:1.
 */
function maxExpansion(n: number): number {
  return n * 32768 + (1 << 17);
}
/** Largest window a frame may ask for: zstd's long-distance mode tops out at 2^27 by default. */
const MAX_WINDOW = 1 << 27;

/**
 * Refuses a frame whose header claims more output (or a larger window) than its bytes can honestly
 * produce; fzstd would otherwise allocate the claimed size up front.
 */
function checkFrameHeader(src: Uint8Array, uncompressedLength: number | undefined): void {
  const limit = maxExpansion(src.byteLength);
  if (uncompressedLength !== undefined && uncompressedLength > limit) {
    throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd buffer of ${src.byteLength} bytes claims ${uncompressedLength} uncompressed bytes, more than it can expand to`);
  }
  if (src.byteLength < 6) return;
  const magic = (src[0]! | (src[1]! << 8) | (src[2]! << 16) | (src[3]! << 24)) >>> 0;
  if (magic !== ZSTD_MAGIC) return;
  const fhd = src[4]!;
  const singleSegment = (fhd >> 5) & 1;
  const fcsBytes = fhd >> 6 === 0 ? singleSegment : 1 << (fhd >> 6);
  if (!singleSegment) {
    const wd = src[5]!;
    const base = 2 ** (10 + (wd >> 3));
    const window = base + (base / 8) * (wd & 7);
    if (window > MAX_WINDOW) throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd frame asks for a ${window}-byte window (at most ${MAX_WINDOW})`);
  }
  if (fcsBytes === 0) return;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3]!;
  if (at + fcsBytes > src.byteLength) return;
  let fcs = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + src[at + i]!;
  if (fcsBytes === 2) fcs += 256;
  if (fcs > limit) throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd frame of ${src.byteLength} bytes declares ${fcs} content bytes, more than it can expand to`);
}

/** Decompresses zstd frame(s); checks the size when `uncompressedLength` is given. */
export function zstdDecompress(src: Uint8Array, uncompressedLength?: number): Uint8Array {
  checkFrameHeader(src, uncompressedLength);
  let out: Uint8Array;
  try {
    out = uncompressedLength === undefined ? decompress(src) : decompress(src, new Uint8Array(uncompressedLength));
  } catch (cause) {
    throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd frame could not be decoded: ${(cause as Error).message}`, {}, { cause });
  }
  if (uncompressedLength !== undefined && out.byteLength !== uncompressedLength) {
    throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd frame decoded to ${out.byteLength} bytes, expected ${uncompressedLength}`);
  }
  return out;
}
