// Blob reads and copies on a dataset snapshot. A snapshot is one committed version, so every
// descriptor is resolved against the fragment → data file layout of the version it was read at.
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { arrowTypeOf, isBlobV2Field, isLegacyBlobField, type LanceField } from '../../format/schema.js';
import { DATA_DIR } from '../../format/table/file-names.js';
import { joinPath } from '../../io/object-store.js';
import { descriptorsOf, type BlobDescriptor } from '../../format/blob/descriptor.js';
import type { BlobInput } from '../../format/blob/blob-input.js';
import type { ExternalOpener } from '../../format/blob/external-store.js';
import type { ExternalReadScope } from '../../format/blob/external-uri.js';
import type { DatasetLocation } from '../versions.js';
import type { Dataset } from '../dataset.js';
import { scanFragment } from '../scan.js';
import type { BlobTableView, LocatedDescriptor } from './locate.js';
import { fetchBlobFiles, fetchBlobs } from './fetch-blobs.js';
import { copyBlobs, type CopiedBlobs } from './copy-blobs.js';
import type { BlobFile } from './blob-file.js';
import { toLogicalBlobValue } from './blob-values.js';

function blobColumn(ds: Dataset, column: string): LanceField {
  const f = ds.schema.fields.find((x) => x.name === column);
  if (!f) throw new InvalidInputError('UNKNOWN_COLUMN', `no column '${column}' in the dataset`, { column });
  if (!isBlobV2Field(f) && !isLegacyBlobField(f)) throw new InvalidInputError('NOT_A_BLOB_COLUMN', `column '${column}' is not a blob column`, { column });
  return f;
}

/** Absolute path (local stores) or URI of a dataset's root, as external URIs name it. */
function datasetRootUri(loc: DatasetLocation): string {
  const root = loc.store.root.replace(/\/+$/, '');
  if (loc.store.kind === 'local') return nodePath.join(root, loc.base);
  return loc.base ? `${root}/${loc.base}` : root;
}

/** Where external blobs of this dataset may be read: its root, its bases, and what the connection allowed. */
export function externalReadScope(loc: DatasetLocation): ExternalReadScope {
  const allow = loc.externalBlobs ?? {};
  return {
    datasetRoot: datasetRootUri(loc),
    ...(allow.externalBlobRoots ? { roots: allow.externalBlobRoots } : {}),
    ...(allow.allowUnconfinedExternalBlobs ? { unconfined: true } : {}),
  };
}

/** The read view of a snapshot: descriptors at row addresses plus the data file of each row. */
export function datasetBlobView(ds: Dataset, opts: { openExternal?: ExternalOpener } = {}): BlobTableView {
  return {
    basePaths: ds.manifest.basePaths.map((b) => ({ id: b.id, path: b.path, isDatasetRoot: b.isDatasetRoot, ...(b.name !== undefined ? { name: b.name } : {}) })),
    ...(opts.openExternal ? { openExternal: opts.openExternal } : {}),
    externalReads: externalReadScope(ds.loc),
    async blobDescriptors(column: string, rowAddresses: readonly bigint[]): Promise<LocatedDescriptor[]> {
      const field = blobColumn(ds, column);
      const byFrag = new Map<bigint, Set<number>>();
      for (const a of rowAddresses) {
        const set = byFrag.get(a >> 32n) ?? new Set<number>();
        set.add(Number(a & 0xffffffffn));
        byFrag.set(a >> 32n, set);
      }
      const found = new Map<bigint, LocatedDescriptor>();
      for (const [fragId, offsets] of byFrag) {
        const frag = ds.fragments.find((f) => f.id === fragId);
        const file = frag?.files.find((f) => f.fields.includes(field.id));
        if (!frag || !file) continue;
        const dataFile = { store: ds.loc.store, path: joinPath(ds.loc.base, DATA_DIR, file.path) };
        const sorted = Uint32Array.from(offsets).sort();
        for await (const { batch, offsets: got } of scanFragment(ds.loc, frag, { fields: [field], offsets: sorted }, arrowTypeOf)) {
          const descs: (BlobDescriptor | null)[] = descriptorsOf(batch.getChild(column) as arrow.Vector, { path: dataFile.path });
          got.forEach((o, i) => {
            const addr = (fragId << 32n) | BigInt(o);
            found.set(addr, { rowAddress: addr, descriptor: descs[i]!, dataFile });
          });
        }
      }
      const missing = rowAddresses.filter((a) => !found.has(a));
      if (missing.length > 0) {
        throw new NotFoundError(`rows ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} (requested ${rowAddresses.length} row addresses but only ${rowAddresses.length - missing.length} exist at version ${ds.version})`);
      }
      return rowAddresses.map((a) => found.get(a)!);
    },
  };
}

export function fetchDatasetBlobs(ds: Dataset, column: string, rowAddresses: readonly bigint[]): Promise<(Uint8Array | null)[]> {
  return fetchBlobs(datasetBlobView(ds), column, rowAddresses);
}

export function fetchDatasetBlobFiles(ds: Dataset, column: string, rowAddresses: readonly bigint[]): Promise<(BlobFile | null)[]> {
  return fetchBlobFiles(datasetBlobView(ds), column, rowAddresses);
}

export function copyDatasetBlobs(ds: Dataset, column: string, rowAddresses: readonly bigint[]): Promise<CopiedBlobs> {
  return copyBlobs(datasetBlobView(ds), column, rowAddresses);
}

/** Row objects with their blob column values turned into the logical struct Arrow can hold. */
export function prepareBlobRows(rows: readonly Record<string, unknown>[], schema: arrow.Schema): Record<string, unknown>[] {
  const blobCols = schema.fields.filter((f) => f.metadata.get('ARROW:extension:name') === 'lance.blob.v2').map((f) => f.name);
  if (blobCols.length === 0) return [...rows];
  return rows.map((r) => {
    const o = { ...r };
    for (const c of blobCols) o[c] = toLogicalBlobValue(r[c] as BlobInput);
    return o;
  });
}
