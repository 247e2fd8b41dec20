// The descriptors of one blob column, row by row, with where each payload lives. Only the
// descriptor column is scanned: no payload byte is read.
import * as arrow from 'apache-arrow';
import type { Dataset } from '../../dataset/dataset.js';
import { scanDataset } from '../../dataset/scanner.js';
import { ROW_ADDRESS_COLUMN } from '../../dataset/scan.js';
import { InvalidInputError } from '../../errors.js';
import { descriptorsOf, type BlobDescriptor } from '../../format/blob/descriptor.js';
import { BlobKind } from '../../format/blob/layout.js';
import { sidecarPath } from '../../format/blob/sidecar-path.js';
import { formatBlobUri, resolveExternalForRead, type BasePathInfo } from '../../format/blob/external-uri.js';
import { isBlobV2Field, type LanceField } from '../../format/schema.js';
import { DATA_DIR } from '../../format/table/file-names.js';
import { BLOB_KIND_NAMES } from './dataset-stats.js';

export interface BlobRow {
  rowAddress: bigint;
  fragment: number;
  offset: number;
  /** null for a null blob. */
  kind: string | null;
  position: bigint | null;
  size: bigint | null;
  blobId: number | null;
  /** Dataset-relative data file or sidecar path, or the external object's URI. */
  location: string | null;
}

export function blobColumnField(ds: Dataset, column: string): LanceField {
  const f = ds.schema.fields.find((x) => x.name === column);
  if (!f) throw new InvalidInputError('UNKNOWN_COLUMN', `no column "${column}" in ${ds.loc.uri}; columns: ${ds.schema.fields.map((x) => x.name).join(', ')}`, { column });
  if (!isBlobV2Field(f)) {
    const blobs = ds.schema.fields.filter(isBlobV2Field).map((x) => x.name);
    throw new InvalidInputError('NOT_A_BLOB_COLUMN', `column "${column}" is not a blob v2 column; blob columns: ${blobs.join(', ') || 'none'}`, { column });
  }
  return f;
}

export function basePathsOf(ds: Dataset): BasePathInfo[] {
  return ds.manifest.basePaths.map((b) => ({ id: b.id, path: b.path, isDatasetRoot: b.isDatasetRoot, ...(b.name !== undefined ? { name: b.name } : {}) }));
}

export function kindName(kind: number): string {
  return BLOB_KIND_NAMES[kind] ?? `kind ${kind}`;
}

/** Where the payload of `d` lives, as a user would look for it (relative to the dataset root). */
export function describeLocation(d: BlobDescriptor, dataFile: string, bases: readonly BasePathInfo[]): string {
  switch (d.kind) {
    case BlobKind.Inline:
      return `${DATA_DIR}/${dataFile}`;
    case BlobKind.Packed:
    case BlobKind.Dedicated:
      return sidecarPath(`${DATA_DIR}/${dataFile}`, d.blobId);
    case BlobKind.External:
      try {
        return formatBlobUri(resolveExternalForRead(d.blobId, d.blobUri, bases));
      } catch {
        return d.blobUri;
      }
    default:
      return '?';
  }
}

export interface BlobRowOptions {
  where?: string;
  limit?: number;
}

/** Rows of `column` in fragment order, filtered and limited like a scan. */
export async function* blobRows(ds: Dataset, column: string, opts: BlobRowOptions = {}): AsyncGenerator<BlobRow> {
  const field = blobColumnField(ds, column);
  const bases = basePathsOf(ds);
  let left = opts.limit ?? Infinity;
  if (left <= 0) return;
  for (const frag of ds.fragments) {
    const file = frag.files.find((f) => f.fields.includes(field.id));
    const scan = scanDataset(ds, { columns: [column], withRowAddress: true, fragments: [frag], ...(opts.where !== undefined ? { filter: opts.where } : {}) });
    for await (const batch of scan) {
      const descs = descriptorsOf(batch.getChild(column) as arrow.Vector);
      const addrs = batch.getChild(ROW_ADDRESS_COLUMN)!;
      for (let i = 0; i < batch.numRows && left > 0; i++, left--) {
        const addr = addrs.get(i) as bigint;
        const d = descs[i]!;
        yield {
          rowAddress: addr,
          fragment: Number(addr >> 32n),
          offset: Number(addr & 0xffffffffn),
          kind: d ? kindName(d.kind) : null,
          position: d ? d.position : null,
          size: d ? d.size : null,
          blobId: d ? d.blobId : null,
          location: d && file ? describeLocation(d, file.path, bases) : null,
        };
      }
      if (left <= 0) return;
    }
  }
}

/** Power-of-two size buckets per kind: bucket `upTo` counts sizes in (upTo/2, upTo] (0 is its own). */
export interface SizeHistogram {
  [kind: string]: { values: number; bytes: number; buckets: { upTo: number; count: number }[] };
}

export function bucketOf(size: number): number {
  if (size <= 0) return 0;
  let b = 1;
  while (b < size) b *= 2;
  return b;
}

/** Accumulates sizes per kind as rows stream past (nothing per row is kept). */
export class HistogramBuilder {
  private readonly acc = new Map<string, { values: number; bytes: number; buckets: Map<number, number> }>();
  nulls = 0;

  add(kind: string | null, size: bigint | null): void {
    if (kind === null || size === null) {
      this.nulls++;
      return;
    }
    const k = this.acc.get(kind) ?? { values: 0, bytes: 0, buckets: new Map<number, number>() };
    const n = Number(size);
    k.values++;
    k.bytes += n;
    const b = bucketOf(n);
    k.buckets.set(b, (k.buckets.get(b) ?? 0) + 1);
    this.acc.set(kind, k);
  }

  result(): SizeHistogram {
    const order = (name: string) => (BLOB_KIND_NAMES as readonly string[]).indexOf(name);
    const out: SizeHistogram = {};
    for (const [kind, k] of [...this.acc].sort((a, b) => order(a[0]) - order(b[0]))) {
      out[kind] = { values: k.values, bytes: k.bytes, buckets: [...k.buckets].sort((a, b) => a[0] - b[0]).map(([upTo, count]) => ({ upTo, count })) };
    }
    return out;
  }
}
