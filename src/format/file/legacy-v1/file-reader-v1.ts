// Reading legacy v1 Lance files (footer version 0.1 / 0.2, Lance before ~0.17). Layout:
//   ... pages ... | page table | manifest (schema) | Metadata | u64 metadata_pos, u16 major, u16 minor, "LANC"
// Metadata (lance.file.Metadata, u32-length-prefixed): manifest_position = 1, batch_offsets = 2
// (cumulative rows per batch, starting at 0), page_table_position = 3. The page table holds, for
// every field id from the file's smallest to its largest and every batch, an (i64 position, i64
// rows) pair. Pages: fixed-width values back to back (booleans as a bitmap, fixed-size lists as
// their items); strings and binary as an (rows + 1) i64 array of absolute file positions of the
// value bytes; lists as (rows + 1) item positions followed by the item field's own pages; structs
// have no page of their own. v1 has no validity: Lance reads a nullable string whose bytes are
// empty as null, and every other value as valid.
import * as arrow from 'apache-arrow';
import { fromBinary } from '@bufbuild/protobuf';
import { LanceFormatError } from '../../../errors.js';
import type { ObjectStore } from '../../../io/object-store.js';
import { ManifestSchema } from '../../proto/table_pb.js';
import { arrowTypeOf, fromPbFields, type LanceField, type LanceSchema } from '../../schema.js';
import type { LanceFileReader, ReadOptions } from '../reader/file-reader.js';
import { concatCols, toArrowData, type Col } from '../reader/v2_0/columnar.js';
import { decodePbMessage, pbRepeatedUint, pbUint } from '../reader/v2_0/pb-wire.js';

const TRAILER = 16;

export interface V1FileReader extends LanceFileReader {
  standaloneLayout(): { fieldIds: number[]; columnIndices: number[] };
}

function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

export async function openV1File(store: ObjectStore, path: string, fileSize: number, tail: Uint8Array, tailStart: number): Promise<V1FileReader> {
  const at = fileSize - TRAILER;
  const where = (offset: number) => ({ path, offset });
  if (fileSize < TRAILER) throw new LanceFormatError('TRUNCATED', `file is ${fileSize} bytes, too small for a v1 Lance footer`, where(0));
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    if (start >= tailStart && end <= tailStart + tail.length) return tail.subarray(start - tailStart, end - tailStart);
    return store.getRange(path, start, end);
  };
  const trailer = await read(at, fileSize);
  const metaPos = Number(new DataView(trailer.buffer, trailer.byteOffset, 8).getBigUint64(0, true));
  if (metaPos + 4 > at) throw new LanceFormatError('BAD_OFFSET', `v1 metadata position ${metaPos} lies past the footer at ${at}`, where(at));
  const metaLen = u32(await read(metaPos, metaPos + 4), 0);
  if (metaPos + 4 + metaLen > at) throw new LanceFormatError('BAD_OFFSET', `v1 metadata [${metaPos}, +${metaLen}) runs into the footer`, where(metaPos));
  const meta = decodePbMessage(await read(metaPos + 4, metaPos + 4 + metaLen), where(metaPos));
  const manifestPos = Number(pbUint(meta, 1));
  const batchOffsets = pbRepeatedUint(meta, 2).map(Number);
  const pageTablePos = Number(pbUint(meta, 3));
  if (batchOffsets.length === 0) batchOffsets.push(0);
  const numBatches = batchOffsets.length - 1;
  const numRows = batchOffsets[numBatches]!;
  if (manifestPos === 0) {
    throw new LanceFormatError('UNSUPPORTED_FILE', 'v1 file keeps its schema outside the file (no manifest); lancet needs the schema inside the file', where(metaPos));
  }
  const manLen = u32(await read(manifestPos, manifestPos + 4), 0);
  if (manifestPos + 4 + manLen > at) throw new LanceFormatError('BAD_OFFSET', `v1 schema [${manifestPos}, +${manLen}) runs past the footer`, where(manifestPos));
  let manifest;
  try {
    manifest = fromBinary(ManifestSchema, await read(manifestPos + 4, manifestPos + 4 + manLen));
  } catch (e) {
    throw new LanceFormatError('BAD_PROTOBUF', `cannot decode the v1 file's schema: ${(e as Error).message}`, where(manifestPos), { cause: e });
  }
  const td = new TextDecoder();
  const schema: LanceSchema = {
    fields: fromPbFields(manifest.fields, { path }),
    metadata: Object.fromEntries(Object.entries(manifest.schemaMetadata).map(([k, v]) => [k, td.decode(v)])),
  };
  const ids = manifest.fields.map((f) => f.id);
  const minId = ids.length ? Math.min(...ids) : 0;
  const maxId = ids.length ? Math.max(...ids) : -1;
  const tableRows = maxId - minId + 1;
  const table = tableRows > 0 && numBatches > 0 ? await read(pageTablePos, pageTablePos + tableRows * numBatches * 16) : new Uint8Array(0);
  const tdv = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const pageOf = (fieldId: number, batch: number): { position: number; rows: number } => {
    const row = fieldId - minId;
    if (row < 0 || row >= tableRows) throw new LanceFormatError('BAD_COLUMN', `field ${fieldId} has no page in this v1 file (it holds fields ${minId} to ${maxId})`, where(pageTablePos));
    const k = (row * numBatches + batch) * 16;
    return { position: Number(tdv.getBigInt64(k, true)), rows: Number(tdv.getBigInt64(k + 8, true)) };
  };

  /** Values of field `f` for rows [start, end) of one batch (the page's own row numbering). */
  const readPage = async (f: LanceField, type: arrow.DataType, batch: number, start: number, end: number): Promise<Col> => {
    const n = end - start;
    if (arrow.DataType.isNull(type)) return { kind: 'null', n };
    if (arrow.DataType.isStruct(type)) {
      const children: Col[] = [];
      for (const [i, c] of f.children.entries()) children.push(await readPage(c, type.children[i]!.type, batch, start, end));
      return { kind: 'struct', n, children, valid: null };
    }
    const page = pageOf(f.id, batch);
    const pw = where(page.position);
    if (end > page.rows) throw new LanceFormatError('BAD_PAGE', `rows [${start}, ${end}) of field ${f.id} lie past its ${page.rows}-row page`, pw);
    if (arrow.DataType.isBool(type)) {
      const first = start >> 3;
      const bits = await read(page.position + first, page.position + ((end + 7) >> 3));
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const b = start + i - first * 8;
        values[i] = (bits[b >> 3]! >> (b & 7)) & 1;
      }
      return { kind: 'bool', n, values, valid: null };
    }
    if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type) || arrow.DataType.isLargeUtf8(type) || arrow.DataType.isLargeBinary(type)) {
      const pos = await readI64s(page.position + start * 8, n + 1);
      const bytes = n > 0 && pos[n]! > pos[0]! ? await read(pos[0]!, pos[n]!) : new Uint8Array(0);
      const offsets = new Float64Array(n + 1);
      let valid: Uint8Array | null = null;
      for (let i = 0; i <= n; i++) offsets[i] = pos[i]! - pos[0]!;
      if (f.nullable) {
        for (let i = 0; i < n; i++) {
          if (offsets[i + 1] === offsets[i]) {
            valid ??= new Uint8Array(n).fill(1);
            valid[i] = 0;
          }
        }
      }
      return { kind: 'var', n, offsets, bytes, valid };
    }
    if (arrow.DataType.isList(type)) {
      const pos = await readInts(page.position + start * 4, n + 1, 4);
      const child = f.children[0];
      if (!child) throw new LanceFormatError('BAD_SCHEMA', `list field "${f.name}" has no item field`, pw);
      const items = await readPage(child, type.children[0]!.type, batch, pos[0]!, pos[n]!);
      const offsets = Float64Array.from(pos, (p) => p - pos[0]!);
      return { kind: 'list', n, offsets, child: items, valid: null };
    }
    if (arrow.DataType.isFixedSizeList(type)) {
      const dim = type.listSize;
      const itemType = type.children[0]!.type;
      const item = fixedWidth(itemType);
      if (item === undefined) throw new LanceFormatError('UNSUPPORTED_TYPE', `v1 fixed-size list of ${String(itemType)}`, pw);
      const bytes = await read(page.position + start * dim * item, page.position + end * dim * item);
      return { kind: 'fsl', n, dim, child: { kind: 'fixed', n: n * dim, width: item, bytes, valid: null }, valid: null };
    }
    const width = fixedWidth(type);
    if (width === undefined) throw new LanceFormatError('UNSUPPORTED_TYPE', `lancet does not read v1 columns of type ${String(type)} (field "${f.name}")`, pw);
    const bytes = await read(page.position + start * width, page.position + end * width);
    return { kind: 'fixed', n, width, bytes, valid: null };
  };

  const readI64s = async (pos: number, count: number): Promise<number[]> => readInts(pos, count, 8);
  const readInts = async (pos: number, count: number, width: 4 | 8): Promise<number[]> => {
    const b = await read(pos, pos + count * width);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: count }, (_, i) => (width === 8 ? Number(dv.getBigInt64(i * 8, true)) : dv.getInt32(i * 4, true)));
  };

  const readRows = async (f: LanceField, type: arrow.DataType, start: number, end: number): Promise<Col> => {
    const parts: Col[] = [];
    for (let b = 0; b < numBatches; b++) {
      const bs = batchOffsets[b]!;
      const be = batchOffsets[b + 1]!;
      const s = Math.max(start, bs);
      const e = Math.min(end, be);
      if (s < e) parts.push(await readPage(f, type, b, s - bs, e - bs));
    }
    return parts.length ? concatCols(parts) : { kind: 'null', n: 0 };
  };

  const readFields = async (fields: LanceField[], _columnOf: (fieldId: number) => number | undefined, opts: ReadOptions = {}): Promise<arrow.RecordBatch> => {
    // v1 pages are found by field id; the dataset's column indices do not apply.
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
      const type = arrowTypeOf(f);
      const parts: Col[] = [];
      for (const [a, z] of ranges) parts.push(await readRows(f, type, a, z));
      const col = parts.length ? concatCols(parts) : ({ kind: 'null', n: 0 } as Col);
      datas.push(toArrowData(col, type, where(pageTablePos)));
    }
    const outFields = fields.map((f, i) => new arrow.Field(f.name, datas[i]!.type, f.nullable, Object.keys(f.metadata).length ? new Map(Object.entries(f.metadata)) : null));
    const struct = arrow.makeData({ type: new arrow.Struct(outFields), length: total, nullCount: 0, children: datas });
    return new arrow.RecordBatch(new arrow.Schema(outFields), struct);
  };

  const dv = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength);
  return {
    path,
    version: { major: dv.getUint16(8, true), minor: dv.getUint16(10, true) },
    numRows,
    fileSize,
    schema,
    numColumns: tableRows,
    columnInfo(i) {
      throw new LanceFormatError('UNSUPPORTED_VERSION', `column ${i} is in a v1 file, which has pages per field id and batch, not 2.x columns`, { path });
    },
    read: readFields,
    standaloneLayout: () => ({ fieldIds: ids, columnIndices: [] }),
  };
}

/** Bytes per value of a fixed-width Arrow type, or undefined. */
function fixedWidth(type: arrow.DataType): number | undefined {
  if (arrow.DataType.isFixedSizeBinary(type)) return type.byteWidth;
  if (arrow.DataType.isDecimal(type)) return type.bitWidth / 8;
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isDate(type) || arrow.DataType.isTime(type) || arrow.DataType.isTimestamp(type) || arrow.DataType.isDuration(type)) {
    const ctor = (type as unknown as { ArrayType: { BYTES_PER_ELEMENT: number } }).ArrayType;
    return ctor.BYTES_PER_ELEMENT;
  }
  return undefined;
}
