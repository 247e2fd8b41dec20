// Names of the objects a dataset is made of, as Lance 12 spells them (LANCE-FORMAT §1).
import { randomBytes, randomUUID } from 'node:crypto';
import { DeletionFile_DeletionFileType, type DeletionFile } from '../proto/table_pb.js';

export const VERSIONS_DIR = '_versions';
export const TRANSACTIONS_DIR = '_transactions';
export const DELETIONS_DIR = '_deletions';
export const DATA_DIR = 'data';
export const TAGS_DIR = '_refs/tags';
export const HINT_FILE = '_versions/latest_version_hint.json';

/**
 * A fresh data file name (relative to `data/`): 16 random bytes, the first 3 as 24 binary digits
 * (MSB first) and the other 13 as 26 lowercase hex digits. Lance uses the binary prefix to spread
 * objects over S3 partitions; readers accept any unique name.
 */
export function newDataFileName(bytes: Uint8Array = randomBytes(16)): string {
  if (bytes.length !== 16) throw new RangeError(`data file names take 16 random bytes, got ${bytes.length}`);
  let bits = '';
  for (let i = 0; i < 3; i++) bits += bytes[i]!.toString(2).padStart(8, '0');
  let hex = '';
  for (let i = 3; i < 16; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return `${bits}${hex}.lance`;
}

/** `{read_version}-{uuid}.txn`, relative to `_transactions/` (what Manifest.transaction_file holds). */
export function newTransactionFileName(readVersion: bigint, uuid: string = randomUUID()): string {
  return `${readVersion}-${uuid}.txn`;
}

export function deletionFileSuffix(type: DeletionFile_DeletionFileType): 'arrow' | 'bin' {
  return type === DeletionFile_DeletionFileType.BITMAP ? 'bin' : 'arrow';
}

/** `_deletions/{fragment_id}-{read_version}-{id}.{arrow|bin}`, relative to the dataset root. */
export function deletionFilePath(fragmentId: bigint, file: Pick<DeletionFile, 'readVersion' | 'id' | 'fileType'>): string {
  return `${DELETIONS_DIR}/${fragmentId}-${file.readVersion}-${file.id}.${deletionFileSuffix(file.fileType)}`;
}

export function parseDeletionFileName(name: string): { fragmentId: bigint; readVersion: bigint; id: bigint; type: DeletionFile_DeletionFileType } | undefined {
  const m = /^(\d+)-(\d+)-(\d+)\.(arrow|bin)$/.exec(name);
  if (!m) return undefined;
  return {
    fragmentId: BigInt(m[1]!),
    readVersion: BigInt(m[2]!),
    id: BigInt(m[3]!),
    type: m[4] === 'bin' ? DeletionFile_DeletionFileType.BITMAP : DeletionFile_DeletionFileType.ARROW_ARRAY,
  };
}

/** A random u64 for deletion file ids. */
export function randomU64(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

/** `_refs/tags/{tag}.json`. */
export function tagPath(tag: string): string {
  return `${TAGS_DIR}/${tag}.json`;
}
