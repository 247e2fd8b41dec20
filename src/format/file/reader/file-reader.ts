// Opening a .lance 2.1/2.2 file (one speculative tail read for footer, offset tables, column
// metadata and the FileDescriptor) and reading projected fields over row ranges.
import * as arrow from 'apache-arrow';
import { fromBinary } from '@bufbuild/protobuf';
import { LanceFormatError } from '../../../errors.js';
import type { ByteRange, ObjectStore } from '../../../io/object-store.js';
import { PageLayoutSchema, type PageLayout, type RepDefLayer } from '../../proto/encodings_v2_1_pb.js';
import { ColumnMetadataSchema, type ColumnMetadata } from '../../proto/file2_pb.js';
import { FileDescriptorSchema } from '../../proto/file_pb.js';
import { fromPbFields, isBlobV2Field, PACKED_STRUCT_KEY, type LanceField, type LanceSchema } from '../../schema.js';
import { unpackAny } from '../any.js';
import { BUFFER_ALIGNMENT, decodeFooter, decodeOffsetTable, FOOTER_SIZE } from '../footer.js';
import { arrowTypeOfColumn, leafKindOf } from '../leaf-kind.js';
import { assembleLeaf, nullData, validityFrom } from './assemble.js';
import { makePageJob, type LeafPiece, type PageJob } from './page-jobs.js';
import { makeNestedPageJob, type NestedPiece } from './nested-pages.js';
import { buildNestedField, hasListBelow, isListLogical, type NestedColumn } from './nested-build.js';
import { canonicalLayers, levelModel, unravel } from './repdef.js';
import { openOlderFormat } from './older-formats.js';

export interface PageInfo {
  bufferOffsets: number[];
  bufferSizes: number[];
  /** Rows in the page. */
  length: number;
  /** First row of the page (cumulative, as the reader uses it). */
  firstRow: number;
  priority: number;
  layout: PageLayout;
}

export interface ColumnInfo {
  index: number;
  /** Where its ColumnMetadata lives. */
  position: number;
  size: number;
  pages: PageInfo[];
}

export interface ReadOptions {
  /** Sorted, non-overlapping half-open row ranges; default all rows. */
  ranges?: Array<[number, number]>;
}

export interface LanceFileReader {
  readonly path: string;
  readonly version: { major: number; minor: number };
  readonly numRows: number;
  readonly fileSize: number;
  readonly schema: LanceSchema;
  readonly numColumns: number;
  columnInfo(i: number): ColumnInfo;
  read(fields: LanceField[], columnOf: (fieldId: number) => number | undefined, opts?: ReadOptions): Promise<arrow.RecordBatch>;
}

const TAIL_READ = 64 * 1024;
/** Rows one read may return (Arrow JS offsets and our Int16 level buffers stay well inside limits). */
const MAX_BATCH_ROWS = 2 ** 31 - 1;

function layerCount(l: PageLayout): number | undefined {
  switch (l.layout.case) {
    case 'miniBlockLayout':
    case 'fullZipLayout':
    case 'constantLayout':
      return l.layout.value.layers.length;
    default:
      return undefined;
  }
}

function layersOf(l: PageLayout): RepDefLayer[] {
  switch (l.layout.case) {
    case 'miniBlockLayout':
    case 'fullZipLayout':
    case 'constantLayout':
      return l.layout.value.layers;
    default:
      return [];
  }
}

function decodePb<T>(fn: () => T, what: string, where: { path: string; offset: number }): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LanceFormatError) throw e;
    throw new LanceFormatError('BAD_PROTOBUF', `cannot decode ${what}: ${(e as Error).message}`, where, { cause: e });
  }
}

export async function openLanceFile(store: ObjectStore, path: string, opts: { size?: number } = {}): Promise<LanceFileReader> {
  const fileSize = opts.size ?? (await store.head(path)).size;
  let regionStart = Math.max(0, fileSize - TAIL_READ);
  let region = await store.getRange(path, regionStart, fileSize);
  /** Bytes [start, end) of the file, reading whatever the tail read missed. */
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

  const older = await openOlderFormat(store, path, fileSize, region, regionStart);
  if (older) return older;
  const footer = decodeFooter(region, fileSize, path);
  const footerAt = fileSize - FOOTER_SIZE;
  await grow(Math.min(footer.columnMetaStart, footer.cmoTableStart));
  const gbo = decodeOffsetTable(slice(footer.gboTableStart, footerAt), footer.numGlobalBuffers, footer.columnMetaStart, 'global buffer', { path, offset: footer.gboTableStart });
  const cmo = decodeOffsetTable(slice(footer.cmoTableStart, footer.gboTableStart), footer.numColumns, footer.cmoTableStart, 'column metadata', {
    path,
    offset: footer.cmoTableStart,
  });
  const gb0 = gbo[0]!;
  if (gb0.position % BUFFER_ALIGNMENT !== 0) throw new LanceFormatError('BAD_OFFSET', `global buffer 0 at ${gb0.position} is not 64-byte aligned`, { path, offset: footer.gboTableStart });
  await grow(gb0.position);
  const descriptor = decodePb(() => fromBinary(FileDescriptorSchema, slice(gb0.position, gb0.position + gb0.length)), 'FileDescriptor', { path, offset: gb0.position });
  if (descriptor.length > BigInt(Number.MAX_SAFE_INTEGER)) throw new LanceFormatError('BAD_FILE_DESCRIPTOR', `row count ${descriptor.length} overflows`, { path, offset: gb0.position });
  const numRows = Number(descriptor.length);
  const schemaFields = fromPbFields(descriptor.schema?.fields ?? [], { path });
  const schemaMeta: Record<string, string> = {};
  const td = new TextDecoder();
  for (const [k, v] of Object.entries(descriptor.schema?.metadata ?? {})) schemaMeta[k] = td.decode(v);
  const schema: LanceSchema = { fields: schemaFields, metadata: schemaMeta };

  const columns: ColumnInfo[] = cmo.map((entry, index) => {
    if (entry.position < footer.columnMetaStart) throw new LanceFormatError('BAD_OFFSET', `column ${index} metadata at ${entry.position} precedes the metadata section`, { path, offset: footer.cmoTableStart + index * 16 });
    const where = { path, offset: entry.position };
    const cm: ColumnMetadata = decodePb(() => fromBinary(ColumnMetadataSchema, slice(entry.position, entry.position + entry.length)), `ColumnMetadata of column ${index}`, where);
    let firstRow = 0;
    const pages = cm.pages.map((pg, pi): PageInfo => {
      const pw = { path, offset: entry.position };
      if (pg.encoding?.location.case !== 'direct') throw new LanceFormatError('UNSUPPORTED_ENCODING', `page ${pi} of column ${index} has no direct encoding`, pw);
      const layout = unpackAny(PageLayoutSchema, pg.encoding.location.value.encoding, pw);
      if (pg.bufferOffsets.length !== pg.bufferSizes.length) throw new LanceFormatError('BAD_PAGE', `page ${pi} of column ${index} has ${pg.bufferOffsets.length} buffer offsets and ${pg.bufferSizes.length} sizes`, pw);
      const bufferOffsets: number[] = [];
      const bufferSizes: number[] = [];
      pg.bufferOffsets.forEach((o, k) => {
        const s = pg.bufferSizes[k]!;
        if (o + s > BigInt(footer.columnMetaStart)) throw new LanceFormatError('BAD_OFFSET', `page ${pi} of column ${index} buffer ${k} [${o}, +${s}) runs into the metadata section`, pw);
        bufferOffsets.push(Number(o));
        bufferSizes.push(Number(s));
      });
      if (pg.length > BigInt(numRows)) throw new LanceFormatError('BAD_PAGE', `page ${pi} of column ${index} has ${pg.length} rows, the file ${numRows}`, pw);
      const info: PageInfo = { bufferOffsets, bufferSizes, length: Number(pg.length), firstRow, priority: Number(pg.priority), layout };
      firstRow += info.length;
      return info;
    });
    if (firstRow !== numRows) throw new LanceFormatError('BAD_PAGE', `column ${index} pages hold ${firstRow} rows, the file has ${numRows}`, where);
    return { index, position: entry.position, size: entry.length, pages };
  });
  region = new Uint8Array(0); // the metadata is decoded; drop the tail bytes

  return {
    path,
    version: { major: footer.major, minor: footer.minor },
    numRows,
    fileSize,
    schema,
    numColumns: columns.length,
    columnInfo(i) {
      const c = columns[i];
      if (!c) throw new LanceFormatError('BAD_COLUMN', `column ${i} does not exist (file has ${columns.length})`, { path });
      return c;
    },
    read: (fields, columnOf, ro = {}) => readFields(store, path, numRows, columns, fields, columnOf, ro),
  };
}

function checkRanges(ranges: Array<[number, number]>, numRows: number, path: string): void {
  let prev = 0;
  for (const [a, b] of ranges) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= prev && b >= a && b <= numRows)) {
      throw new LanceFormatError('BAD_RANGE', `row ranges must be sorted, non-overlapping and within [0, ${numRows}); got [${a}, ${b})`, { path });
    }
    prev = b;
  }
}

function isOwner(f: LanceField): boolean {
  return f.children.length === 0 || isBlobV2Field(f) || f.metadata[PACKED_STRUCT_KEY] !== undefined;
}

async function readFields(
  store: ObjectStore,
  path: string,
  numRows: number,
  columns: ColumnInfo[],
  fields: LanceField[],
  columnOf: (fieldId: number) => number | undefined,
  opts: ReadOptions,
): Promise<arrow.RecordBatch> {
  const ranges = (opts.ranges ?? [[0, numRows]]).filter(([a, b]) => b > a);
  checkRanges(ranges, numRows, path);
  const total = ranges.reduce((a, [s, e]) => a + e - s, 0);
  if (total > MAX_BATCH_ROWS) {
    throw new LanceFormatError('BATCH_TOO_LARGE', `a read returns at most ${MAX_BATCH_ROWS} rows; ask for ${total} in smaller ranges`, { path });
  }

  // Plan one job per (column, page) the ranges touch.
  const owners: Array<{ f: LanceField; depth: number; nested: boolean }> = [];
  const visit = (f: LanceField, depth: number, nested: boolean): void => {
    if (isOwner(f)) owners.push({ f, depth, nested });
    else f.children.forEach((c) => visit(c, depth + 1, nested || isListLogical(f.logicalType)));
  };
  // Columns under a top-level field with lists carry repetition levels: their pages return level entries.
  fields.forEach((f) => visit(f, 0, hasListBelow(f)));
  const jobsOf = new Map<number, PageJob[]>();
  const nestedCols = new Set<number>();
  for (const { f, depth, nested } of owners) {
    const ci = columnOf(f.id);
    if (ci === undefined || jobsOf.has(ci)) continue;
    const col = columns[ci];
    if (!col) throw new LanceFormatError('BAD_COLUMN', `field ${f.id} maps to column ${ci}, the file has ${columns.length}`, { path });
    const jobs: PageJob[] = [];
    for (const [pi, pg] of col.pages.entries()) {
      const local: Array<[number, number]> = [];
      for (const [a, b] of ranges) {
        const s = Math.max(a, pg.firstRow) - pg.firstRow;
        const e = Math.min(b, pg.firstRow + pg.length) - pg.firstRow;
        if (s < e) local.push([s, e]);
      }
      if (!local.length) continue;
      const where = { path, offset: pg.bufferOffsets[0] ?? col.position };
      // Each enclosing struct adds one rep/def layer; a mismatch means the file and the
      // schema disagree about nesting, and def levels would be misread.
      const layers = layerCount(pg.layout);
      if (layers !== undefined && layers !== depth + 1) {
        throw new LanceFormatError('SCHEMA_MISMATCH', `page ${pi} of column ${ci} has ${layers} rep/def layers; field "${f.name}" is nested ${depth} deep and needs ${depth + 1}`, where);
      }
      const buffers = { offsets: pg.bufferOffsets, sizes: pg.bufferSizes };
      jobs.push(nested ? makeNestedPageJob(pg.layout, buffers, pg.length, local, where) : makePageJob(pg.layout, buffers, pg.length, local, where));
    }
    if (nested) nestedCols.add(ci);
    jobsOf.set(ci, jobs);
  }
  const allJobs = [...jobsOf.values()].flat();
  const run = async (plan: ByteRange[][]): Promise<Uint8Array[][]> => {
    const flat = plan.flat();
    const got = flat.length ? await store.getRanges(path, flat) : [];
    let k = 0;
    return plan.map((p) => p.map(() => got[k++]!));
  };
  const p1 = await run(allJobs.map((j) => j.phase1()));
  const p2 = await run(allJobs.map((j, i) => j.phase2(p1[i]!)));
  const piecesOf = new Map<PageJob, LeafPiece[]>();
  allJobs.forEach((j, i) => piecesOf.set(j, j.finish(p2[i]!)));

  const leafCache = new Map<number, { data: arrow.Data; nullLayer: Int16Array | null }>();
  const leafOf = (f: LanceField, ci: number) => {
    let got = leafCache.get(ci);
    if (!got) {
      const pieces = jobsOf.get(ci)!.flatMap((j) => piecesOf.get(j)!);
      got = assembleLeaf(leafKindOf(f), arrowTypeOfColumn(f), pieces, { path, offset: columns[ci]!.position });
      leafCache.set(ci, got);
    }
    return got;
  };

  /** Arrow Data for `f` nested `depth` levels below a top-level field; `leafDepth` tracks layers. */
  const build = (f: LanceField, depth: number): { data: arrow.Data; layerSource?: { nullLayer: Int16Array | null; depth: number } } => {
    const type = arrowTypeOfColumn(f);
    if (isOwner(f)) {
      const ci = columnOf(f.id);
      if (ci === undefined) return { data: nullData(type, total) };
      const leaf = leafOf(f, ci);
      if (leaf.data.length !== total) throw new LanceFormatError('BAD_PAGE', `column ${ci} decoded ${leaf.data.length} rows, expected ${total}`, { path });
      return { data: leaf.data, layerSource: { nullLayer: leaf.nullLayer, depth } };
    }
    const kids = f.children.map((c) => build(c, depth + 1));
    const src = kids.find((k) => k.layerSource)?.layerSource;
    const structType = new arrow.Struct(f.children.map((c, i) => new arrow.Field(c.name, kids[i]!.data.type, c.nullable)));
    let validity: { bitmap: Uint8Array; nullCount: number };
    if (src) validity = validityFrom(src.nullLayer, src.depth - depth, total);
    else validity = { bitmap: new Uint8Array((total + 7) >> 3), nullCount: total };
    const data = arrow.makeData({
      type: structType,
      length: total,
      nullCount: validity.nullCount,
      nullBitmap: validity.nullCount ? validity.bitmap : null,
      children: kids.map((k) => k.data),
    });
    return { data, ...(src ? { layerSource: src } : {}) };
  };
  const nestedCache = new Map<number, NestedColumn>();
  const nestedOf = (f: LanceField): NestedColumn | undefined => {
    const ci = columnOf(f.id);
    if (ci === undefined || !nestedCols.has(ci)) return undefined;
    let got = nestedCache.get(ci);
    if (!got) {
      const where = { path, offset: columns[ci]!.position };
      const pieces = jobsOf.get(ci)!.flatMap((j) => piecesOf.get(j)!) as NestedPiece[];
      const values = leafOf(f, ci).data;
      const levels = pieces.flatMap((p) => (p.levels ? [p.levels] : []));
      const numEntries = levels.reduce((a, l) => a + l.rep.length, 0);
      const rep = new Uint16Array(numEntries);
      const def = levels.some((l) => l.def) ? new Uint16Array(numEntries) : null;
      let at = 0;
      for (const l of levels) {
        rep.set(l.rep, at);
        if (def && l.def) def.set(l.def, at);
        at += l.rep.length;
      }
      const layout = columns[ci]!.pages.find((pg) => layerCount(pg.layout) !== undefined)?.layout;
      const model = levelModel(canonicalLayers(layout ? layersOf(layout) : []), where);
      got = { values, layers: unravel(model, rep, def, numEntries, total, where) };
      nestedCache.set(ci, got);
    }
    return got;
  };
  const datas = fields.map((f) => (hasListBelow(f) ? buildNestedField(f, total, nestedOf, { path, offset: 0 }) : build(f, 0).data));
  const schema = new arrow.Schema(fields.map((f, i) => new arrow.Field(f.name, datas[i]!.type, f.nullable, f.metadata && Object.keys(f.metadata).length ? new Map(Object.entries(f.metadata)) : null)));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: total, nullCount: 0, children: datas });
  return new arrow.RecordBatch(schema, struct);
}

export type { RepDefLayer };
