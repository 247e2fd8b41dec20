// A dataset snapshot: one committed version of a Lance table, opened from a URI. Snapshots are
// immutable; every write commits a new version and returns the new snapshot.
import type { ExternalBlobReadOptions } from '../format/blob/external-uri.js';
import type * as arrow from 'apache-arrow';
import type { DataFragment, Manifest } from '../format/proto/table_pb.js';
import { arrowSchemaOf, fromPbFields, type LanceSchema } from '../format/schema.js';
import { checkReadable } from '../format/table/feature-flags.js';
import { withTrustedRowStats } from '../format/table/row-stats.js';
import { storeForUri } from '../io/open-store.js';
import type { ObjectStore } from '../io/object-store.js';
import { LanceFormatError } from '../errors.js';
import { listVersionEntries, loadLatest, loadVersion, type DatasetLocation, type LoadedManifest } from './versions.js';

export interface VersionInfo {
  version: number;
  timestamp: Date;
  metadata: Record<string, string>;
}

const textDecoder = new TextDecoder();
/** Data formats lancet reads ('0.1' / 'legacy' are the v1 files; writes stay 2.1 / 2.2). */
const READABLE_FORMATS = ['0.1', 'legacy', '2.0', '2.1', '2.2'];

export function schemaOfManifest(m: Manifest, path: string): LanceSchema {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.schemaMetadata)) metadata[k] = textDecoder.decode(v);
  return { fields: fromPbFields(m.fields, { path }), metadata };
}

export function locationOf(uri: string, store?: ObjectStore, base = ''): DatasetLocation {
  if (store) return { store, base, uri };
  const s = storeForUri(uri);
  return { store: s.store, base: s.path, uri };
}

export class Dataset {
  readonly loc: DatasetLocation;
  readonly loaded: LoadedManifest;
  readonly schema: LanceSchema;

  constructor(loc: DatasetLocation, loaded: LoadedManifest) {
    checkReadable(loaded.manifest, loaded.path);
    const fmt = loaded.manifest.dataFormat?.version;
    if (fmt && !READABLE_FORMATS.includes(fmt)) {
      throw new LanceFormatError('UNSUPPORTED_FILE_VERSION', `dataset uses data file format ${fmt}; lancet reads ${READABLE_FORMATS.join(', ')}`, { path: loaded.path });
    }
    this.loc = loc;
    const manifest = withTrustedRowStats(loaded.manifest);
    this.loaded = manifest === loaded.manifest ? loaded : { ...loaded, manifest };
    this.schema = schemaOfManifest(loaded.manifest, loaded.path);
  }

  get manifest(): Manifest {
    return this.loaded.manifest;
  }

  get version(): number {
    return Number(this.loaded.version);
  }

  get fragments(): readonly DataFragment[] {
    return this.loaded.manifest.fragments;
  }

  get arrowSchema(): arrow.Schema {
    return arrowSchemaOf(this.schema);
  }

  /** Data format of the dataset's files ('0.1' v1, '2.0', '2.1', '2.2'); lancet writes only 2.1 / 2.2. */
  get fileVersion(): string {
    const v = this.manifest.dataFormat?.version;
    if (v) return v;
    // Manifests from before data_format was recorded (Lance < 0.10) hold v1 files.
    const first = this.fragments.find((f) => f.files.length > 0)?.files[0];
    return first && first.fileMajorVersion === 0 && first.fileMinorVersion === 0 ? '0.1' : '2.2';
  }

  /** Re-reads the newest version. */
  async latest(): Promise<Dataset> {
    return new Dataset(this.loc, await loadLatest(this.loc));
  }

  async atVersion(version: number | bigint): Promise<Dataset> {
    return new Dataset(this.loc, await loadVersion(this.loc, BigInt(version)));
  }

  async listVersions(): Promise<VersionInfo[]> {
    const out: VersionInfo[] = [];
    for (const e of await listVersionEntries(this.loc)) {
      const m = await loadVersion(this.loc, e.version);
      const ts = m.manifest.timestamp;
      out.push({
        version: Number(e.version),
        timestamp: ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)) : new Date(e.mtimeMs),
        metadata: { ...m.manifest.tableMetadata },
      });
    }
    return out;
  }

  /** Live rows without reading data: physical rows minus deletions. */
  countRowsFast(): number | undefined {
    let n = 0;
    for (const f of this.fragments) {
      if (f.physicalRows === 0n && f.files.length > 0) return undefined;
      // num_deleted_rows 0 on a deletion file means "unknown" (older writers).
      if (f.deletionFile && f.deletionFile.numDeletedRows === 0n) return undefined;
      n += Number(f.physicalRows - (f.deletionFile?.numDeletedRows ?? 0n));
    }
    return n;
  }
}

/** Opens a dataset at its newest version, or at `version`. */
export async function openDatasetAt(loc: DatasetLocation, version?: number | bigint): Promise<Dataset> {
  return new Dataset(loc, version === undefined ? await loadLatest(loc) : await loadVersion(loc, BigInt(version)));
}

export async function openDataset(uri: string, opts: { version?: number | bigint; store?: ObjectStore } & ExternalBlobReadOptions = {}): Promise<Dataset> {
  const { externalBlobRoots, allowUnconfinedExternalBlobs } = opts;
  const externalBlobs = { ...(externalBlobRoots ? { externalBlobRoots } : {}), ...(allowUnconfinedExternalBlobs !== undefined ? { allowUnconfinedExternalBlobs } : {}) };
  const loc = locationOf(uri, opts.store);
  return openDatasetAt(Object.keys(externalBlobs).length ? { ...loc, externalBlobs } : loc, opts.version);
}
