// Manifest file bytes and names.
//
//   [u32 len][Transaction pb]            optional inline copy of the commit's transaction
//   [u32 len][Manifest pb]               runs up to the trailer
//   u64 pos-of-manifest-length | u16 0 | u16 2 | "LANC"
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { IndexSectionSchema, ManifestSchema, type IndexSection, type Manifest } from '../proto/table_pb.js';
import { TransactionSchema, type Transaction } from '../proto/transaction_pb.js';
import { LanceFormatError } from '../../errors.js';

const MAGIC = [0x4c, 0x41, 0x4e, 0x43]; // "LANC"
const TRAILER = 16;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Serializes a manifest (and, when given, its transaction inline ahead of it, then the index
 * section; both are u32-prefixed and found through their offsets in the manifest).
 */
export function encodeManifestFile(manifest: Manifest, transaction?: Transaction, indexSection?: IndexSection): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  const m = create(ManifestSchema, manifest);
  if (transaction) {
    const txn = toBinary(TransactionSchema, transaction);
    parts.push(u32(txn.length), txn);
    m.transactionSection = 0n;
    pos = 4 + txn.length;
  } else {
    m.transactionSection = undefined;
  }
  if (indexSection && indexSection.indices.length > 0) {
    const idx = toBinary(IndexSectionSchema, indexSection);
    parts.push(u32(idx.length), idx);
    m.indexSection = BigInt(pos);
    pos += 4 + idx.length;
  } else {
    m.indexSection = undefined;
  }
  const body = toBinary(ManifestSchema, m);
  parts.push(u32(body.length), body);
  const trailer = new Uint8Array(TRAILER);
  const dv = new DataView(trailer.buffer);
  dv.setBigUint64(0, BigInt(pos), true);
  dv.setUint16(8, 0, true);
  dv.setUint16(10, 2, true);
  trailer.set(MAGIC, 12);
  parts.push(trailer);
  return concat(parts);
}

export interface DecodedManifestFile {
  manifest: Manifest;
  /** The inline transaction, when the file carries one. */
  transaction?: Transaction;
  /** The index section, when the manifest points at one. */
  indexSection?: IndexSection;
}

/** Parses manifest file bytes; `path` names the file in errors. */
export function decodeManifestFile(bytes: Uint8Array, path: string): DecodedManifestFile {
  if (bytes.length < TRAILER + 4) {
    throw new LanceFormatError('TRUNCATED_MANIFEST', `manifest file is ${bytes.length} bytes, too short to hold a manifest`, { path, offset: 0 });
  }
  const end = bytes.length;
  for (let i = 0; i < 4; i++) {
    if (bytes[end - 4 + i] !== MAGIC[i]) {
      throw new LanceFormatError('BAD_MAGIC', 'manifest file does not end in "LANC"', { path, offset: end - 4 });
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pos64 = dv.getBigUint64(end - TRAILER, true);
  if (pos64 > BigInt(end - TRAILER - 4)) {
    throw new LanceFormatError('BAD_OFFSET', `manifest position ${pos64} lies outside the file (${end} bytes)`, { path, offset: end - TRAILER });
  }
  const pos = Number(pos64);
  const len = dv.getUint32(pos, true);
  if (len !== end - TRAILER - pos - 4) {
    throw new LanceFormatError('BAD_LENGTH', `manifest length prefix ${len} does not match the ${end - TRAILER - pos - 4} bytes before the trailer`, { path, offset: pos });
  }
  let manifest: Manifest;
  try {
    manifest = fromBinary(ManifestSchema, bytes.subarray(pos + 4, pos + 4 + len));
  } catch (e) {
    throw new LanceFormatError('BAD_PROTOBUF', `manifest protobuf does not decode: ${(e as Error).message}`, { path, offset: pos + 4 }, { cause: e });
  }
  const out: DecodedManifestFile = { manifest };
  if (manifest.transactionSection !== undefined) {
    out.transaction = decodeLengthPrefixedTransaction(bytes, Number(manifest.transactionSection), pos, path);
  }
  if (manifest.indexSection !== undefined) {
    const at = Number(manifest.indexSection);
    const body = lengthPrefixed(bytes, at, pos, path, 'index section');
    try {
      out.indexSection = fromBinary(IndexSectionSchema, body);
    } catch (e) {
      throw new LanceFormatError('BAD_PROTOBUF', `index section protobuf does not decode: ${(e as Error).message}`, { path, offset: at + 4 }, { cause: e });
    }
  }
  return out;
}

function lengthPrefixed(bytes: Uint8Array, at: number, limit: number, path: string, what: string): Uint8Array {
  if (at + 4 > limit) throw new LanceFormatError('BAD_OFFSET', `${what} offset ${at} lies outside the file`, { path, offset: at });
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
  if (at + 4 + len > limit) throw new LanceFormatError('BAD_LENGTH', `${what} length ${len} runs into the manifest`, { path, offset: at });
  return bytes.subarray(at + 4, at + 4 + len);
}

function decodeLengthPrefixedTransaction(bytes: Uint8Array, at: number, limit: number, path: string): Transaction {
  if (at + 4 > limit) throw new LanceFormatError('BAD_OFFSET', `transaction section offset ${at} lies outside the file`, { path, offset: at });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = dv.getUint32(at, true);
  if (at + 4 + len > limit) {
    throw new LanceFormatError('BAD_LENGTH', `transaction section length ${len} runs into the manifest`, { path, offset: at });
  }
  return decodeTransaction(bytes.subarray(at + 4, at + 4 + len), path, at + 4);
}

/** Decodes a bare serialized Transaction (the content of a `_transactions/*.txn` file). */
export function decodeTransaction(bytes: Uint8Array, path: string, offset = 0): Transaction {
  try {
    return fromBinary(TransactionSchema, bytes);
  } catch (e) {
    throw new LanceFormatError('BAD_PROTOBUF', `transaction protobuf does not decode: ${(e as Error).message}`, { path, offset }, { cause: e });
  }
}

export function encodeTransaction(txn: Transaction): Uint8Array {
  return toBinary(TransactionSchema, txn);
}

// ---------------------------------------------------------------------------------------------
// Names under _versions/

/** V2 naming (Lance 12 default): u64::MAX - version, zero-padded to 20 digits, so newest sorts first. */
export function manifestNameV2(version: bigint | number): string {
  return `${(U64_MAX - BigInt(version)).toString().padStart(20, '0')}.manifest`;
}

export function manifestNameV1(version: bigint | number): string {
  return `${BigInt(version)}.manifest`;
}

export type ManifestNaming = 'v1' | 'v2';

/** Version and naming scheme of a `_versions/` entry, or undefined for anything else (temp files, hints, detached). */
export function parseManifestName(name: string): { version: bigint; naming: ManifestNaming } | undefined {
  const m = /^(\d+)\.manifest$/.exec(name);
  if (!m) return undefined;
  const n = BigInt(m[1]!);
  if (m[1]!.length === 20) return { version: U64_MAX - n, naming: 'v2' };
  return { version: n, naming: 'v1' };
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
