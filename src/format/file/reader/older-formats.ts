// Files older than 2.1 are told apart by the version in their last 8 bytes (u16 major, u16
// minor, "LANC"): 0.3 is format 2.0; 0.1 and 0.2 are the legacy v1 formats.
import type { ObjectStore } from '../../../io/object-store.js';
import type { LanceFileReader } from './file-reader.js';
import { openV1File } from '../legacy-v1/file-reader-v1.js';
import { openV20File } from './v2_0/file-reader-v2_0.js';

/** A reader for a 2.0 or v1 file, or undefined when the file is of another version. */
export async function openOlderFormat(store: ObjectStore, path: string, fileSize: number, tail: Uint8Array, tailStart: number): Promise<LanceFileReader | undefined> {
  if (tail.length < 8 || tailStart + tail.length !== fileSize) return undefined;
  const v = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 8);
  const magic = String.fromCharCode(...tail.subarray(tail.length - 4));
  if (magic !== 'LANC') return undefined;
  const major = v.getUint16(0, true);
  const minor = v.getUint16(2, true);
  if (major === 0 && minor === 3) return openV20File(store, path, fileSize, tail, tailStart);
  if (major === 0 && (minor === 1 || minor === 2)) return openV1File(store, path, fileSize, tail, tailStart);
  return undefined;
}
