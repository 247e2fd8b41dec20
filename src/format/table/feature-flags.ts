// Manifest feature flags (LANCE-FORMAT §2.6). A reader or writer must refuse any bit it does not
// understand; lancet knows the bits Lance 12 releases, and implements a subset of them.
import type { Manifest } from '../proto/table_pb.js';
import { LanceFormatError } from '../../errors.js';

export const FLAG_DELETION_FILES = 1n;
export const FLAG_STABLE_ROW_IDS = 2n;
export const FLAG_USE_V2_FORMAT_DEPRECATED = 4n;
export const FLAG_TABLE_CONFIG = 8n;
export const FLAG_BASE_PATHS = 16n;
export const FLAG_DISABLE_TRANSACTION_FILE = 32n;

const NAMES = new Map<bigint, string>([
  [FLAG_DELETION_FILES, 'deletion files'],
  [FLAG_STABLE_ROW_IDS, 'stable row ids'],
  [FLAG_USE_V2_FORMAT_DEPRECATED, 'v2 format (deprecated)'],
  [FLAG_TABLE_CONFIG, 'table config'],
  [FLAG_BASE_PATHS, 'base paths'],
  [FLAG_DISABLE_TRANSACTION_FILE, 'disable transaction file'],
  [64n, 'unstable data overlay files'],
  [128n, 'covered index metadata'],
  [256n, 'mixed data file versions'],
  [2048n, 'managed blobs'],
]);

/** Bits lancet can read datasets with. Base paths are refused because data under other roots is not resolved. */
const READABLE = FLAG_DELETION_FILES | FLAG_STABLE_ROW_IDS | FLAG_USE_V2_FORMAT_DEPRECATED | FLAG_TABLE_CONFIG | FLAG_DISABLE_TRANSACTION_FILE;
const WRITABLE = READABLE;

export function flagName(bit: bigint): string {
  return NAMES.get(bit) ?? `unknown feature flag ${bit}`;
}

/** Flags a manifest must carry given its content (Lance recomputes them on every commit). */
export function computeFeatureFlags(m: Manifest): { reader: bigint; writer: bigint } {
  let reader = 0n;
  let writer = 0n;
  if (m.fragments.some((f) => f.deletionFile !== undefined)) {
    reader |= FLAG_DELETION_FILES;
    writer |= FLAG_DELETION_FILES;
  }
  if (m.fragments.length > 0 && m.fragments.every((f) => f.rowIdSequence.case !== undefined)) {
    reader |= FLAG_STABLE_ROW_IDS;
    writer |= FLAG_STABLE_ROW_IDS;
  }
  if (Object.keys(m.config).length > 0) writer |= FLAG_TABLE_CONFIG;
  if (m.basePaths.length > 0) {
    reader |= FLAG_BASE_PATHS;
    writer |= FLAG_BASE_PATHS;
  }
  return { reader, writer };
}

function check(flags: bigint, allowed: bigint, what: 'read' | 'write', path: string): void {
  const bad = flags & ~allowed;
  if (bad === 0n) return;
  let bit = 1n;
  while (!(bad & bit)) bit <<= 1n;
  throw new LanceFormatError('UNSUPPORTED_FEATURE', `cannot ${what} this dataset: it uses ${what === 'read' ? 'reader' : 'writer'} feature flag ${bit} (${flagName(bit)}), which lancet does not support`, {
    path,
    flag: bit,
  });
}

/** Throws a LanceFormatError naming the first flag lancet cannot honour when reading. */
export function checkReadable(m: Manifest, path: string): void {
  check(m.readerFeatureFlags, READABLE, 'read', path);
}

/** Throws a LanceFormatError naming the first flag lancet cannot honour when writing a new version. */
export function checkWritable(m: Manifest, path: string): void {
  check(m.writerFeatureFlags, WRITABLE, 'write', path);
}
