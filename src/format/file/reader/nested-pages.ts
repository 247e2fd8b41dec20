// Page jobs for columns below a list: besides values they return every level entry (rep, def)
// of the requested rows, which the file reader unravels into list offsets and validity.
// Mini-block pages may split a row across chunks (the repetition index counts rows that finish
// in a chunk plus leftovers), so they decode every chunk and cut rows by repetition level;
// full-zip pages locate rows through their repetition index (byte offset of each row start).
import type { ByteRange } from '../../../io/object-store.js';
import { LanceFormatError } from '../../../errors.js';
import type { ConstantLayout, FullZipLayout, MiniBlockLayout, PageLayout, RepDefLayer } from '../../proto/encodings_v2_1_pb.js';
import { decodeBlockValues, decodeFullZipValues, type DecodedValues, type Where } from './compressive.js';
import { decodeMiniBlockChunk, parseChunkTable } from './mini-block.js';
import { dictionaryLookup } from '../../codecs/adapters.js';
import { levelsOf, makePageJob, type LeafPiece, type PageBuffers, type PageJob } from './page-jobs.js';
import { decodeConstantScalar } from '../../codecs/constant-scalar.js';
import { canonicalCodes, levelModel, rowStarts, type LevelModel } from './repdef.js';

/** Level entries of the rows a piece covers (attached to the first value piece of each row range). */
export interface PieceLevels {
  rep: Uint16Array;
  def: Uint16Array | null;
  rows: number;
}

export type NestedPiece = LeafPiece & { levels?: PieceLevels };

type Ranges = Array<[number, number]>;

function bad(where: Where, msg: string): LanceFormatError {
  return new LanceFormatError('BAD_PAGE', msg, where);
}

/** Over the visible entries in [from, to): -1 for valid items, 0 for null ones; null when all are valid. */
function leafNulls(def: Uint16Array | null, from: number, to: number, visible: number, maxVisibleDef: number): Int16Array | null {
  if (!def) return null;
  let any = false;
  for (let e = from; e < to && !any; e++) if (def[e] !== 0 && def[e]! <= maxVisibleDef) any = true;
  if (!any) return null;
  const out = new Int16Array(visible);
  let k = 0;
  for (let e = from; e < to; e++) {
    const d = def[e]!;
    if (d <= maxVisibleDef) out[k++] = d === 0 ? -1 : 0;
  }
  return out;
}

/** Entries of a whole page, with values per decoded block (chunk or span). */
interface PageEntries {
  rep: Uint16Array;
  def: Uint16Array | null;
  /** Per block: first entry, entry count, its values and whether they are dense (valid items only). */
  blocks: Array<{ firstEntry: number; entries: number; values: DecodedValues; dense: boolean }>;
}

function toU16(src: ArrayLike<number>, n: number, out: Uint16Array, at: number): void {
  for (let i = 0; i < n; i++) out[at + i] = src[i]!;
}

/** Cuts rows out of decoded entries into value pieces, levels on the first piece of each range. */
function cutRows(model: LevelModel, page: PageEntries, ranges: Ranges, numEntries: number, numRows: number, where: Where, partial = false): NestedPiece[] {
  const starts = rowStarts(page.rep, numEntries, model.maxRep);
  if (partial ? ranges.some(([, b]) => b > starts.length - 1) : starts.length - 1 !== numRows) {
    throw bad(where, `page levels hold ${starts.length - 1} rows, the page has ${numRows}`);
  }
  const out: NestedPiece[] = [];
  const codes = canonicalCodes(model, where);
  for (const [a, b] of ranges) {
    const e0 = starts[a]!;
    const e1 = starts[b]!;
    const levels: PieceLevels = { rep: page.rep.slice(e0, e1), def: page.def ? canonical(page.def.subarray(e0, e1), codes, where) : null, rows: b - a };
    let first = true;
    for (const blk of page.blocks) {
      const s = Math.max(e0, blk.firstEntry);
      const t = Math.min(e1, blk.firstEntry + blk.entries);
      if (s >= t) continue;
      // Value index of entry s inside the block: visible entries (valid ones when dense) before it.
      let start = 0;
      let count = 0;
      let visible = 0;
      for (let e = blk.firstEntry; e < t; e++) {
        const d = page.def ? page.def[e]! : 0;
        const vis = d <= model.maxVisibleDef;
        const has = blk.dense ? d === 0 : vis;
        if (e < s) {
          if (has) start++;
        } else {
          if (has) count++;
          if (vis) visible++;
        }
      }
      const nullLayer = leafNulls(page.def, s, t, visible, model.maxVisibleDef);
      const piece: NestedPiece = { values: blk.values, start: blk.dense ? 0 : start, count: visible, nullLayer, dense: blk.dense };
      if (blk.dense && start > 0) piece.values = sliceDense(blk.values, start, count, where);
      if (first) {
        piece.levels = levels;
        first = false;
      }
      out.push(piece);
    }
    if (first) throw bad(where, 'page has no value blocks');
  }
  return out;
}

function canonical(def: Uint16Array, codes: Uint16Array, where: Where): Uint16Array {
  const out = new Uint16Array(def.length);
  for (let i = 0; i < def.length; i++) {
    const d = def[i]!;
    if (d >= codes.length) throw bad(where, `definition level ${d} exceeds the page's ${codes.length - 1} codes`);
    out[i] = codes[d]!;
  }
  return out;
}

/** Dense variable values [start, start + count) of a decoded block, offsets rebased to 0. */
function sliceDense(v: DecodedValues, start: number, count: number, where: Where): DecodedValues {
  if (v.kind !== 'variable') throw bad(where, `dense values must be variable width, found ${v.kind}`);
  const offsets = new Uint32Array(count + 1);
  const base = Number(v.offsets[start]!);
  for (let i = 0; i <= count; i++) offsets[i] = Number(v.offsets[start + i]!) - base;
  const end = Number(v.offsets[start + count]!);
  return { kind: 'variable', numValues: count, offsets, data: v.data.subarray(base, end) };
}

/**
 * A page of a column outside every list (a struct member next to a list) has no repetition:
 * its rows are its entries, so the plain page job decodes it and its per-row null layers become
 * definition levels.
 */
function withoutLists(job: PageJob, model: LevelModel, where: Where): PageJob {
  const codes = canonicalCodes(model, where);
  return {
    phase1: () => job.phase1(),
    phase2: (bufs) => job.phase2(bufs),
    finish: (bufs) =>
      job.finish(bufs).map((p): NestedPiece => {
        const def = p.nullLayer ? Uint16Array.from(p.nullLayer, (k) => (k < 0 ? 0 : codes[model.layers[k]!.nullCode]!)) : null;
        const nullLayer = p.nullLayer ? Int16Array.from(p.nullLayer, (k) => (k < 0 ? -1 : 0)) : null;
        return { ...p, nullLayer, levels: { rep: new Uint16Array(p.count), def, rows: p.count } };
      }),
  };
}

function layersOfPage(layout: PageLayout): RepDefLayer[] | undefined {
  switch (layout.layout.case) {
    case 'miniBlockLayout':
    case 'fullZipLayout':
    case 'constantLayout':
      return layout.layout.value.layers;
    default:
      return undefined;
  }
}

export function makeNestedPageJob(layout: PageLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  const layers = layersOfPage(layout);
  if (layers) {
    const model = levelModel(layers, where);
    if (model.maxRep === 0) return withoutLists(makePageJob(layout, buf, numRows, ranges, where), model, where);
  }
  switch (layout.layout.case) {
    case 'miniBlockLayout':
      if (buf.offsets.length < 2) throw bad(where, `page has ${buf.offsets.length} buffers, a mini-block page needs 2`);
      return miniBlockNested(layout.layout.value, buf, numRows, ranges, where);
    case 'fullZipLayout':
      return fullZipNested(layout.layout.value, buf, numRows, ranges, where);
    case 'constantLayout':
      return constantNested(layout.layout.value, buf, numRows, ranges, where);
    case 'blobLayout':
      throw new LanceFormatError('UNSUPPORTED_ENCODING', 'blob v1 pages (BlobLayout) are not supported by lancet', where);
    default:
      throw bad(where, 'page layout is unset');
  }
}

/** Rep levels for a page written without them: every entry starts a row. */
function rowsOnly(n: number, maxRep: number): Uint16Array {
  return new Uint16Array(n).fill(maxRep);
}

/**
 * First row starting in each chunk, from the repetition index: per chunk (rows finishing in it,
 * entries left over after its last finished row). A chunk with leftovers ends in a row that the
 * next chunk continues (its "preamble"), so rows starting in a chunk = finished + trailer - preamble.
 */
export function chunkFirstRows(index: Uint8Array, numChunks: number, depth: number, numRows: number, where: Where): number[] {
  const stride = (depth + 1) * 8;
  if (index.length < numChunks * stride) throw bad(where, `repetition index of ${index.length} bytes does not cover ${numChunks} chunks`);
  const dv = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const first: number[] = [];
  let row = 0;
  let preamble = false;
  for (let c = 0; c < numChunks; c++) {
    const ends = Number(dv.getBigUint64(c * stride, true));
    const partial = Number(dv.getBigUint64(c * stride + 8, true));
    first.push(row);
    row += ends + (partial > 0 ? 1 : 0) - (preamble ? 1 : 0);
    preamble = partial > 0;
  }
  first.push(row);
  if (row !== numRows) throw bad(where, `repetition index counts ${row} rows, the page has ${numRows}`);
  return first;
}

function miniBlockNested(m: MiniBlockLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  const model = levelModel(m.layers, where);
  if (m.dictionary && buf.offsets.length < 3) throw bad(where, 'dictionary page has no dictionary buffer');
  const numItems = Number(m.numItems);
  const dictRange: ByteRange[] = m.dictionary ? [[buf.offsets[2]!, buf.offsets[2]! + buf.sizes[2]!]] : [];
  // The repetition index is the last page buffer; without one every chunk is read.
  const repIndexAt = m.repetitionIndexDepth > 0 ? buf.offsets.length - 1 : -1;
  if (repIndexAt >= 0 && repIndexAt < (m.dictionary ? 3 : 2)) throw bad(where, 'mini-block page lacks its repetition index buffer');
  const indexRange: ByteRange[] = repIndexAt >= 0 ? [[buf.offsets[repIndexAt]!, buf.offsets[repIndexAt]! + buf.sizes[repIndexAt]!]] : [];
  let dict: DecodedValues | undefined;
  let chunks: ReturnType<typeof parseChunkTable> = [];
  /** Per range: the chunk span [c0, c1] holding its rows and the first row starting in c0. */
  let spans: Array<{ c0: number; c1: number; base: number }> = [];
  let needed: number[] = [];
  return {
    phase1: () => [[buf.offsets[0]!, buf.offsets[0]! + buf.sizes[0]!], ...dictRange, ...indexRange],
    phase2: (got) => {
      const meta = got[0]!;
      if (m.dictionary) dict = decodeBlockValues(m.dictionary, got[1]!, Number(m.numDictionaryItems), where);
      chunks = numItems === 0 ? [] : parseChunkTable(meta, m.hasLargeChunk, numItems, buf.sizes[1]!, where);
      if (!chunks.length) return [];
      const n = chunks.length;
      const first = repIndexAt >= 0 ? chunkFirstRows(got[got.length - 1]!, n, m.repetitionIndexDepth, numRows, where) : null;
      // Chunk where row r starts: the last chunk whose first row is <= r and that starts a row.
      const chunkOf = (r: number) => {
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (first![mid]! <= r) lo = mid;
          else hi = mid - 1;
        }
        while (lo > 0 && first![lo]! === first![lo + 1]!) lo--;
        return lo;
      };
      spans = ranges.map(([a, b]) => {
        if (!first) return { c0: 0, c1: n - 1, base: 0 };
        const c0 = chunkOf(a);
        const c1 = b >= numRows ? n - 1 : chunkOf(b);
        return { c0, c1, base: first[c0]! };
      });
      const set = new Set<number>();
      for (const { c0, c1 } of spans) for (let c = c0; c <= c1; c++) set.add(c);
      needed = [...set].sort((x, y) => x - y);
      return needed.map((c) => [buf.offsets[1]! + chunks[c]!.byteOffset, buf.offsets[1]! + chunks[c]!.byteOffset + chunks[c]!.byteLength] as ByteRange);
    },
    finish: (bufs) => {
      if (!chunks.length) {
        const blocks = [{ firstEntry: 0, entries: 0, values: { kind: 'constant', numValues: 0 } as DecodedValues, dense: false }];
        return cutRows(model, { rep: new Uint16Array(0), def: null, blocks }, ranges, 0, numRows, where);
      }
      const decoded = new Map<number, ReturnType<typeof decodeMiniBlockChunk>>();
      needed.forEach((ci, k) => {
        const c = chunks[ci]!;
        const w = { path: where.path, offset: buf.offsets[1]! + c.byteOffset };
        const d = decodeMiniBlockChunk(m, bufs[k]!, c.numValues, w);
        decoded.set(ci, dict ? { ...d, values: dictionaryLookup(d.values, dict, w) } : d);
      });
      return ranges.flatMap(([a, b], r) => {
        const { c0, c1, base } = spans[r]!;
        const ds = [];
        for (let c = c0; c <= c1; c++) ds.push(decoded.get(c)!);
        const numEntries = ds.reduce((x, d) => x + d.numLevels, 0);
        const rep = new Uint16Array(numEntries);
        const def = m.defCompression ? new Uint16Array(numEntries) : null;
        const blocks: PageEntries['blocks'] = [];
        let at = 0;
        for (const d of ds) {
          if (d.rep) toU16(d.rep, d.numLevels, rep, at);
          else rep.fill(model.maxRep, at, at + d.numLevels);
          if (def && d.levels) toU16(d.levels, d.numLevels, def, at);
          blocks.push({ firstEntry: at, entries: d.numLevels, values: d.values, dense: false });
          at += d.numLevels;
        }
        // Entries before the first row start continue a row of an earlier chunk; row starts
        // (max_rep entries) skip them, so row 0 here is the first row starting in chunk c0.
        return cutRows(model, { rep, def, blocks }, [[a - base, b - base]], numEntries, 0, where, true);
      });
    },
  };
}

function fullZipNested(z: FullZipLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  const model = levelModel(z.layers, where);
  if (z.bitsDef > 16 || z.bitsRep > 16) throw bad(where, `full-zip bits_rep ${z.bitsRep} / bits_def ${z.bitsDef} out of range`);
  const bits = z.bitsRep + z.bitsDef;
  const cw = bits === 0 ? 0 : bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
  const defMask = (1 << z.bitsDef) - 1;
  const repMask = (1 << z.bitsRep) - 1;
  const dataStart = buf.offsets[0]!;
  const dataSize = buf.sizes[0]!;
  const details = z.details;
  let fixedBytes = 0;
  let lw = 0;
  if (details.case === 'bitsPerValue') {
    if (details.value % 8 !== 0 || details.value === 0) throw new LanceFormatError('UNSUPPORTED_ENCODING', `full-zip bits_per_value ${details.value} is not byte aligned`, where);
    fixedBytes = details.value / 8;
  } else if (details.case === 'bitsPerOffset' && (details.value === 32 || details.value === 64)) {
    lw = details.value / 8;
  } else {
    throw bad(where, 'full-zip page has neither bits_per_value nor a 32/64 bits_per_offset');
  }
  if (buf.offsets.length < 2) throw bad(where, 'full-zip page with lists has no repetition index buffer');
  const idxStart = buf.offsets[1]!;
  const iw = buf.sizes[1]! / (numRows + 1);
  if (![1, 2, 4, 8].includes(iw)) throw bad(where, `repetition index of ${buf.sizes[1]} bytes does not hold ${numRows + 1} entries of 1/2/4/8 bytes`);
  const entry = (b: Uint8Array) => {
    let v = 0;
    for (let i = iw - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v;
  };
  const readWord = (b: Uint8Array, p: number) =>
    cw === 1 ? b[p]! : cw === 2 ? b[p]! | (b[p + 1]! << 8) : (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  return {
    phase1: () => ranges.flatMap(([a, b]) => [[idxStart + a * iw, idxStart + (a + 1) * iw] as ByteRange, [idxStart + b * iw, idxStart + (b + 1) * iw] as ByteRange]),
    phase2: (bufs) =>
      ranges.map((_, r) => {
        const s = entry(bufs[2 * r]!);
        const e = entry(bufs[2 * r + 1]!);
        if (s > e || e > dataSize) throw bad(where, `repetition index span [${s}, ${e}) is outside the ${dataSize}-byte page buffer`);
        return [dataStart + s, dataStart + e] as ByteRange;
      }),
    finish: (bufs) => {
      const out: NestedPiece[] = [];
      ranges.forEach(([a, b], r) => {
        const bytes = bufs[r]!;
        const reps: number[] = [];
        const defs: number[] = [];
        const starts: number[] = [];
        const lens: number[] = [];
        let p = 0;
        let visibleCount = 0;
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        while (p < bytes.length) {
          if (p + cw > bytes.length) throw bad(where, `full-zip entry at ${p} runs past its span`);
          const word = readWord(bytes, p);
          p += cw;
          const rep = (word >> z.bitsDef) & repMask;
          const def = word & defMask;
          reps.push(z.bitsRep ? rep : model.maxRep);
          defs.push(def);
          if (def > model.maxVisibleDef) continue;
          visibleCount++;
          if (fixedBytes) {
            if (p + fixedBytes > bytes.length) throw bad(where, `full-zip value at ${p} runs past its span`);
            starts.push(p);
            p += fixedBytes;
          } else if (def === 0) {
            if (p + lw > bytes.length) throw bad(where, `full-zip length at ${p} runs past its span`);
            const len = lw === 4 ? dv.getUint32(p, true) : Number(dv.getBigUint64(p, true));
            p += lw;
            if (len > bytes.length - p) throw bad(where, `full-zip value of ${len} bytes runs past its span`);
            starts.push(p);
            lens.push(len);
            p += len;
          }
        }
        const n = reps.length;
        const rep = Uint16Array.from(reps);
        const def = z.bitsDef ? Uint16Array.from(defs) : null;
        let values: DecodedValues;
        if (fixedBytes) {
          const data = new Uint8Array(starts.length * fixedBytes);
          starts.forEach((s, k) => data.set(bytes.subarray(s, s + fixedBytes), k * fixedBytes));
          values = decodeFullZipValues(z.valueCompression, { kind: 'fixed', numValues: starts.length, bitsPerValue: fixedBytes * 8, data }, where);
        } else {
          const total = lens.reduce((x, y) => x + y, 0);
          const data = new Uint8Array(total);
          const offsets = new Uint32Array(lens.length + 1);
          let o = 0;
          lens.forEach((len, k) => {
            data.set(bytes.subarray(starts[k]!, starts[k]! + len), o);
            o += len;
            offsets[k + 1] = o;
          });
          values = decodeFullZipValues(z.valueCompression, { kind: 'variable', numValues: lens.length, offsets, data }, where);
        }
        const page: PageEntries = { rep, def, blocks: [{ firstEntry: 0, entries: n, values, dense: !fixedBytes }] };
        void visibleCount;
        out.push(...cutRows(model, page, [[0, b - a]], n, b - a, where));
      });
      return out;
    },
  };
}

function constantNested(c: ConstantLayout, buf: PageBuffers, numRows: number, ranges: Ranges, where: Where): PageJob {
  const model = levelModel(c.layers, where);
  // Buffers: [rep]? [def]? (raw u16 unless rep/def_compression says otherwise); which ones exist
  // follows from num_rep_values / num_def_values (2.2) or, in 2.1, from the buffer count.
  // Lance 12 stores an all-equal variable-width page as a constant page whose first buffer holds
  // the value (then rep and def), so an odd buffer count means "value first".
  const hasScalar = !c.inlineValue && buf.offsets.length % 2 === 1 && buf.offsets.length > 1;
  const nb = buf.offsets.length - (hasScalar ? 1 : 0);
  const hasRep = c.numRepValues > 0n || (nb === 2 && !c.numDefValues) || !!c.repCompression;
  const hasDef = c.numDefValues > 0n || nb === 2 || (nb === 1 && !hasRep) || !!c.defCompression;
  if (nb !== Number(hasRep) + Number(hasDef)) {
    if (nb === 0 && model.maxRep === 0) {
      // all-null page without lists below the column: one null entry per row
    } else if (nb !== 0) throw bad(where, `constant page has ${nb} buffers for ${hasRep ? 'rep ' : ''}${hasDef ? 'def' : ''} levels`);
  }
  const fetch: ByteRange[] = buf.offsets.map((o, k) => [o, o + buf.sizes[k]!] as ByteRange);
  let inline: DecodedValues = { kind: 'constant', numValues: 0, ...(c.inlineValue ? { value: c.inlineValue } : {}) };
  return {
    phase1: () => [],
    phase2: () => fetch,
    finish: (all) => {
      let bufs = all;
      let scalar: Uint8Array | undefined;
      if (hasScalar) {
        scalar = decodeConstantScalar(all[0]!);
        bufs = all.slice(1);
      }
      let rep: Uint16Array;
      let def: Uint16Array | null = null;
      let n: number;
      const raw = (bytes: Uint8Array, count: number) => {
        if (bytes.length < count * 2) throw bad(where, `${count} raw u16 levels need ${count * 2} bytes, buffer has ${bytes.length}`);
        const out = new Uint16Array(count);
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, true);
        return out;
      };
      const level = (enc: typeof c.repCompression, bytes: Uint8Array, count: number) =>
        enc ? Uint16Array.from(levelsOf(decodeBlockValues(enc, bytes, count, where), count, where)) : raw(bytes, count);
      if (bufs.length === 0) {
        n = numRows;
        rep = rowsOnly(n, model.maxRep);
        // No levels: every row is null at the outermost nullable layer.
        const top = model.layers[model.layers.length - 1];
        const code = top ? top.nullCode || top.emptyCode : 0;
        def = code ? new Uint16Array(n).fill(code) : null;
      } else {
        let k = 0;
        const repCount = c.numRepValues > 0n ? Number(c.numRepValues) : undefined;
        const defCount = c.numDefValues > 0n ? Number(c.numDefValues) : undefined;
        if (hasRep) {
          const bytes = bufs[k++]!;
          const cnt = repCount ?? (c.repCompression ? undefined : bytes.length / 2);
          if (cnt === undefined) throw bad(where, 'compressed constant-page rep levels without num_rep_values');
          rep = level(c.repCompression, bytes, cnt);
        } else rep = new Uint16Array(0);
        if (hasDef && k < bufs.length) {
          const bytes = bufs[k]!;
          const cnt = defCount ?? (c.defCompression ? rep.length : bytes.length / 2);
          def = level(c.defCompression, bytes, cnt);
        }
        // An empty def buffer means every entry is valid.
        if (def && def.length === 0 && rep.length > 0) def = null;
        // An empty rep buffer (no repetition) next to def levels: every entry is a row.
        const repless = !hasRep || (rep.length === 0 && def !== null && def.length > 0);
        n = repless ? def!.length : rep.length;
        if (repless) rep = rowsOnly(n, model.maxRep);
        if (def && def.length !== n) throw bad(where, `constant page has ${rep.length} rep and ${def.length} def levels`);
      }
      if (scalar) {
        // Every visible entry holds the value (null ones too; validity comes from def).
        let visible = 0;
        for (let e = 0; e < n; e++) if (!def || def[e]! <= model.maxVisibleDef) visible++;
        const offsets = new Uint32Array(visible + 1);
        const data = new Uint8Array(scalar.length * visible);
        for (let i = 0; i < visible; i++) {
          data.set(scalar, i * scalar.length);
          offsets[i + 1] = (i + 1) * scalar.length;
        }
        inline = { kind: 'variable', numValues: visible, offsets, data };
      }
      return cutRows(model, { rep, def, blocks: [{ firstEntry: 0, entries: n, values: inline, dense: false }] }, ranges, n, numRows, where);
    },
  };
}
