// From a descriptor (plus the row's data file at the version it was read) to the bytes' place.
// Inline → a range of the row's own data file; packed → a range of sidecar blob_id of that data
// file; dedicated → the whole sidecar; external → the object the descriptor names, under its
// base or at its absolute URI, and only where the view's external read scope allows.
import { LanceFormatError } from '../../errors.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { BlobDescriptor } from '../../format/blob/descriptor.js';
import { BlobKind } from '../../format/blob/layout.js';
import { defaultExternalOpener, type ExternalOpener } from '../../format/blob/external-store.js';
import { confineExternalRead, type BasePathInfo, type ExternalReadScope } from '../../format/blob/external-uri.js';
import { sidecarPath } from '../../format/blob/sidecar-path.js';

/** A blob descriptor with what it needs to be resolved: the data file of its row. */
export interface LocatedDescriptor {
  rowAddress: bigint;
  descriptor: BlobDescriptor | null;
  /** The data file (store + path) that holds the row's blob column at the version read. */
  dataFile: { store: ObjectStore; path: string };
}

/** What the read path needs of a table pinned at one version. */
export interface BlobTableView {
  readonly basePaths: readonly BasePathInfo[];
  /** Descriptors of `column` at `rowAddresses`: request order, duplicates kept; unknown rows are an error. */
  blobDescriptors(column: string, rowAddresses: readonly bigint[]): Promise<LocatedDescriptor[]>;
  /** Opens external objects (defaults to local files / memory stores). */
  readonly openExternal?: ExternalOpener;
  /** Where external blobs may be read; without it, only under registered base paths. */
  readonly externalReads?: ExternalReadScope;
}

export type BlobLocation =
  | { type: 'empty' }
  /** [start, end) of an object; `end` undefined = to the end of the object (external size 0). */
  | { type: 'range'; store: ObjectStore; path: string; start: number; end: number | undefined; kind: BlobKind };

function toNumber(v: bigint, what: string, path: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new LanceFormatError('BLOB_OVERFLOW', `blob ${what} ${v} is beyond 2^53`, { path });
  return Number(v);
}

export function locateBlob(
  ld: LocatedDescriptor,
  bases: readonly BasePathInfo[],
  openExternal: ExternalOpener = defaultExternalOpener,
  externalReads: ExternalReadScope = {},
): BlobLocation | null {
  const d = ld.descriptor;
  if (d === null) return null;
  const { store, path } = ld.dataFile;
  const start = toNumber(d.position, 'position', path);
  const size = toNumber(d.size, 'size', path);
  if (start + size > Number.MAX_SAFE_INTEGER) throw new LanceFormatError('BLOB_OVERFLOW', `blob range ${start}+${size} overflows`, { path });
  switch (d.kind) {
    case BlobKind.Inline:
      return size === 0 ? { type: 'empty' } : { type: 'range', store, path, start, end: start + size, kind: d.kind };
    case BlobKind.Packed:
    case BlobKind.Dedicated: {
      if (size === 0) return { type: 'empty' };
      const sc = sidecarPath(path, d.blobId);
      return { type: 'range', store, path: sc, start: d.kind === BlobKind.Dedicated ? 0 : start, end: (d.kind === BlobKind.Dedicated ? 0 : start) + size, kind: d.kind };
    }
    case BlobKind.External: {
      const target = confineExternalRead(d.blobId, d.blobUri, bases, externalReads);
      const obj = openExternal(target.location, target.within);
      return { type: 'range', store: obj.store, path: obj.path, start, end: size === 0 ? undefined : start + size, kind: d.kind };
    }
    default:
      throw new LanceFormatError('UNKNOWN_BLOB_KIND', `Unknown blob kind ${String(d.kind)}`, { path });
  }
}
