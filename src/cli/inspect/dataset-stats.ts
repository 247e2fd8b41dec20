// Facts about a dataset version gathered from its manifest, the store listing and the blob
// descriptors (a metadata scan: no payload byte is read).
import * as arrow from 'apache-arrow';
import type { Dataset } from '../../dataset/dataset.js';
import { scanDataset } from '../../dataset/scanner.js';
import { isBlobV2Field, walkFields, type LanceField } from '../../format/schema.js';
import { computeFeatureFlags, flagName } from '../../format/table/feature-flags.js';
import { DATA_DIR } from '../../format/table/file-names.js';
import { joinPath } from '../../io/object-store.js';

export const BLOB_KIND_NAMES = ['inline', 'packed', 'dedicated', 'external', 'managed'] as const;

export interface BlobKindTotals {
  rows: number;
  nulls: number;
  /** Values and payload bytes per kind name. */
  kinds: Record<string, { values: number; bytes: number }>;
}

export interface DatasetStats {
  uri: string;
  version: number;
  versions: number;
  rows: number;
  deletedRows: number;
  fragments: number;
  dataFiles: number;
  dataFileBytes: number;
  deletionFiles: number;
  sidecarFiles: number;
  sidecarBytes: number;
  fileFormat: string;
  readerFlags: string[];
  writerFlags: string[];
  blobColumns: Record<string, BlobKindTotals>;
}

function flagNames(bits: bigint): string[] {
  const out: string[] = [];
  for (let b = 1n; b <= bits; b <<= 1n) if (bits & b) out.push(flagName(b));
  return out;
}

export function blobFields(ds: Dataset): LanceField[] {
  return ds.schema.fields.filter(isBlobV2Field);
}

/** Descriptor totals of one blob column, from a scan of its descriptors only. */
export async function blobTotals(ds: Dataset, column: string): Promise<BlobKindTotals> {
  const totals: BlobKindTotals = { rows: 0, nulls: 0, kinds: {} };
  for await (const batch of scanDataset(ds, { columns: [column] })) {
    const col = batch.getChild(column) as arrow.Vector<arrow.Struct>;
    const kind = col.getChild('kind')!;
    const size = col.getChild('size')!;
    for (let i = 0; i < batch.numRows; i++) {
      totals.rows++;
      if (!col.isValid(i)) {
        totals.nulls++;
        continue;
      }
      const name = BLOB_KIND_NAMES[Number(kind.get(i))] ?? `kind ${kind.get(i)}`;
      const t = (totals.kinds[name] ??= { values: 0, bytes: 0 });
      t.values++;
      t.bytes += Number(size.get(i));
    }
  }
  return totals;
}

export async function datasetStats(ds: Dataset): Promise<DatasetStats> {
  const m = ds.manifest;
  const flags = computeFeatureFlags(m);
  let dataFiles = 0;
  let dataFileBytes = 0;
  let deletionFiles = 0;
  let deletedRows = 0;
  let physical = 0;
  const stems = new Set<string>();
  for (const f of m.fragments) {
    physical += Number(f.physicalRows);
    if (f.deletionFile) {
      deletionFiles++;
      deletedRows += Number(f.deletionFile.numDeletedRows);
    }
    for (const file of f.files) {
      dataFiles++;
      dataFileBytes += Number(file.fileSizeBytes);
      stems.add(file.path.replace(/\.lance$/, ''));
    }
  }
  let sidecarFiles = 0;
  let sidecarBytes = 0;
  if (blobFields(ds).length > 0) {
    for (const stem of stems) {
      for (const meta of await ds.loc.store.list(joinPath(ds.loc.base, DATA_DIR, stem) + '/')) {
        if (!meta.path.endsWith('.blob')) continue;
        sidecarFiles++;
        sidecarBytes += meta.size;
      }
    }
  }
  const blobColumns: Record<string, BlobKindTotals> = {};
  for (const f of blobFields(ds)) blobColumns[f.name] = await blobTotals(ds, f.name);
  return {
    uri: ds.loc.uri,
    version: ds.version,
    versions: (await ds.listVersions()).length,
    rows: physical - deletedRows,
    deletedRows,
    fragments: m.fragments.length,
    dataFiles,
    dataFileBytes,
    deletionFiles,
    sidecarFiles,
    sidecarBytes,
    fileFormat: ds.fileVersion,
    readerFlags: flagNames(m.readerFeatureFlags || flags.reader),
    writerFlags: flagNames(m.writerFeatureFlags || flags.writer),
    blobColumns,
  };
}

/** One line per field: name, type, nullability, for summaries. */
export function schemaSummary(ds: Dataset): { name: string; type: string; nullable: boolean; blob: boolean }[] {
  return ds.schema.fields.map((f) => ({ name: f.name, type: f.logicalType, nullable: f.nullable, blob: isBlobV2Field(f) }));
}

export function allFields(ds: Dataset): LanceField[] {
  return [...walkFields(ds.schema.fields)];
}

export { arrow };
