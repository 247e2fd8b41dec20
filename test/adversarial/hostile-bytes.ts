// Builders of hostile-but-well-formed bytes: files whose structure parses but whose counts,
// sizes and offsets claim far more than the file holds (decompression and run-length bombs).
import * as flatbuffers from 'flatbuffers';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ColumnMetadataSchema, type ColumnMetadata } from '../../src/format/proto/file2_pb.js';
import { FieldSchema, Field_Type, FileDescriptorSchema, type Field as PbField, type FileDescriptor } from '../../src/format/proto/file_pb.js';
import { decodeFooter, decodeOffsetTable, encodeFooter, encodeOffsetTable } from '../../src/format/file/footer.js';
import { Footer } from 'apache-arrow/fb/footer';
import { Schema } from 'apache-arrow/fb/schema';
import { Field } from 'apache-arrow/fb/field';
import { Int } from 'apache-arrow/fb/int';
import { Type } from 'apache-arrow/fb/type';
import { Block } from 'apache-arrow/fb/block';
import { Message } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { MetadataVersion } from 'apache-arrow/fb/metadata-version';
import { RecordBatch } from 'apache-arrow/fb/record-batch';
import { FieldNode } from 'apache-arrow/fb/field-node';
import { Buffer as FbBuffer } from 'apache-arrow/fb/buffer';
import { BodyCompression } from 'apache-arrow/fb/body-compression';
import { CompressionType } from 'apache-arrow/fb/compression-type';
import { BodyCompressionMethod } from 'apache-arrow/fb/body-compression-method';

/**
 * A portable roaring bitmap (cookie 12347) of `n` run containers, each one run covering all
 * 65,536 values of its key: 14 bytes per container claiming 65,536 rows each.
 */
export function runContainerBomb(n: number, firstKey = 0): Uint8Array {
  const flagLen = Math.ceil(n / 8);
  const withOffsets = n >= 4;
  const header = 4 + flagLen + n * 4 + (withOffsets ? n * 4 : 0);
  const out = new Uint8Array(header + n * 6);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, (12347 | ((n - 1) << 16)) >>> 0, true);
  out.fill(0xff, 4, 4 + flagLen);
  let p = 4 + flagLen;
  for (let i = 0; i < n; i++) {
    dv.setUint16(p + i * 4, firstKey + i, true);
    dv.setUint16(p + i * 4 + 2, 0xffff, true);
  }
  p += n * 4;
  if (withOffsets) for (let i = 0; i < n; i++) dv.setUint32(p + i * 4, header + i * 6, true);
  p = header;
  for (let i = 0; i < n; i++, p += 6) {
    dv.setUint16(p, 1, true); // one run
    dv.setUint16(p + 2, 0, true); // from 0
    dv.setUint16(p + 4, 0xffff, true); // 65,536 long
  }
  return out;
}

/**
 * A ZSTD frame that declares `claim` content bytes and really expands to `actual` zero bytes
 * through RLE blocks (4 bytes per 128 KiB): a decompression bomb a few KB long.
 */
export function zstdRleFrame(claim: number, actual = claim): Uint8Array {
  const BLOCK = 1 << 17;
  const blocks = Math.max(1, Math.ceil(actual / BLOCK));
  const out = new Uint8Array(4 + 1 + 8 + blocks * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xfd2fb528, true);
  out[4] = (3 << 6) | (1 << 5); // 8-byte content size, single segment
  dv.setBigUint64(5, BigInt(claim), true);
  let left = actual;
  for (let b = 0; b < blocks; b++) {
    const size = Math.min(BLOCK, left);
    left -= size;
    const last = b === blocks - 1 ? 1 : 0;
    const h = last | (1 << 1) | (size << 3); // RLE block
    const at = 13 + b * 4;
    out[at] = h & 0xff;
    out[at + 1] = (h >> 8) & 0xff;
    out[at + 2] = (h >> 16) & 0xff;
    out[at + 3] = 0;
  }
  return out;
}

export interface IpcDeletionSpec {
  /** Row count the record batch header declares. */
  length: number | bigint;
  /** Body bytes of the values buffer (already framed when `zstd`). */
  values: Uint8Array;
  zstd?: boolean;
  nullCount?: number;
  /** How many footer blocks point at the same record batch. */
  blocks?: number;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** An Arrow IPC file with schema `row_id: UInt32 not null` and one (possibly repeated) batch. */
export function deletionArrowIpc(spec: IpcDeletionSpec): Uint8Array {
  const body = new Uint8Array(pad8(spec.values.length));
  body.set(spec.values);

  const mb = new flatbuffers.Builder(256);
  RecordBatch.startNodesVector(mb, 1);
  FieldNode.createFieldNode(mb, BigInt(spec.length), BigInt(spec.nullCount ?? 0));
  const nodes = mb.endVector();
  RecordBatch.startBuffersVector(mb, 2);
  FbBuffer.createBuffer(mb, 0n, BigInt(spec.values.length)); // values (pushed last-first)
  FbBuffer.createBuffer(mb, 0n, 0n); // validity
  const buffers = mb.endVector();
  const compression = spec.zstd ? BodyCompression.createBodyCompression(mb, CompressionType.ZSTD, BodyCompressionMethod.BUFFER) : 0;
  RecordBatch.startRecordBatch(mb);
  RecordBatch.addLength(mb, BigInt(spec.length));
  RecordBatch.addNodes(mb, nodes);
  RecordBatch.addBuffers(mb, buffers);
  if (compression) RecordBatch.addCompression(mb, compression);
  const rb = RecordBatch.endRecordBatch(mb);
  const msg = Message.createMessage(mb, MetadataVersion.V5, MessageHeader.RecordBatch, rb, BigInt(body.length), 0);
  mb.finish(msg);
  const msgFb = mb.asUint8Array();
  const metaLen = 8 + pad8(msgFb.length);

  const fb = new flatbuffers.Builder(256);
  const name = fb.createString('row_id');
  const intType = Int.createInt(fb, 32, false);
  const children = Field.createChildrenVector(fb, []);
  Field.startField(fb);
  Field.addName(fb, name);
  Field.addNullable(fb, false);
  Field.addTypeType(fb, Type.Int);
  Field.addType(fb, intType);
  Field.addChildren(fb, children);
  const field = Field.endField(fb);
  const fields = Schema.createFieldsVector(fb, [field]);
  Schema.startSchema(fb);
  Schema.addFields(fb, fields);
  const schema = Schema.endSchema(fb);
  const nBlocks = spec.blocks ?? 1;
  Footer.startRecordBatchesVector(fb, nBlocks);
  for (let i = 0; i < nBlocks; i++) Block.createBlock(fb, 8n, metaLen, BigInt(body.length));
  const batches = fb.endVector();
  Footer.startFooter(fb);
  Footer.addVersion(fb, MetadataVersion.V5);
  Footer.addSchema(fb, schema);
  Footer.addRecordBatches(fb, batches);
  fb.finish(Footer.endFooter(fb));
  const footer = fb.asUint8Array();

  const total = 8 + metaLen + body.length + footer.length + 4 + 6;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const magic = new TextEncoder().encode('ARROW1');
  out.set(magic, 0);
  dv.setInt32(8, -1, true);
  dv.setInt32(12, metaLen - 8, true);
  out.set(msgFb, 16);
  out.set(body, 8 + metaLen);
  out.set(footer, 8 + metaLen + body.length);
  dv.setInt32(total - 10, footer.length, true);
  out.set(magic, total - 6);
  return out;
}

/** An IPC deletion file of 10 rows whose ZSTD values buffer claims and expands to `claim` bytes. */
export function zstdBombDeletionArrow(claim: number): Uint8Array {
  const frame = zstdRleFrame(claim);
  const values = new Uint8Array(8 + frame.length);
  new DataView(values.buffer).setBigInt64(0, BigInt(claim), true);
  values.set(frame, 8);
  return deletionArrowIpc({ length: 10, values, zstd: true });
}

/** An IPC deletion file whose footer lists the same batch of `rows` `blocks` times. */
export function repeatedBlockDeletionArrow(rows: number[], blocks: number): Uint8Array {
  return deletionArrowIpc({ length: rows.length, values: new Uint8Array(Uint32Array.from(rows).buffer), blocks });
}

// ---------------------------------------------------------------------------------------------
// Data files taken apart and put back together, so tests can plant hostile metadata values in
// an otherwise valid 2.1/2.2 file.

export interface DataFileParts {
  /** Bytes before the column metadata section (pages and global buffers). */
  prefix: Uint8Array;
  descriptor: FileDescriptor;
  columns: ColumnMetadata[];
  globalBuffers: Array<{ position: number; length: number }>;
  major: number;
  minor: number;
}

export function splitDataFile(bytes: Uint8Array): DataFileParts {
  const footer = decodeFooter(bytes, bytes.length, 'split');
  const gbo = decodeOffsetTable(bytes.subarray(footer.gboTableStart), footer.numGlobalBuffers, footer.columnMetaStart, 'gb', { path: 'split', offset: 0 });
  const cmo = decodeOffsetTable(bytes.subarray(footer.cmoTableStart), footer.numColumns, footer.cmoTableStart, 'cm', { path: 'split', offset: 0 });
  const gb0 = gbo[0]!;
  return {
    prefix: bytes.slice(0, footer.columnMetaStart),
    descriptor: fromBinary(FileDescriptorSchema, bytes.subarray(gb0.position, gb0.position + gb0.length)),
    columns: cmo.map((e) => fromBinary(ColumnMetadataSchema, bytes.subarray(e.position, e.position + e.length))),
    globalBuffers: gbo,
    major: footer.major,
    minor: footer.minor,
  };
}

/** Reassembles a file; the (possibly changed) descriptor is written as a fresh global buffer 0. */
export function joinDataFile(p: DataFileParts): Uint8Array {
  const desc = toBinary(FileDescriptorSchema, p.descriptor);
  const descAt = Math.ceil(p.prefix.length / 64) * 64;
  const cms = p.columns.map((c) => toBinary(ColumnMetadataSchema, c));
  const metaStart = descAt + desc.length;
  const cmPositions: Array<{ position: number; length: number }> = [];
  let at = metaStart;
  for (const c of cms) {
    cmPositions.push({ position: at, length: c.length });
    at += c.length;
  }
  const gbs = [{ position: descAt, length: desc.length }, ...p.globalBuffers.slice(1)];
  const cmo = encodeOffsetTable(cmPositions);
  const gbo = encodeOffsetTable(gbs);
  const footer = encodeFooter({ columnMetaStart: metaStart, cmoTableStart: at, gboTableStart: at + cmo.length, numGlobalBuffers: gbs.length, numColumns: cms.length, major: p.major, minor: p.minor });
  const out = new Uint8Array(at + cmo.length + gbo.length + footer.length);
  out.set(p.prefix, 0);
  out.fill(0x48, p.prefix.length, descAt);
  out.set(desc, descAt);
  cms.forEach((c, i) => out.set(c, cmPositions[i]!.position));
  out.set(cmo, at);
  out.set(gbo, at + cmo.length);
  out.set(footer, at + cmo.length + gbo.length);
  return out;
}

/** A copy of `bytes` with the u64 (or u32) at `at` replaced. */
export function patchUint(bytes: Uint8Array, at: number, v: bigint, width: 4 | 8): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  if (width === 8) dv.setBigUint64(at, BigInt.asUintN(64, v), true);
  else dv.setUint32(at, Number(BigInt.asUintN(32, v)), true);
  return out;
}

/** A pre-order protobuf field list: `depth` nested structs ending in one int32 leaf. */
export function deepPbChain(depth: number, firstId = 0): PbField[] {
  const out: PbField[] = [];
  for (let d = 0; d < depth; d++) {
    const leaf = d === depth - 1;
    out.push(create(FieldSchema, { type: Field_Type.PARENT, name: `s${d}`, id: firstId + d, parentId: d === 0 ? -1 : firstId + d - 1, logicalType: leaf ? 'int32' : 'struct', nullable: true }));
  }
  return out;
}

