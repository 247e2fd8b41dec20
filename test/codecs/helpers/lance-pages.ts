// Test-only page walker: just enough 2.2 framing (footer → column metadata → PageLayout →
// mini-block chunks / full-zip rows / constant pages) to feed real Lance-written page bytes to
// the compressive dispatcher. The production reader lives in src/format/file/reader/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ColumnMetadataSchema } from '../../../src/format/proto/file2_pb.js';
import { PageLayoutSchema, type MiniBlockLayout, type FullZipLayout } from '../../../src/format/proto/encodings_v2_1_pb.js';
import { decodeFooter, decodeOffsetTable } from '../../../src/format/file/footer.js';
import { unpackAny } from '../../../src/format/file/any.js';
import {
  decodeBlockValues,
  decodeFullZipValues,
  decodeMiniBlockValues,
  type DecodedValues,
} from '../../../src/format/file/reader/compressive.js';
import { dictionaryLookup } from '../../../src/format/codecs/adapters.js';
import { decodeConstantScalar } from '../../../src/format/codecs/constant-scalar.js';

/** One page's decoded values plus its definition levels (null when the page has none). */
export interface PageValues {
  layout: string;
  /** e.g. "mini-block:inlineBitpacking def:rle dict:general" — which codecs the page exercised. */
  encoding?: string;
  values: DecodedValues[];
  /** Definition level per value, concatenated over chunks. */
  levels: number[] | null;
}

export function dataFileOf(datasetDir: string): string {
  const dir = path.join(datasetDir, 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.lance'));
  if (files.length !== 1) throw new Error(`expected one data file in ${dir}`);
  return path.join(dir, files[0]!);
}

export function readColumns(file: string): PageValues[][] {
  const buf = new Uint8Array(fs.readFileSync(file));
  const footer = decodeFooter(buf.subarray(buf.length - 40), buf.length, file);
  const cmo = decodeOffsetTable(buf.subarray(footer.cmoTableStart, footer.cmoTableStart + 16 * footer.numColumns), footer.numColumns, buf.length, 'cmo', {
    path: file,
    offset: footer.cmoTableStart,
  });
  return cmo.map(({ position, length }) => {
    const cm = fromBinary(ColumnMetadataSchema, buf.subarray(position, position + length));
    return cm.pages.map((page) => {
      const enc = page.encoding?.location;
      if (enc?.case !== 'direct') throw new Error('indirect encoding');
      const layout = unpackAny(PageLayoutSchema, enc.value.encoding);
      const bufs = page.bufferOffsets.map((o, i) => buf.subarray(Number(o), Number(o) + Number(page.bufferSizes[i])));
      const where = { path: file, offset: Number(page.bufferOffsets[0] ?? 0) };
      const rows = Number(page.length);
      switch (layout.layout.case) {
        case 'miniBlockLayout':
          return { layout: 'mini-block', encoding: miniBlockEncoding(layout.layout.value), ...miniBlock(layout.layout.value, bufs, where) };
        case 'fullZipLayout':
          return {
            layout: 'full-zip',
            encoding: `full-zip:${layout.layout.value.valueCompression?.compression.case}`,
            ...fullZip(layout.layout.value, bufs, rows, where),
          };
        case 'constantLayout': {
          const c = layout.layout.value;
          // Observed on Lance 12: a page whose variable-width values are all equal is a ConstantLayout
          // without inline_value whose first buffer is the value as a 1-row Arrow array:
          // u32 buffer count, u32 size per buffer, then the buffers (offsets, bytes). Rep/def
          // buffers (if any) follow, so an odd buffer count means the scalar is present.
          let value = c.inlineValue;
          if (!value && bufs.length % 2 === 1) {
            value = decodeConstantScalar(bufs[0]!);
            bufs.shift();
          }
          const values: DecodedValues = { kind: 'constant', numValues: rows, ...(value ? { value } : {}) };
          // Nullable constant pages carry [rep, def] buffers: raw u16 levels unless *_compression says otherwise
          // (observed: inline value + 3000 raw u16 def levels in buffer 1, empty buffer 0).
          let levels: number[] | null = value ? null : new Array(rows).fill(1);
          if (bufs.length >= 2 && bufs[1]!.length > 0) {
            const n = c.numDefValues ? Number(c.numDefValues) : rows;
            const d = c.defCompression ? decodeBlockValues(c.defCompression, bufs[1]!, n, where) : { kind: 'fixed' as const, numValues: n, bitsPerValue: 16, data: bufs[1]! };
            if (d.kind !== 'fixed' || d.bitsPerValue !== 16) throw new Error(`constant-layout def levels decoded to ${d.kind}`);
            const u16 = new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength);
            levels = Array.from({ length: n }, (_, k) => u16.getUint16(k * 2, true));
          }
          return { layout: 'constant', encoding: `constant:${c.inlineValue ? 'inline' : value ? 'scalar' : 'null'}${levels ? ' def' : ''}`, values: [values], levels };
        }
        default:
          throw new Error(`layout ${layout.layout.case}`);
      }
    });
  });
}

function miniBlockEncoding(m: MiniBlockLayout): string {
  const parts = [`mini-block:${m.valueCompression?.compression.case}`];
  if (m.defCompression) parts.push(`def:${m.defCompression.compression.case}`);
  if (m.dictionary) parts.push(`dict:${m.dictionary.compression.case}`);
  return parts.join(' ');
}

const pad8 = (n: number): number => (n + 7) & ~7;

function miniBlock(m: MiniBlockLayout, bufs: Uint8Array[], where: { path: string; offset: number }): Omit<PageValues, 'layout'> {
  const meta = bufs[0]!;
  const data = bufs[1]!;
  const dv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const wordBytes = m.hasLargeChunk ? 4 : 2;
  const numItems = Number(m.numItems);
  const dict = m.dictionary ? decodeBlockValues(m.dictionary, bufs[2]!, Number(m.numDictionaryItems), where) : undefined;
  const values: DecodedValues[] = [];
  const levels: number[] = [];
  let pos = 0;
  let done = 0;
  const nWords = meta.length / wordBytes;
  for (let i = 0; i < nWords; i++) {
    const word = wordBytes === 4 ? dv.getUint32(i * 4, true) : dv.getUint16(i * 2, true);
    const bytes = ((word >>> 4) + 1) * 8;
    const n = i === nWords - 1 ? numItems - done : 2 ** (word & 15);
    const chunk = data.subarray(pos, pos + bytes);
    const cv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let p = 2;
    const defSize = m.defCompression ? cv.getUint16(p, true) : 0;
    if (m.defCompression) p += 2;
    const sizes: number[] = [];
    for (let b = 0; b < Number(m.numBuffers); b++, p += wordBytes) sizes.push(wordBytes === 4 ? cv.getUint32(p, true) : cv.getUint16(p, true));
    let at = pad8(p);
    if (m.defCompression) {
      const d = decodeBlockValues(m.defCompression, chunk.subarray(at, at + defSize), n, where);
      if (d.kind !== 'fixed' || d.bitsPerValue !== 16) throw new Error(`def levels decoded to ${d.kind}`);
      const u16 = new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength);
      for (let k = 0; k < n; k++) levels.push(u16.getUint16(k * 2, true));
      at = pad8(at + defSize);
    }
    const vbufs = sizes.map((s) => {
      const b = chunk.subarray(at, at + s);
      at = pad8(at + s);
      return b;
    });
    const v = decodeMiniBlockValues(m.valueCompression, vbufs, n, where);
    values.push(dict ? dictionaryLookup(v, dict, where) : v);
    pos += bytes;
    done += n;
  }
  return { values, levels: m.defCompression ? levels : null };
}

function fullZip(z: FullZipLayout, bufs: Uint8Array[], rows: number, where: { path: string; offset: number }): Omit<PageValues, 'layout'> {
  const data = bufs[0]!;
  const cw = z.bitsDef === 0 ? 0 : z.bitsDef <= 8 ? 1 : 2;
  const levels: number[] = [];
  if (z.details.case === 'bitsPerValue') {
    const vb = z.details.value / 8;
    const out = new Uint8Array(rows * vb);
    for (let i = 0; i < rows; i++) {
      const at = i * (cw + vb);
      if (cw) levels.push(data[at]!);
      out.set(data.subarray(at + cw, at + cw + vb), i * vb);
    }
    const v = decodeFullZipValues(z.valueCompression, { kind: 'fixed', numValues: rows, bitsPerValue: z.details.value, data: out }, where);
    return { values: [v], levels: cw ? levels : null };
  }
  const lw = (z.details.value ?? 32) / 8;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  let p = 0;
  for (let i = 0; i < rows; i++) {
    const level = cw ? data[p]! : 0;
    p += cw;
    levels.push(level);
    if (level !== 0) continue; // nulls are just the control word
    const len = lw === 4 ? dv.getUint32(p, true) : Number(dv.getBigUint64(p, true));
    p += lw;
    parts.push(data.subarray(p, p + len));
    p += len;
  }
  const offsets = new Uint32Array(parts.length + 1);
  parts.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
  const bytes = new Uint8Array(offsets[parts.length]!);
  parts.forEach((b, i) => bytes.set(b, offsets[i]!));
  const v = decodeFullZipValues(z.valueCompression, { kind: 'variable', numValues: parts.length, offsets, data: bytes }, where);
  return { values: [v], levels: cw ? levels : null };
}
