// Sidecar naming: `data/<data-file stem>/<32 binary digits of the bit-reversed blob id>.blob`.
// Reversing the bits scatters the leading characters so object-store prefixes spread evenly.
// Sidecars are not listed in the manifest; readers find them by this convention alone.
import { InvalidInputError, LanceFormatError } from '../../errors.js';

export const MAX_BLOB_ID = 0xffff_ffff;

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_BLOB_ID) {
    throw new InvalidInputError('BAD_BLOB_ID', `blob id ${id} is not a u32 above 0 (0 is reserved)`, { id });
  }
}

/** 32-character binary string of `id` with its bits reversed (id 1 → "1000…0"). */
export function encodeBlobId(id: number): string {
  checkId(id);
  // Writing the binary digits least-significant first is exactly the bit reversal.
  return id.toString(2).padStart(32, '0').split('').reverse().join('');
}

export function decodeBlobFileName(name: string): number {
  const m = /^([01]{32})\.blob$/.exec(name);
  if (!m) throw new LanceFormatError('BAD_SIDECAR_NAME', `not a blob sidecar name: ${name}`, { path: name });
  const id = parseInt(m[1]!.split('').reverse().join(''), 2);
  checkId(id);
  return id;
}

/** `data/abc.lance` → `data/abc` (the sidecar directory of that data file). */
export function sidecarDir(dataFilePath: string): string {
  if (!dataFilePath.endsWith('.lance')) {
    throw new InvalidInputError('BAD_DATA_FILE_PATH', `data file path must end in .lance: ${dataFilePath}`, { path: dataFilePath });
  }
  return dataFilePath.slice(0, -'.lance'.length);
}

/** Store path of sidecar `blobId` of the data file at `dataFilePath` (e.g. `data/<stem>.lance`). */
export function sidecarPath(dataFilePath: string, blobId: number): string {
  return `${sidecarDir(dataFilePath)}/${encodeBlobId(blobId)}.blob`;
}

/** Hands out sidecar ids of one data file: from 1, shared by all blob columns of that file. */
export class BlobIdAllocator {
  private nextId: number;
  constructor(first = 1) {
    checkId(first);
    this.nextId = first;
  }
  next(): number {
    if (this.nextId > MAX_BLOB_ID) throw new LanceFormatError('BLOB_IDS_EXHAUSTED', 'blob id allocator exhausted the u32 id space');
    return this.nextId++;
  }
  /** Ids handed out so far. */
  get allocated(): number {
    return this.nextId - 1;
  }
}
