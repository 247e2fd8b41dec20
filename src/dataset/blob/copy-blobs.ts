// Zero-copy blob movement. copyBlobs turns source rows into references the blob writer
// understands; writing them into any dataset then moves payloads store-side: dedicated
// sidecars are linked (or server-copied), packs whose every byte moves are linked whole with
// descriptors keeping their positions, other pack slices are range-copied by the store, and
// only inline payloads (at most one inline threshold each) pass through memory.
import type { ObjectStore } from '../../io/object-store.js';
import { BlobKind } from '../../format/blob/layout.js';
import { blobReference, type BlobReference, type PackSource } from '../../format/blob/blob-reference.js';
import { confineExternalRead, formatBlobUri } from '../../format/blob/external-uri.js';
import { locateBlob, type BlobTableView } from './locate.js';

export interface CopyBlobsStats {
  /** Inline payload bytes read to build the references. */
  payloadBytesRead: number;
  references: { bytes: number; object: number; range: number; external: number; null: number };
  /** Source packs whose every byte is referenced (they will be linked whole). */
  wholePacks: number;
}

export interface CopiedBlobs {
  values: (BlobReference | null)[];
  stats: CopyBlobsStats;
}

/** References to the blobs of `column` at `rowAddresses` in `source` (request order). */
export async function copyBlobs(source: BlobTableView, column: string, rowAddresses: readonly bigint[]): Promise<CopiedBlobs> {
  const located = await source.blobDescriptors(column, rowAddresses);
  const stats: CopyBlobsStats = { payloadBytesRead: 0, references: { bytes: 0, object: 0, range: 0, external: 0, null: 0 }, wholePacks: 0 };
  const values: (BlobReference | null)[] = new Array(located.length).fill(null);

  const inline = new Map<ObjectStore, Map<string, number[]>>();
  const packs = new Map<ObjectStore, Map<string, number[]>>();
  const add = (m: Map<ObjectStore, Map<string, number[]>>, store: ObjectStore, path: string, i: number) => {
    let byPath = m.get(store);
    if (!byPath) m.set(store, (byPath = new Map()));
    byPath.set(path, [...(byPath.get(path) ?? []), i]);
  };

  located.forEach((ld, i) => {
    const d = ld.descriptor;
    if (d === null) {
      stats.references.null++;
      return;
    }
    if (d.kind === BlobKind.External) {
      // Refused here when the source may not read it: the copy would read it (ingest) or hand it on.
      const uri = formatBlobUri(confineExternalRead(d.blobId, d.blobUri, source.basePaths, source.externalReads ?? {}).location);
      values[i] = blobReference({ type: 'external', uri, position: d.position, size: d.size });
      stats.references.external++;
      return;
    }
    const loc = locateBlob(ld, source.basePaths, source.openExternal, source.externalReads);
    if (loc === null || loc.type === 'empty') {
      values[i] = blobReference({ type: 'bytes', bytes: new Uint8Array() });
      stats.references.bytes++;
      return;
    }
    if (d.kind === BlobKind.Inline) add(inline, loc.store, loc.path, i);
    else if (d.kind === BlobKind.Dedicated) {
      values[i] = blobReference({ type: 'object', store: loc.store, path: loc.path, size: loc.end! - loc.start });
      stats.references.object++;
    } else add(packs, loc.store, loc.path, i);
  });

  const work: Promise<void>[] = [];
  for (const [store, byPath] of inline) {
    for (const [path, members] of byPath) {
      const ranges = members.map((i) => {
        const d = located[i]!.descriptor!;
        return [Number(d.position), Number(d.position + d.size)] as const;
      });
      work.push(
        store.getRanges(path, ranges).then((bufs) =>
          members.forEach((i, k) => {
            // Copy out of the coalesced read so a reference does not pin its neighbours' bytes.
            values[i] = blobReference({ type: 'bytes', bytes: bufs[k]!.slice() });
            stats.payloadBytesRead += bufs[k]!.length;
            stats.references.bytes++;
          }),
        ),
      );
    }
  }
  for (const [store, byPath] of packs) {
    for (const [path, members] of byPath) {
      work.push(
        store.head(path).then((meta) => {
          const ranges = members.map((i) => {
            const d = located[i]!.descriptor!;
            return [Number(d.position), Number(d.position + d.size)] as [number, number];
          });
          const pack: PackSource = { store, path, size: meta.size, coveredByRefs: covers(ranges, meta.size) };
          if (pack.coveredByRefs) stats.wholePacks++;
          members.forEach((i, k) => {
            const [s, e] = ranges[k]!;
            values[i] = blobReference({ type: 'range', store, path, start: s, size: e - s, pack });
            stats.references.range++;
          });
        }),
      );
    }
  }
  await Promise.all(work);
  return { values, stats };
}

/** Whether the union of `ranges` is exactly [0, size). */
function covers(ranges: [number, number][], size: number): boolean {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let reach = 0;
  for (const [s, e] of sorted) {
    if (s > reach) return false;
    reach = Math.max(reach, e);
  }
  return reach === size;
}
