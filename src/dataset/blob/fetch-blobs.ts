// Batch blob reads: resolve every descriptor, then plan per object (data file, sidecar or
// external object) and let the store coalesce neighbouring ranges into few requests. Results
// come back in request order; duplicates are kept, null stays null, empty stays empty.
import type { ObjectStore } from '../../io/object-store.js';
import { assertFitsInMemory } from '../../io/read-limits.js';
import { BlobFile, isShortRead, truncatedBlob } from './blob-file.js';
import { locateBlob, type BlobLocation, type BlobTableView, type LocatedDescriptor } from './locate.js';

type RangeLoc = Extract<BlobLocation, { type: 'range' }>;

interface Resolved {
  located: LocatedDescriptor[];
  locs: (BlobLocation | null)[];
  /** Ends filled in (external whole objects are sized with one head per object). */
  ends: (number | undefined)[];
}

async function resolveAll(view: BlobTableView, column: string, rowAddresses: readonly bigint[]): Promise<Resolved> {
  const located = await view.blobDescriptors(column, rowAddresses);
  const locs = located.map((ld) => locateBlob(ld, view.basePaths, view.openExternal, view.externalReads));
  const sizes = new Map<ObjectStore, Map<string, Promise<number>>>();
  const ends = await Promise.all(
    locs.map(async (l) => {
      if (l === null || l.type !== 'range') return undefined;
      if (l.end !== undefined) return l.end;
      let byPath = sizes.get(l.store);
      if (!byPath) sizes.set(l.store, (byPath = new Map()));
      let p = byPath.get(l.path);
      if (!p) byPath.set(l.path, (p = l.store.head(l.path).then((m) => m.size)));
      return Math.max(l.start, await p);
    }),
  );
  return { located, locs, ends };
}

/** Payload bytes of `column` at `rowAddresses` (one entry per request). */
export async function fetchBlobs(view: BlobTableView, column: string, rowAddresses: readonly bigint[]): Promise<(Uint8Array | null)[]> {
  const { located, locs, ends } = await resolveAll(view, column, rowAddresses);
  // Refuse before reading anything: a blob no buffer can hold is read with fetchBlobFiles.
  locs.forEach((l, i) => {
    if (l?.type === 'range') assertFitsInMemory(ends[i]! - l.start, `the blob at row ${located[i]!.rowAddress}`);
  });
  const out: (Uint8Array | null)[] = locs.map((l) => (l === null ? null : new Uint8Array()));
  const groups = new Map<ObjectStore, Map<string, number[]>>();
  locs.forEach((l, i) => {
    if (l === null || l.type !== 'range' || ends[i] === l.start) return;
    let byPath = groups.get(l.store);
    if (!byPath) groups.set(l.store, (byPath = new Map()));
    const members = byPath.get(l.path) ?? [];
    members.push(i);
    byPath.set(l.path, members);
  });
  const reads: Promise<void>[] = [];
  for (const [store, byPath] of groups) {
    for (const [path, members] of byPath) {
      const want = (i: number) => ends[i]! - (locs[i] as RangeLoc).start;
      reads.push(
        store.getRanges(path, members.map((i) => [(locs[i] as RangeLoc).start, ends[i]!] as const)).then(
          (bufs) => {
            members.forEach((i, k) => {
              // A store that hands back fewer bytes than asked must not pass for a short blob.
              if (bufs[k]!.length !== want(i)) throw truncatedBlob(located[i]!.rowAddress, path, want(i), bufs[k]!.length);
              out[i] = bufs[k]!;
            });
          },
          (e: unknown) => {
            throw isShortRead(e) ? truncatedBlob(located[members[0]!]!.rowAddress, path, want(members[0]!), undefined, e) : e;
          },
        ),
      );
    }
  }
  await Promise.all(reads);
  return out;
}

/** Lazy handles on the blobs of `column` at `rowAddresses`; nothing but external sizes is read. */
export async function fetchBlobFiles(view: BlobTableView, column: string, rowAddresses: readonly bigint[]): Promise<(BlobFile | null)[]> {
  const { located, locs, ends } = await resolveAll(view, column, rowAddresses);
  return locs.map((l, i) => {
    const ld = located[i]!;
    if (l === null || ld.descriptor === null) return null;
    if (l.type === 'empty') return new BlobFile(ld.rowAddress, ld.descriptor, 0, undefined);
    return new BlobFile(ld.rowAddress, ld.descriptor, ends[i]! - l.start, { store: l.store, path: l.path, start: l.start });
  });
}
