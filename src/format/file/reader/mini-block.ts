// Mini-block page framing: the chunk table (buffer 0) and the per-chunk header that splits a
// chunk into its rep/def level buffers and value buffers (LANCE-FORMAT §7.3).
import { LanceFormatError } from '../../../errors.js';
import type { MiniBlockLayout } from '../../proto/encodings_v2_1_pb.js';
import { decodeBlockValues, decodeMiniBlockValues, type DecodedValues, type Where } from './compressive.js';
import { levelsOf } from './page-jobs.js';

export interface ChunkInfo {
  /** Byte offset of the chunk inside page buffer 1. */
  byteOffset: number;
  byteLength: number;
  firstRow: number;
  numValues: number;
}

/**
 * Parses chunk metadata words: `((bytes / 8) - 1) << 4 | log2(values)`, u16 words in 2.1 and
 * u32 in 2.2 (has_large_chunk). The last chunk holds whatever values remain.
 */
export function parseChunkTable(meta: Uint8Array, large: boolean, numItems: number, dataSize: number, where: Where): ChunkInfo[] {
  const w = large ? 4 : 2;
  if (meta.length % w !== 0) throw new LanceFormatError('BAD_PAGE', `chunk table of ${meta.length} bytes is not a whole number of ${w}-byte words`, where);
  const dv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const n = meta.length / w;
  const out: ChunkInfo[] = [];
  let byteOffset = 0;
  let firstRow = 0;
  for (let i = 0; i < n; i++) {
    const word = large ? dv.getUint32(i * 4, true) : dv.getUint16(i * 2, true);
    const byteLength = ((word >>> 4) + 1) * 8;
    const log = word & 0xf;
    const numValues = i === n - 1 ? numItems - firstRow : 2 ** log;
    if (numValues <= 0 || firstRow + numValues > numItems) {
      throw new LanceFormatError('BAD_PAGE', `chunk ${i} claims ${numValues} values; the page has ${numItems} items and ${firstRow} are in earlier chunks`, where);
    }
    if (byteOffset + byteLength > dataSize) {
      throw new LanceFormatError('BAD_PAGE', `chunk ${i} [${byteOffset}, +${byteLength}) runs past the ${dataSize}-byte chunk buffer`, where);
    }
    out.push({ byteOffset, byteLength, firstRow, numValues });
    byteOffset += byteLength;
    firstRow += numValues;
  }
  if (firstRow !== numItems) throw new LanceFormatError('BAD_PAGE', `chunks hold ${firstRow} values, the page has ${numItems}`, where);
  return out;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Splits one chunk and decodes its definition levels and values. */
export function decodeMiniBlockChunk(
  m: MiniBlockLayout,
  chunk: Uint8Array,
  numValues: number,
  where: Where,
): { values: DecodedValues; levels: ArrayLike<number> | null; rep: ArrayLike<number> | null; numLevels: number } {
  const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const nb = Number(m.numBuffers);
  const sw = m.hasLargeChunk ? 4 : 2;
  const hasDef = !!m.defCompression;
  const hasRep = !!m.repCompression;
  const headerLen = 2 + (hasRep ? 2 : 0) + (hasDef ? 2 : 0) + nb * sw;
  if (nb > 64 || headerLen > chunk.length) throw new LanceFormatError('BAD_PAGE', `chunk header of ${nb} buffers does not fit in ${chunk.length} bytes`, where);
  const numLevels = dv.getUint16(0, true);
  let p = 2;
  let repSize = 0;
  if (hasRep) {
    repSize = dv.getUint16(p, true);
    p += 2;
  }
  let defSize = 0;
  if (hasDef) {
    defSize = dv.getUint16(p, true);
    p += 2;
  }
  const sizes: number[] = [];
  for (let i = 0; i < nb; i++, p += sw) sizes.push(sw === 4 ? dv.getUint32(p, true) : dv.getUint16(p, true));
  let at = pad8(headerLen);
  const cut = (len: number): Uint8Array => {
    if (at + len > chunk.length) throw new LanceFormatError('BAD_PAGE', `chunk buffer of ${len} bytes at ${at} runs past the ${chunk.length}-byte chunk`, where);
    const b = chunk.subarray(at, at + len);
    at = pad8(at + len);
    return b;
  };
  // With lists, null and empty lists add level entries that carry no value.
  if ((hasRep ? numLevels < numValues : hasDef && numLevels !== numValues)) {
    throw new LanceFormatError('BAD_PAGE', `chunk has ${numLevels} rep/def levels for ${numValues} values`, where);
  }
  let rep: ArrayLike<number> | null = null;
  if (hasRep) rep = levelsOf(decodeBlockValues(m.repCompression, cut(repSize), numLevels, where), numLevels, where);
  let levels: ArrayLike<number> | null = null;
  if (hasDef) levels = levelsOf(decodeBlockValues(m.defCompression, cut(defSize), numLevels, where), numLevels, where);
  const buffers = sizes.map(cut);
  return { values: decodeMiniBlockValues(m.valueCompression, buffers, numValues, where), levels, rep, numLevels: hasRep || hasDef ? numLevels : numValues };
}
