// References: blob values that name bytes already stored somewhere (another dataset's data file
// or sidecar) instead of carrying them. The blob writer turns them into links, server-side
// copies or streamed range copies, so moving blobs between datasets keeps payloads off the heap.
import type { ObjectStore } from '../../io/object-store.js';

export const BLOB_REF: unique symbol = Symbol.for('lancet.blob-reference') as never;

/** A source pack sidecar shared by the references that point into it. */
export interface PackSource {
  store: ObjectStore;
  path: string;
  /** Size of the whole pack file. */
  size: number;
  /**
   * True when the references carrying this object together cover every byte of the pack,
   * so the whole file may be linked and descriptors re-pointed at the same positions.
   */
  coveredByRefs: boolean;
}

export type BlobReference =
  /** Small payload (a source inline value) already read, by design at most one inline threshold. */
  | { readonly [BLOB_REF]: true; readonly type: 'bytes'; readonly bytes: Uint8Array }
  /** A whole object (a dedicated sidecar). */
  | { readonly [BLOB_REF]: true; readonly type: 'object'; readonly store: ObjectStore; readonly path: string; readonly size: number }
  /** A byte range of an object (a slice of a pack sidecar). */
  | {
      readonly [BLOB_REF]: true;
      readonly type: 'range';
      readonly store: ObjectStore;
      readonly path: string;
      readonly start: number;
      readonly size: number;
      readonly pack?: PackSource;
    }
  /** An external object, by absolute URI (with an optional range; size 0 = whole object). */
  | { readonly [BLOB_REF]: true; readonly type: 'external'; readonly uri: string; readonly position: bigint; readonly size: bigint };

export function isBlobReference(v: unknown): v is BlobReference {
  return typeof v === 'object' && v !== null && (v as { [BLOB_REF]?: unknown })[BLOB_REF] === true;
}

type Distribute<T> = T extends unknown ? Omit<T, typeof BLOB_REF> : never;
export function blobReference(r: Distribute<BlobReference>): BlobReference {
  return { [BLOB_REF]: true, ...r } as BlobReference;
}

/** Payload length of a reference (external with size 0 is unknown until read: -1). */
export function referenceSize(r: BlobReference): number {
  switch (r.type) {
    case 'bytes':
      return r.bytes.length;
    case 'object':
    case 'range':
      return r.size;
    case 'external':
      return r.size === 0n ? -1 : Number(r.size);
  }
}
