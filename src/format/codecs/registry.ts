// Pluggable general-purpose codecs. Built-ins (our LZ4 block codec, fzstd) are registered at
// load; callers may replace them (e.g. with a native or wasm zstd) via registerCodec.
import { LanceFormatError, MissingCodecError } from '../../errors.js';
import { CompressionScheme } from '../proto/encodings_v2_1_pb.js';
import { lz4CompressBlock, lz4DecompressBlock } from './lz4.js';
import { looksLikeBareZstdFrame, zstdDecompress } from './zstd.js';

export type CodecScheme = 'lz4' | 'zstd';

export interface Codec {
  /** Decompresses a raw LZ4 block / zstd frame (Lance's length prefix already stripped). */
  decompress(src: Uint8Array, uncompressedLength?: number): Uint8Array;
  compress?(src: Uint8Array): Uint8Array;
}

const codecs = new Map<CodecScheme, Codec>();

export function registerCodec(scheme: CodecScheme, codec: Codec): void {
  codecs.set(scheme, codec);
}

/** Removes a codec (mainly so tests can exercise the missing-codec path). */
export function unregisterCodec(scheme: CodecScheme): void {
  codecs.delete(scheme);
}

export function getCodec(scheme: CodecScheme): Codec {
  const codec = codecs.get(scheme);
  if (!codec) {
    throw new MissingCodecError(
      'MISSING_CODEC',
      `no codec registered for "${scheme}" compression; call registerCodec('${scheme}', { decompress }) before reading this file`,
      { scheme },
    );
  }
  return codec;
}

/** Maps the protobuf CompressionScheme (or a name) to a registry scheme. */
export function schemeName(scheme: CompressionScheme | CodecScheme): CodecScheme {
  if (scheme === 'lz4' || scheme === CompressionScheme.COMPRESSION_ALGORITHM_LZ4) return 'lz4';
  if (scheme === 'zstd' || scheme === CompressionScheme.COMPRESSION_ALGORITHM_ZSTD) return 'zstd';
  throw new LanceFormatError('UNSUPPORTED_ENCODING', `unknown general compression scheme ${String(scheme)} (expected LZ4 = 1 or ZSTD = 2)`);
}

/**
 * Decompresses one buffer written by Lance's General compression:
 * LZ4 = `u32 LE uncompressed size` + raw block; ZSTD = `u64 LE uncompressed size` + frame, or,
 * in older files, a bare frame (told apart by the magic and the FHD reserved bit).
 */
export function decompressGeneral(scheme: CompressionScheme | CodecScheme, buf: Uint8Array): Uint8Array {
  const name = schemeName(scheme);
  const codec = getCodec(name);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (name === 'lz4') {
    if (buf.byteLength < 4) {
      throw new LanceFormatError('TRUNCATED_DATA', `LZ4 buffer of ${buf.byteLength} bytes lacks its u32 size prefix`);
    }
    return codec.decompress(buf.subarray(4), dv.getUint32(0, true));
  }
  if (buf.byteLength === 0) return new Uint8Array(0);
  if (looksLikeBareZstdFrame(buf)) return codec.decompress(buf);
  const len = dv.getBigUint64(0, true);
  if (len > BigInt(Number.MAX_SAFE_INTEGER) || len > 0x7fffffffn) {
    throw new LanceFormatError('BAD_COMPRESSED_DATA', `zstd buffer declares ${len} uncompressed bytes, more than one buffer can hold`);
  }
  return codec.decompress(buf.subarray(8), Number(len));
}

/** Compresses in Lance's General format (with the size prefix), for writers and tests. */
export function compressGeneral(scheme: CompressionScheme | CodecScheme, src: Uint8Array): Uint8Array {
  const name = schemeName(scheme);
  const codec = getCodec(name);
  if (!codec.compress) {
    throw new MissingCodecError('MISSING_CODEC', `the registered "${name}" codec cannot compress; register one with compress()`, { scheme: name });
  }
  const body = codec.compress(src);
  const prefix = name === 'lz4' ? 4 : 8;
  const out = new Uint8Array(prefix + body.byteLength);
  const dv = new DataView(out.buffer);
  if (prefix === 4) dv.setUint32(0, src.byteLength, true);
  else dv.setBigUint64(0, BigInt(src.byteLength), true);
  out.set(body, prefix);
  return out;
}

registerCodec('lz4', {
  decompress(src, uncompressedLength) {
    if (uncompressedLength === undefined) {
      throw new LanceFormatError('BAD_COMPRESSED_DATA', 'LZ4 blocks need the uncompressed length (Lance stores it as a u32 prefix)');
    }
    // Each LZ4 length byte adds at most 255 output bytes, so a longer claim is a bomb, refused
    // before the output is allocated.
    if (uncompressedLength > src.byteLength * 255 + 64) {
      throw new LanceFormatError('BAD_COMPRESSED_DATA', `LZ4 block of ${src.byteLength} bytes claims ${uncompressedLength} uncompressed bytes, more than it can expand to`);
    }
    return lz4DecompressBlock(src, uncompressedLength);
  },
  compress: lz4CompressBlock,
});

registerCodec('zstd', { decompress: zstdDecompress });
