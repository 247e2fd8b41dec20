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

/** Decompresses zstd frame(s); checks the size when `uncompressedLength` is given. */
export function zstdDecompress(src: Uint8Array, uncompressedLength?: number): Uint8Array {
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
