// `.arrow` deletion files: an Arrow IPC *file* with one record batch and one column
// `row_id: UInt32 not null` holding deleted row offsets.
//
// Writing goes through apache-arrow (uncompressed; Lance 12 accepts it). Reading cannot: Lance
// writes the body with IPC ZSTD compression, which apache-arrow 18 does not decode, so this module
// walks the flatbuffer footer / schema / record-batch metadata itself for this one-column case.
import * as arrow from 'apache-arrow';
import { decompress } from 'fzstd';
import { LanceFormatError } from '../../errors.js';
import { DELETION_OUT_OF_RANGE } from './roaring.js';

const MAGIC = 'ARROW1';
const HEADER_RECORD_BATCH = 3;
const TYPE_INT = 2;
const CODEC_ZSTD = 1;

/** Arrow IPC file bytes holding `rows` (deleted row offsets, written in the given order). */
export function encodeDeletionArrow(rows: Iterable<number>): Uint8Array {
  const values = Uint32Array.from(rows);
  const field = new arrow.Field('row_id', new arrow.Uint32(), false);
  const data = arrow.makeData({ type: new arrow.Uint32(), length: values.length, nullCount: 0, data: values });
  const batch = new arrow.RecordBatch(new arrow.Schema([field]), arrow.makeData({ type: new arrow.Struct([field]), length: values.length, nullCount: 0, children: [data] }));
  return arrow.tableToIPC(new arrow.Table([batch]), 'file');
}

/** A minimal flatbuffer table cursor: enough to read the Arrow metadata we need. */
class FbTable {
  constructor(
    private readonly dv: DataView,
    readonly pos: number,
    private readonly fail: (msg: string, at: number) => never,
  ) {}

  static root(dv: DataView, at: number, fail: (msg: string, at: number) => never): FbTable {
    return new FbTable(dv, at + dv.getUint32(at, true), fail);
  }

  private fieldOffset(i: number): number {
    const vt = this.pos - this.dv.getInt32(this.pos, true);
    if (vt < 0 || vt + 4 > this.dv.byteLength) this.fail('flatbuffer vtable out of bounds', this.pos);
    const vtLen = this.dv.getUint16(vt, true);
    if (4 + i * 2 >= vtLen) return 0;
    return this.dv.getUint16(vt + 4 + i * 2, true);
  }

  int(i: number, width: 1 | 2 | 4 | 8, dflt = 0n): bigint {
    const o = this.fieldOffset(i);
    if (!o) return dflt;
    const at = this.pos + o;
    if (width === 1) return BigInt(this.dv.getUint8(at));
    if (width === 2) return BigInt(this.dv.getInt16(at, true));
    if (width === 4) return BigInt(this.dv.getInt32(at, true));
    return this.dv.getBigInt64(at, true);
  }

  /** Position of the referenced object (table, vector or string), or undefined when absent. */
  ref(i: number): number | undefined {
    const o = this.fieldOffset(i);
    if (!o) return undefined;
    const at = this.pos + o;
    return at + this.dv.getUint32(at, true);
  }

  table(i: number): FbTable | undefined {
    const at = this.ref(i);
    return at === undefined ? undefined : new FbTable(this.dv, at, this.fail);
  }

  /** Length of the vector at `at`, refused when its `width`-byte elements would run past the buffer. */
  private vectorLength(at: number, width: number): number {
    const n = this.dv.getUint32(at, true);
    if (at + 4 + n * width > this.dv.byteLength) this.fail(`flatbuffer vector of ${n} elements runs past its ${this.dv.byteLength}-byte buffer`, at);
    return n;
  }

  /** Vector of inline structs of `width` bytes: [start of first element, length]. */
  structVector(i: number, width: number): [number, number] {
    const at = this.ref(i);
    if (at === undefined) return [0, 0];
    return [at + 4, this.vectorLength(at, width)];
  }

  tableVector(i: number): FbTable[] {
    const at = this.ref(i);
    if (at === undefined) return [];
    const n = this.vectorLength(at, 4);
    const out: FbTable[] = [];
    for (let k = 0; k < n; k++) {
      const el = at + 4 + k * 4;
      out.push(new FbTable(this.dv, el + this.dv.getUint32(el, true), this.fail));
    }
    return out;
  }

  string(i: number): string | undefined {
    const at = this.ref(i);
    if (at === undefined) return undefined;
    const n = this.vectorLength(at, 1);
    return new TextDecoder().decode(new Uint8Array(this.dv.buffer, this.dv.byteOffset + at + 4, n));
  }
}

export interface DeletionArrowLimits {
  /** The fragment's physical row count: every offset, and the number of offsets, lies below it. */
  rowLimit?: number;
}

/**
 * Deleted row offsets from `.arrow` deletion file bytes (compressed or not). Every length and
 * offset in the metadata is checked against the file, and row counts against `rowLimit`, before
 * anything is allocated or decompressed.
 */
export function decodeDeletionArrow(bytes: Uint8Array, path = '<deletion file>', limits: DeletionArrowLimits = {}): Uint32Array {
  const fail = (msg: string, at: number): never => {
    throw new LanceFormatError('BAD_DELETION_FILE', msg, { path, offset: at });
  };
  try {
    return decodeUnchecked(bytes, fail, Math.min(limits.rowLimit ?? 2 ** 32, 2 ** 32), path);
  } catch (e) {
    if (e instanceof LanceFormatError) throw e;
    // RangeErrors from DataView reads on a damaged file.
    return fail(`malformed Arrow IPC deletion file: ${(e as Error).message}`, 0);
  }
}

function decodeUnchecked(bytes: Uint8Array, fail: (msg: string, at: number) => never, rowLimit: number, path: string): Uint32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => new TextDecoder().decode(bytes.subarray(at, at + 6));
  if (bytes.length < 18 || text(0) !== MAGIC || text(bytes.length - 6) !== MAGIC) fail('not an Arrow IPC file (ARROW1 magic missing)', 0);
  const footerLen = dv.getInt32(bytes.length - 10, true);
  const footerAt = bytes.length - 10 - footerLen;
  if (footerLen <= 0 || footerAt < 8) fail(`bad Arrow footer length ${footerLen}`, bytes.length - 10);
  const footer = FbTable.root(new DataView(bytes.buffer, bytes.byteOffset + footerAt, footerLen), 0, fail);

  const schema = footer.table(1) ?? fail('Arrow footer has no schema', footerAt);
  const fields = schema.tableVector(1);
  const f = fields[0];
  if (fields.length !== 1 || !f) return fail(`deletion file schema must have exactly one field, found ${fields.length}`, footerAt);
  const type = f.table(3);
  if (f.string(0) !== 'row_id' || f.int(2, 1) !== BigInt(TYPE_INT) || !type || type.int(0, 4) !== 32n || type.int(1, 1) !== 0n) {
    fail(`deletion file schema must be row_id: UInt32, found field "${f.string(0)}"`, footerAt);
  }

  const footerDv = new DataView(bytes.buffer, bytes.byteOffset + footerAt, footerLen);
  const [blocksAt, nBlocks] = footer.structVector(3, 24);
  const parts: Uint32Array[] = [];
  let rows = 0;
  for (let b = 0; b < nBlocks; b++) {
    const el = blocksAt + b * 24;
    const offset = Number(footerDv.getBigInt64(el, true));
    const metaLen = footerDv.getInt32(el + 8, true);
    const part = readBatch(bytes, dv, offset, metaLen, fail, { rowLimit, rowsLeft: rowLimit - rows, path });
    rows += part.length;
    parts.push(part);
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint32Array(total);
  let w = 0;
  for (const p of parts) {
    out.set(p, w);
    w += p.length;
  }
  return out;
}

/** One record batch's offsets; `rowsLeft` is how many more deleted rows the fragment can hold. */
function readBatch(
  bytes: Uint8Array,
  dv: DataView,
  offset: number,
  metaLen: number,
  fail: (msg: string, at: number) => never,
  { rowLimit, rowsLeft, path }: { rowLimit: number; rowsLeft: number; path: string },
): Uint32Array {
  if (offset < 8 || metaLen < 8 || offset + metaLen > bytes.length) fail(`record batch block [${offset}, +${metaLen}) out of bounds`, offset);
  // Encapsulated message: [0xFFFFFFFF] i32 length, flatbuffer Message, padding, then the body.
  const fbAt = dv.getInt32(offset, true) === -1 ? offset + 8 : offset + 4;
  const msg = FbTable.root(new DataView(bytes.buffer, bytes.byteOffset + fbAt, offset + metaLen - fbAt), 0, fail);
  if (msg.int(1, 1) !== BigInt(HEADER_RECORD_BATCH)) fail('deletion file block is not a record batch', offset);
  const rb = msg.table(2) ?? fail('record batch message has no header', offset);
  const declared = rb.int(0, 8);
  if (declared < 0n || declared > BigInt(rowsLeft)) fail(`record batch declares ${declared} rows; the fragment has room for ${rowsLeft} more deleted rows`, offset);
  const length = Number(declared);
  const rbDv = new DataView(bytes.buffer, bytes.byteOffset + fbAt, offset + metaLen - fbAt);
  const [nodesAt, nNodes] = rb.structVector(1, 16);
  if (nNodes !== 1) fail(`record batch has ${nNodes} field nodes, expected 1`, offset);
  if (rbDv.getBigInt64(nodesAt, true) !== declared) fail(`row_id field node length ${rbDv.getBigInt64(nodesAt, true)} differs from the batch's ${declared} rows`, offset);
  if (rbDv.getBigInt64(nodesAt + 8, true) !== 0n) fail('deletion file row_id column contains nulls', offset);
  const [bufsAt, nBufs] = rb.structVector(2, 16);
  if (nBufs !== 2) fail(`record batch has ${nBufs} buffers, expected 2 (validity, values)`, offset);
  const compression = rb.table(3);
  const codec = compression ? Number(compression.int(0, 1)) : undefined;
  if (codec !== undefined && codec !== CODEC_ZSTD) fail(`unsupported IPC body compression codec ${codec} (only ZSTD)`, offset);
  const bodyAt = offset + metaLen;
  const off64 = rbDv.getBigInt64(bufsAt + 16, true);
  const len64 = rbDv.getBigInt64(bufsAt + 24, true);
  if (off64 < 0n || len64 < 0n || BigInt(bodyAt) + off64 + len64 > BigInt(bytes.length)) fail(`values buffer [${off64}, +${len64}) lies outside the file`, bodyAt);
  const bufOff = Number(off64);
  const bufLen = Number(len64);
  let raw = bytes.subarray(bodyAt + bufOff, bodyAt + bufOff + bufLen);
  if (codec !== undefined && raw.length > 0) {
    // Compressed buffers start with the i64 uncompressed length; -1 means stored raw.
    if (raw.length < 8) fail('compressed values buffer is shorter than its 8-byte length prefix', bodyAt + bufOff);
    const want = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigInt64(0, true);
    if (want === -1n) raw = raw.subarray(8);
    else {
      // The uncompressed size is known from the row count; a larger claim is a decompression bomb.
      const expected = BigInt(length) * 4n;
      if (want < expected || want > expected + 63n) fail(`ZSTD values buffer claims ${want} bytes for ${length} rows`, bodyAt + bufOff);
      raw = inflateExactly(raw.subarray(8), Number(want), (msg) => fail(msg, bodyAt + bufOff + 8));
    }
  }
  if (raw.length < length * 4) fail(`values buffer holds ${raw.length} bytes for ${length} rows`, bodyAt + bufOff);
  const out = new Uint32Array(length);
  const vdv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < length; i++) {
    const v = vdv.getUint32(i * 4, true);
    if (v >= rowLimit) {
      throw new LanceFormatError(DELETION_OUT_OF_RANGE, `deleted offset ${v} is not a row of a fragment with ${rowLimit} rows`, { path, offset: bodyAt + bufOff + i * 4 });
    }
    out[i] = v;
  }
  return out;
}

/**
 * Decompresses one ZSTD frame into exactly `size` bytes. The output is allocated by us at the
 * size the row count allows, never at the size the frame header claims.
 */
function inflateExactly(src: Uint8Array, size: number, fail: (msg: string) => never): Uint8Array {
  const declared = frameContentSize(src);
  if (declared !== undefined && declared !== BigInt(size)) fail(`ZSTD frame declares ${declared} bytes, the buffer header ${size}`);
  return decompress(src, new Uint8Array(size));
}

/** The content size a ZSTD frame header declares, when it declares one. */
function frameContentSize(src: Uint8Array): bigint | undefined {
  if (src.length < 6) return undefined;
  const fhd = src[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (at + fcsBytes > src.length) return undefined;
  let v = 0n;
  for (let i = fcsBytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(src[at + i]!);
  return fcsBytes === 2 ? v + 256n : v;
}
