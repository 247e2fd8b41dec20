// The fixed 40-byte footer every 2.x data file ends with, plus the offset tables before it.
//   u64 column_meta_start | u64 cmo_table_start | u64 gbo_table_start |
//   u32 num_global_buffers | u32 num_columns | u16 major | u16 minor | "LANC"
import { LanceFormatError } from '../../errors.js';

export const FOOTER_SIZE = 40;
export const MAGIC = new Uint8Array([0x4c, 0x41, 0x4e, 0x43]); // "LANC"
/** Page and global buffers must start on this boundary (required by 2.1+ readers). */
export const BUFFER_ALIGNMENT = 64;
/** Lance pads between buffers with 'H'. */
export const PAD_BYTE = 0x48;

export type FileVersion = '2.1' | '2.2';

export interface Footer {
  columnMetaStart: number;
  cmoTableStart: number;
  gboTableStart: number;
  numGlobalBuffers: number;
  numColumns: number;
  major: number;
  minor: number;
}

export function footerVersion(v: FileVersion): { major: number; minor: number } {
  return v === '2.1' ? { major: 2, minor: 1 } : { major: 2, minor: 2 };
}

export function encodeFooter(f: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(f.columnMetaStart), true);
  dv.setBigUint64(8, BigInt(f.cmoTableStart), true);
  dv.setBigUint64(16, BigInt(f.gboTableStart), true);
  dv.setUint32(24, f.numGlobalBuffers, true);
  dv.setUint32(28, f.numColumns, true);
  dv.setUint16(32, f.major, true);
  dv.setUint16(34, f.minor, true);
  out.set(MAGIC, 36);
  return out;
}

/** A u64 that must describe a position inside a file of `fileSize` bytes. */
export function checkedOffset(v: bigint, fileSize: number, what: string, where: { path: string; offset: number }): number {
  if (v > BigInt(fileSize)) {
    throw new LanceFormatError('BAD_OFFSET', `${what} ${v} lies beyond the end of the ${fileSize}-byte file`, where);
  }
  return Number(v);
}

/** Parses and validates the footer found in the last 40 bytes of `tail` (which ends at EOF). */
export function decodeFooter(tail: Uint8Array, fileSize: number, path: string): Footer {
  const at = fileSize - FOOTER_SIZE;
  if (fileSize < FOOTER_SIZE || tail.length < FOOTER_SIZE) {
    throw new LanceFormatError('TRUNCATED', `file is ${fileSize} bytes, too small for the ${FOOTER_SIZE}-byte Lance footer`, { path, offset: 0 });
  }
  const b = tail.subarray(tail.length - FOOTER_SIZE);
  for (let i = 0; i < 4; i++) {
    if (b[36 + i] !== MAGIC[i]) throw new LanceFormatError('BAD_MAGIC', 'footer magic is not "LANC"; not a Lance data file', { path, offset: at + 36 });
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = dv.getUint16(32, true);
  const minor = dv.getUint16(34, true);
  if (!(major === 2 && (minor === 1 || minor === 2))) {
    const name = major === 0 && minor === 3 ? '2.0' : major === 0 ? `legacy ${major}.${minor}` : `${major}.${minor}`;
    throw new LanceFormatError('UNSUPPORTED_VERSION', `Lance file version ${name} is not supported (lancet reads 2.1 and 2.2)`, { path, offset: at + 32 });
  }
  const where = { path, offset: at };
  const f: Footer = {
    columnMetaStart: checkedOffset(dv.getBigUint64(0, true), at, 'column metadata start', where),
    cmoTableStart: checkedOffset(dv.getBigUint64(8, true), at, 'column metadata offset table start', where),
    gboTableStart: checkedOffset(dv.getBigUint64(16, true), at, 'global buffer offset table start', where),
    numGlobalBuffers: dv.getUint32(24, true),
    numColumns: dv.getUint32(28, true),
    major,
    minor,
  };
  if (f.cmoTableStart + f.numColumns * 16 > f.gboTableStart || f.gboTableStart + f.numGlobalBuffers * 16 !== at) {
    throw new LanceFormatError(
      'BAD_FOOTER',
      `offset tables do not fit: ${f.numColumns} columns at ${f.cmoTableStart}, ${f.numGlobalBuffers} global buffers at ${f.gboTableStart}, footer at ${at}`,
      where,
    );
  }
  if (f.columnMetaStart > f.cmoTableStart) {
    throw new LanceFormatError('BAD_FOOTER', `column metadata starts at ${f.columnMetaStart}, after its offset table at ${f.cmoTableStart}`, where);
  }
  if (f.numGlobalBuffers < 1) throw new LanceFormatError('BAD_FOOTER', 'file has no global buffer 0 (FileDescriptor)', where);
  return f;
}

/** Reads a table of (u64 position, u64 length) pairs and checks each lies in [0, limit). */
export function decodeOffsetTable(
  bytes: Uint8Array,
  count: number,
  limit: number,
  what: string,
  where: { path: string; offset: number },
): Array<{ position: number; length: number }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ position: number; length: number }> = [];
  for (let i = 0; i < count; i++) {
    const pos = dv.getBigUint64(i * 16, true);
    const len = dv.getBigUint64(i * 16 + 8, true);
    if (pos + len > BigInt(limit)) {
      throw new LanceFormatError('BAD_OFFSET', `${what} ${i} [${pos}, +${len}) runs past byte ${limit}`, { path: where.path, offset: where.offset + i * 16 });
    }
    out.push({ position: Number(pos), length: Number(len) });
  }
  return out;
}

export function encodeOffsetTable(entries: ReadonlyArray<{ position: number; length: number }>): Uint8Array {
  const out = new Uint8Array(entries.length * 16);
  const dv = new DataView(out.buffer);
  entries.forEach((e, i) => {
    dv.setBigUint64(i * 16, BigInt(e.position), true);
    dv.setBigUint64(i * 16 + 8, BigInt(e.length), true);
  });
  return out;
}
