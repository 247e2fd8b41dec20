// Deletion vectors of fragments: which physical row offsets are deleted, stored as `.arrow`
// (fewer than 5000 rows, like Lance) or roaring `.bin` files under `_deletions/`.
import { create } from '@bufbuild/protobuf';
import { DeletionFileSchema, DeletionFile_DeletionFileType, type DeletionFile } from '../proto/table_pb.js';
import type { ObjectStore } from '../../io/object-store.js';
import { joinPath } from '../../io/object-store.js';
import { LanceFormatError } from '../../errors.js';
import { decodeDeletionArrow, encodeDeletionArrow } from './deletion-arrow.js';
import { decodeRoaring, encodeRoaring } from './roaring.js';
import { deletionFilePath, randomU64 } from './file-names.js';

/** Lance switches from the `.arrow` array form to the roaring bitmap at this many deleted rows. */
export const BITMAP_THRESHOLD = 5000;

/** Encodes a deletion vector in the form Lance would pick for its size. */
export function encodeDeletionVector(rows: Uint32Array, type: DeletionFile_DeletionFileType): Uint8Array {
  return type === DeletionFile_DeletionFileType.BITMAP ? encodeRoaring(rows) : encodeDeletionArrow(rows);
}

/** What a deletion file may hold, known from the manifest before the file is read. */
export interface DeletionLimits {
  /** The fragment's physical row count: every deleted offset lies below it. */
  rowLimit?: number;
  /** `num_deleted_rows` from the manifest when it is set (0 means "not recorded"). */
  expectedCount?: number;
}

/** Sorted unique deleted offsets from a deletion file's bytes. */
export function decodeDeletionVector(bytes: Uint8Array, type: DeletionFile_DeletionFileType, path: string, limits: DeletionLimits = {}): Uint32Array {
  let rows: Uint32Array;
  if (type === DeletionFile_DeletionFileType.BITMAP) rows = decodeRoaring(bytes, path, limits);
  else {
    rows = decodeDeletionArrow(bytes, path, limits.rowLimit !== undefined ? { rowLimit: limits.rowLimit } : {}).sort();
    let w = 0;
    for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i] !== rows[i - 1]) rows[w++] = rows[i]!;
    rows = rows.subarray(0, w);
  }
  if (limits.expectedCount !== undefined && rows.length !== limits.expectedCount) {
    throw new LanceFormatError('BAD_DELETION_FILE', `deletion file holds ${rows.length} rows, manifest says ${limits.expectedCount}`, { path });
  }
  return rows;
}

/**
 * The largest deletion file a fragment of `rows` physical rows can need, with room for metadata:
 * a roaring bitmap spends at most 8 KiB per 65,536 rows, an Arrow file 4 bytes per row.
 */
export function maxDeletionFileBytes(rows: number): number {
  return (1 << 20) + 4 * rows + Math.ceil(rows / 65536) * (BITMAP_CONTAINER_BYTES + 8);
}
const BITMAP_CONTAINER_BYTES = 8192;

/**
 * Reads the deleted offsets of fragment `fragmentId` (base = dataset root inside the store) with
 * `physicalRows` rows. The file's size is checked against what such a fragment can need before
 * it is fetched, and its content against the fragment and the manifest before values are built.
 */
export async function readDeletionFile(store: ObjectStore, base: string, fragmentId: bigint, file: DeletionFile, physicalRows: number): Promise<Uint32Array> {
  if (file.baseId !== undefined) {
    throw new LanceFormatError('UNSUPPORTED_FEATURE', `deletion file of fragment ${fragmentId} lives under base path ${file.baseId}; base paths are not supported`, {
      path: deletionFilePath(fragmentId, file),
    });
  }
  const rel = deletionFilePath(fragmentId, file);
  if (file.numDeletedRows > BigInt(physicalRows)) {
    throw new LanceFormatError('BAD_DELETION_FILE', `manifest says ${file.numDeletedRows} rows of fragment ${fragmentId} are deleted, but it has ${physicalRows}`, { path: rel });
  }
  const full = joinPath(base, rel);
  const { size } = await store.head(full);
  const limit = maxDeletionFileBytes(physicalRows);
  if (size > limit) {
    throw new LanceFormatError('BAD_DELETION_FILE', `deletion file is ${size} bytes; a fragment of ${physicalRows} rows needs at most ${limit}`, { path: rel });
  }
  const limits: DeletionLimits = { rowLimit: physicalRows, ...(file.numDeletedRows !== 0n ? { expectedCount: Number(file.numDeletedRows) } : {}) };
  return decodeDeletionVector(await store.get(full), file.fileType, rel, limits);
}

/**
 * Writes a new deletion file holding `rows` (sorted unique offsets) for a fragment and returns the
 * DeletionFile entry for the manifest. Files are never overwritten: each gets a fresh random id.
 */
export async function writeDeletionFile(store: ObjectStore, base: string, fragmentId: bigint, readVersion: bigint, rows: Uint32Array): Promise<DeletionFile> {
  const fileType = rows.length >= BITMAP_THRESHOLD ? DeletionFile_DeletionFileType.BITMAP : DeletionFile_DeletionFileType.ARROW_ARRAY;
  const file = create(DeletionFileSchema, { fileType, readVersion, id: randomU64(), numDeletedRows: BigInt(rows.length) });
  await store.putIfAbsent(joinPath(base, deletionFilePath(fragmentId, file)), encodeDeletionVector(rows, fileType));
  return file;
}

/** Sorted union of two sorted unique offset lists. */
export function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    const v = Math.min(x, y);
    if (x === v) i++;
    if (y === v) j++;
    out[w++] = v;
  }
  return out.subarray(0, w);
}
