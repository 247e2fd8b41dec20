// Reading Lance file format 2.0 (the default of Lance ~0.17 to 4.x; footer version 0.3). The
// footer, offset tables and FileDescriptor are laid out as in 2.1; pages carry a 2.0
// ArrayEncoding tree instead of a PageLayout, and nesting is spread over several columns
// (see columns.ts). Pages are decoded whole; only the pages a read's ranges touch are fetched.
import * as arrow from 'apache-arrow';
import { fromBinary } from '@bufbuild/protobuf';
import { LanceFormatError } from '../../../../errors.js';
import type { ObjectStore } from '../../../../io/object-store.js';
import { ColumnMetadataSchema } from '../../../proto/file2_pb.js';
import { FileDescriptorSchema } from '../../../proto/file_pb.js';
import { arrowTypeOf, fromPbFields, type LanceField, type LanceSchema } from '../../../schema.js';
import { checkedOffset, decodeOffsetTable, FOOTER_SIZE } from '../../footer.js';
import type { LanceFileReader, ReadOptions } from '../file-reader.js';
import { decodeArrayEncoding, encodingCase, type PageBuffers } from './array-encoding.js';
import { concatCols, selectRanges, sliceCol, toArrowData, type Col } from './columnar.js';
import { columnSpan, shapeOf, v20ColumnLayout } from './columns.js';
import { decodePbMessage, pbNum, pbUint, type PbMessage } from './pb-wire.js';

const ENC_LIST = 4;
const ENC_PACKED_STRUCT = 9;

interface Page20 {
  firstRow: number;
  length: number;
  buffers: Array<{ offset: number; size: number }>;
  encoding: PbMessage;
}

interface Column20 {
  index: number;
  position: number;
  size: number;
  pages: Page20[];
  buffers: Array<{ offset: number; size: number }>;
  /** ColumnEncoding is Blob: pages hold (position, size) descriptors of bytes stored elsewhere. */
  isBlob: boolean;
}

/** What Lance returns for a legacy blob column (lance-encoding:blob) of a 2.0 file. */
const LEGACY_BLOB_DESCRIPTOR = new arrow.Struct([new arrow.Field('position', new arrow.Uint64(), false), new arrow.Field('size', new arrow.Uint64(), false)]);

export interface V20FileReader extends LanceFileReader {
  /** DataFile fields / column_indices for this file read on its own. */
  standaloneLayout(): { fieldIds: number[]; columnIndices: number[] };
}

function decodePb<T>(fn: () => T, what: string, where: { path: string; offset: number }): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LanceFormatError) throw e;
    throw new LanceFormatError('BAD_PROTOBUF', `cannot decode ${what}: ${(e as Error).message}`, where);
  }
}

/** Opens a 2.0 file given its bytes from `tailStart` to EOF (any tail that holds the footer). */
export async function openV20File(store: ObjectStore, path: string, fileSize: number, tail: Uint8Array, tailStart: number): Promise<V20FileReader> {
  let region = tail;
  let regionStart = tailStart;
  const grow = async (start: number) => {
    if (start < regionStart) {
      const head = await store.getRange(path, start, regionStart);
      const merged = new Uint8Array(fileSize - start);
      merged.set(head, 0);
      merged.set(region, regionStart - start);
      region = merged;
      regionStart = start;
    }
  };
  const slice = (start: number, end: number) => region.subarray(start - regionStart, end - regionStart);
  const at = fileSize - FOOTER_SIZE;
  if (fileSize < FOOTER_SIZE) throw new LanceFormatError('TRUNCATED', `file is ${fileSize} bytes, too small for the Lance footer`, { path, offset: 0 });
  const b = slice(at, fileSize);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const where = { path, offset: at };
  const columnMetaStart = checkedOffset(dv.getBigUint64(0, true), at, 'column metadata start', where);
  const cmoTableStart = checkedOffset(dv.getBigUint64(8, true), at, 'column metadata offset table start', where);
  const gboTableStart = checkedOffset(dv.getBigUint64(16, true), at, 'global buffer offset table start', where);
  const numGlobalBuffers = dv.getUint32(24, true);
  const numColumns = dv.getUint32(28, true);
  if (cmoTableStart + numColumns * 16 > gboTableStart || gboTableStart + numGlobalBuffers * 16 !== at || numGlobalBuffers < 1) {
    throw new LanceFormatError('BAD_FOOTER', `offset tables do not fit: ${numColumns} columns at ${cmoTableStart}, ${numGlobalBuffers} global buffers at ${gboTableStart}, footer at ${at}`, where);
  }
  await grow(Math.min(columnMetaStart, cmoTableStart));
  const gbo = decodeOffsetTable(slice(gboTableStart, at), numGlobalBuffers, at, 'global buffer', { path, offset: gboTableStart });
  const cmo = decodeOffsetTable(slice(cmoTableStart, gboTableStart), numColumns, cmoTableStart, 'column metadata', { path, offset: cmoTableStart });
  const gb0 = gbo[0]!;
  await grow(gb0.position);
  const descriptor = decodePb(() => fromBinary(FileDescriptorSchema, slice(gb0.position, gb0.position + gb0.length)), 'FileDescriptor', { path, offset: gb0.position });
  const numRows = Number(descriptor.length);
  const td = new TextDecoder();
  const schema: LanceSchema = {
    fields: fromPbFields(descriptor.schema?.fields ?? [], { path }),
    metadata: Object.fromEntries(Object.entries(descriptor.schema?.metadata ?? {}).map(([k, v]) => [k, td.decode(v)])),
  };

  const columns: Column20[] = cmo.map((entry, index) => {
    const cw = { path, offset: entry.position };
    const cm = decodePb(() => fromBinary(ColumnMetadataSchema, slice(entry.position, entry.position + entry.length)), `ColumnMetadata of column ${index}`, cw);
    let firstRow = 0;
    const pages = cm.pages.map((pg, pi): Page20 => {
      if (pg.encoding?.location.case !== 'direct') throw new LanceFormatError('UNSUPPORTED_ENCODING', `page ${pi} of column ${index} has no direct encoding`, cw);
      // A protobuf Any: field 1 type_url, field 2 the ArrayEncoding bytes.
      const any = decodePbMessage(pg.encoding.location.value.encoding, cw);
      const bytes = any.get(2)?.[0];
      const encoding = bytes instanceof Uint8Array ? decodePbMessage(bytes, cw) : new Map();
      const buffers = pg.bufferOffsets.map((o, k) => {
        const size = Number(pg.bufferSizes[k] ?? 0n);
        if (Number(o) + size > columnMetaStart) throw new LanceFormatError('BAD_OFFSET', `page ${pi} of column ${index} buffer ${k} runs into the metadata section`, cw);
        return { offset: Number(o), size };
      });
      const p = { firstRow, length: Number(pg.length), buffers, encoding };
      firstRow += p.length;
      return p;
    });
    const buffers = cm.bufferOffsets.map((o, k) => ({ offset: Number(o), size: Number(cm.bufferSizes[k] ?? 0n) }));
    // ColumnEncoding (inside an Any, field 2): case 3 is Blob.
    const colEnc = cm.encoding?.location.case === 'direct' ? decodePbMessage(cm.encoding.location.value.encoding, cw).get(2)?.[0] : undefined;
    const isBlob = colEnc instanceof Uint8Array && decodePbMessage(colEnc, cw).has(3);
    return { index, position: entry.position, size: entry.length, pages, buffers, isBlob };
  });
  region = new Uint8Array(0);

  const firstEncoding = (c: number): number | undefined => {
    const pg = columns[c]?.pages.find((p) => p.encoding.size > 0);
    return pg ? encodingCase(pg.encoding, { path, offset: columns[c]!.position })[0] : undefined;
  };
  const isListEncoded = (c: number) => firstEncoding(c) === ENC_LIST;
  const isPacked = (c: number) => firstEncoding(c) === ENC_PACKED_STRUCT;
  const columnBuffers = new Map<number, Promise<Uint8Array[]>>();
  const lastPage = new Map<number, { page: Page20; type: string; col: Col }>();
  let fileBuffers: Promise<Uint8Array[]> | undefined;

  /** Decoded rows of the pages of column `ci` that overlap [start, end), cut to exactly those rows. */
  const readColumnRows = async (ci: number, start: number, end: number, type: arrow.DataType): Promise<{ pieces: Array<{ page: Page20; col: Col; from: number }>; col: Col }> => {
    const col = columns[ci];
    if (!col) throw new LanceFormatError('BAD_COLUMN', `column ${ci} does not exist (file has ${columns.length})`, { path });
    const pages = col.pages.filter((p) => p.length > 0 && p.firstRow < end && p.firstRow + p.length > start);
    // Pages are decoded whole; a scan reads them batch after batch, so keep the last one per column.
    const cached = lastPage.get(ci);
    const hit = (p: Page20) => cached !== undefined && cached.page === p && cached.type === String(type);
    const toFetch = pages.filter((p) => !hit(p));
    const flat = toFetch.flatMap((p) => p.buffers.map((bf) => [bf.offset, bf.offset + bf.size] as const));
    const got = flat.length ? await store.getRanges(path, flat) : [];
    let k = 0;
    const bufs: PageBuffers = { page: [], column: [], file: [] };
    if (pages.some((p) => usesBufferType(p.encoding, 1))) {
      if (!columnBuffers.has(ci)) columnBuffers.set(ci, store.getRanges(path, col.buffers.map((bf) => [bf.offset, bf.offset + bf.size] as const)));
      bufs.column = await columnBuffers.get(ci)!;
    }
    if (pages.some((p) => usesBufferType(p.encoding, 2))) {
      fileBuffers ??= store.getRanges(path, gbo.map((g) => [g.position, g.position + g.length] as const));
      bufs.file = await fileBuffers;
    }
    const pieces = pages.map((page) => {
      if (hit(page)) return { page, col: cached!.col, from: page.firstRow };
      const page_ = page.buffers.map(() => got[k++]!);
      const pw = { path, offset: page.buffers[0]?.offset ?? col.position };
      const decoded = decodeArrayEncoding(page.encoding, page.length, type, { ...bufs, page: page_ }, pw);
      return { page, col: decoded, from: page.firstRow };
    });
    const last = pieces[pieces.length - 1];
    if (last) lastPage.set(ci, { page: last.page, type: String(type), col: last.col });
    const cut = pieces.map(({ page, col: c }) => sliceCol(c, Math.max(start, page.firstRow) - page.firstRow, Math.min(end, page.firstRow + page.length) - page.firstRow));
    return { pieces, col: concatCols(cut.length ? cut : []) };
  };

  /** Rows [start, end) of field `f`, whose first column is `ci`. */
  const readField = async (f: LanceField, ci: number, start: number, end: number): Promise<Col> => {
    const n = end - start;
    if (n === 0) return { kind: 'null', n: 0 };
    if (columns[ci]?.isBlob) return (await readColumnRows(ci, start, end, LEGACY_BLOB_DESCRIPTOR)).col;
    switch (shapeOf(f)) {
      case 'primitive':
        return (await readColumnRows(ci, start, end, arrowTypeOf(f))).col;
      case 'binary': {
        if (!isListEncoded(ci)) return (await readColumnRows(ci, start, end, arrowTypeOf(f))).col;
        const list = await readList(ci, start, end);
        const items = await readColumnRows(ci + 1, list.itemsStart, list.itemsEnd, new arrow.Uint8());
        if (items.col.kind !== 'fixed' && items.col.kind !== 'null') throw new LanceFormatError('BAD_ENCODING', `string items decode to ${items.col.kind}`, { path });
        const bytes = items.col.kind === 'fixed' ? items.col.bytes : new Uint8Array(0);
        return { kind: 'var', n, offsets: list.offsets, bytes, valid: list.valid };
      }
      case 'list': {
        const list = await readList(ci, start, end);
        const child = f.children[0]!;
        const items = await readField(child, ci + 1, list.itemsStart, list.itemsEnd);
        return { kind: 'list', n, offsets: list.offsets, child: items, valid: list.valid };
      }
      case 'struct': {
        if (isPacked(ci)) return (await readColumnRows(ci, start, end, arrowTypeOf(f))).col;
        let c = ci + 1;
        const children: Col[] = [];
        for (const k of f.children) {
          children.push(await readField(k, c, start, end));
          c += columnSpan(k, c, isListEncoded, isPacked);
        }
        // 2.0 does not store struct validity: a struct row is never null.
        return { kind: 'struct', n, children, valid: null };
      }
    }
  };

  /**
   * Offsets of rows [start, end) of list column `ci`: each page stores per-row end offsets into
   * its own items (items of earlier pages come first), with null_offset_adjustment added to the
   * ends of null lists.
   */
  const readList = async (ci: number, start: number, end: number) => {
    const col = columns[ci]!;
    const where = { path, offset: col.position };
    // Items referenced by all pages before each page.
    const itemsBefore = new Map<Page20, number>();
    let acc = 0;
    for (const p of col.pages) {
      itemsBefore.set(p, acc);
      const [c, m] = p.encoding.size ? encodingCase(p.encoding, where) : [0, new Map()];
      if (c !== ENC_LIST) throw new LanceFormatError('BAD_ENCODING', `list column ${ci} has a page that is not a List page`, where);
      acc += Number(pbUint(m as PbMessage, 3));
    }
    const { pieces } = await readColumnRows(ci, start, end, new arrow.Uint64());
    const n = end - start;
    const offsets = new Float64Array(n + 1);
    let valid: Uint8Array | null = null;
    let row = 0;
    let itemsStart = -1;
    for (const { page, col: c } of pieces) {
      const [, lm] = encodingCase(page.encoding, where);
      const adj = Number(pbUint(lm, 2));
      const base = itemsBefore.get(page)!;
      const ends = readEnds(c, where);
      const norm = (v: number) => (adj > 0 && v >= adj ? v - adj : v);
      const from = Math.max(start, page.firstRow) - page.firstRow;
      const to = Math.min(end, page.firstRow + page.length) - page.firstRow;
      const prevEnd = from === 0 ? 0 : norm(ends[from - 1]!);
      if (itemsStart < 0) {
        itemsStart = base + prevEnd;
        offsets[0] = 0;
      }
      for (let i = from; i < to; i++) {
        const v = ends[i]!;
        if (adj > 0 && v >= adj) {
          valid ??= new Uint8Array(n).fill(1);
          valid[row] = 0;
        }
        offsets[row + 1] = base + norm(v) - itemsStart;
        row++;
      }
    }
    if (itemsStart < 0) itemsStart = 0;
    return { offsets, valid, itemsStart, itemsEnd: itemsStart + offsets[n]! };
  };

  const read = async (fields: LanceField[], columnOf: (fieldId: number) => number | undefined, opts: ReadOptions = {}): Promise<arrow.RecordBatch> => {
    const ranges = (opts.ranges ?? [[0, numRows]]).filter(([a, z]) => z > a);
    let prev = 0;
    for (const [a, z] of ranges) {
      if (!(Number.isInteger(a) && Number.isInteger(z) && a >= prev && z <= numRows)) {
        throw new LanceFormatError('BAD_RANGE', `row ranges must be sorted, non-overlapping and within [0, ${numRows}); got [${a}, ${z})`, { path });
      }
      prev = z;
    }
    const total = ranges.reduce((s, [a, z]) => s + z - a, 0);
    const datas: arrow.Data[] = [];
    for (const f of fields) {
      const ci = columnOf(f.id);
      const type = ci !== undefined && columns[ci]?.isBlob ? LEGACY_BLOB_DESCRIPTOR : arrowTypeOf(f);
      if (ci === undefined) {
        datas.push(toArrowData({ kind: 'null', n: total }, type, { path, offset: 0 }));
        continue;
      }
      const parts: Col[] = [];
      for (const [a, z] of ranges) parts.push(await readField(f, ci, a, z));
      const col = selectRanges(concatCols(parts.length ? parts : [{ kind: 'null', n: 0 }]), [[0, total]]);
      datas.push(toArrowData(col, type, { path, offset: columns[ci]?.position ?? 0 }));
    }
    const outFields = fields.map((f, i) => new arrow.Field(f.name, datas[i]!.type, f.nullable, Object.keys(f.metadata).length ? new Map(Object.entries(f.metadata)) : null));
    const struct = arrow.makeData({ type: new arrow.Struct(outFields), length: total, nullCount: 0, children: datas });
    return new arrow.RecordBatch(new arrow.Schema(outFields), struct);
  };

  return {
    path,
    version: { major: 0, minor: 3 },
    numRows,
    fileSize,
    schema,
    numColumns: columns.length,
    columnInfo(i) {
      const c = columns[i];
      if (!c) throw new LanceFormatError('BAD_COLUMN', `column ${i} does not exist (file has ${columns.length})`, { path });
      throw new LanceFormatError('UNSUPPORTED_VERSION', `column ${i} is a 2.0 column; its pages have no 2.1 page layout`, { path, offset: c.position });
    },
    read,
    standaloneLayout: () => v20ColumnLayout(schema, isListEncoded, isPacked),
  };
}

function readEnds(c: Col, where: { path: string; offset: number }): Float64Array {
  if (c.kind !== 'fixed' || c.width !== 8) throw new LanceFormatError('BAD_ENCODING', `list offsets decode to ${c.kind}`, where);
  const dv = new DataView(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength);
  const out = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) out[i] = Number(dv.getBigUint64(i * 8, true));
  return out;
}

/** Whether any Buffer in the encoding tree has buffer_type `type` (1 column, 2 file). */
function usesBufferType(enc: PbMessage, type: number): boolean {
  const walk = (m: PbMessage, depth: number): boolean => {
    if (depth > 32) return false;
    // A Buffer message is {1: index, 2: type}; nested messages are scanned recursively.
    if (m.size <= 2 && [...m.keys()].every((k) => k === 1 || k === 2) && [...m.values()].every((v) => typeof v[0] === 'bigint') && pbNum(m, 2) === type) return true;
    for (const vals of m.values()) {
      for (const v of vals) {
        if (!(v instanceof Uint8Array)) continue;
        let inner: PbMessage;
        try {
          inner = decodePbMessage(v, { path: '', offset: 0 });
        } catch {
          continue;
        }
        if (walk(inner, depth + 1)) return true;
      }
    }
    return false;
  };
  return walk(enc, 0);
}
