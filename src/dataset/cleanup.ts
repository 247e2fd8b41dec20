// cleanup(): forget old versions and reclaim what only they referenced, by Lance's rules
// (DESIGN-NOTES §1). A version is kept when it is among the `retainVersions` newest (always the
// latest), tagged, or committed after the bound. Then, for each file cleanup lists:
//   - referenced by a kept version (or one committed while cleanup ran): kept;
//   - "verified": referenced only by removed versions: deleted, whatever its age;
//   - "unverified": referenced by no version at all (a failed write, or one still in flight whose
//     manifest is not written yet, temp files included): deleted only when older than the grace
//     period (7 days, Lance's UNVERIFIED_THRESHOLD_DAYS) or when the caller asserts no write is in
//     flight (`deleteUnverified`), and in both cases only when older than the bound.
// Only names Lance or lancet write in data/, _deletions/, _transactions/ (and temp files in
// _versions/) are candidates; on a local filesystem nothing reached through a symbolic link, and
// nothing whose real path leaves the dataset root, is listed or deleted. Blob sidecars
// (data/<stem>/) follow their data file. _indices/, _refs/ and external blob objects are never
// touched.
import { DATA_DIR, TRANSACTIONS_DIR, deletionFilePath } from '../format/table/file-names.js';
import type { Manifest } from '../format/proto/table_pb.js';
import type { ObjectMeta, ObjectStore } from '../io/object-store.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { listTags } from './tags.js';
import { CLEANUP_DIRS, classifyDatasetFile } from './cleanup-names.js';
import { datasetPath, listVersionEntries, loadVersion, VersionNotFoundError, type DatasetLocation, type VersionEntry } from './versions.js';

const DAY_MS = 24 * 3600_000;
/** Files no version references are presumed to belong to a write in flight while younger than this. */
export const UNVERIFIED_GRACE_MS = 7 * DAY_MS;
/** Default age bound of removable versions (LanceDB's optimize() default). */
export const DEFAULT_CLEANUP_OLDER_THAN_MS = 7 * DAY_MS;

export interface CleanupOptions {
  /** Versions committed before this date (or more than this many ms ago) may go. Default 7 days. */
  olderThan?: Date | number;
  /** Always keep this many newest versions (default 1: the latest). */
  retainVersions?: number;
  /**
   * Also delete files no version references that are younger than the 7-day grace period
   * (default false). Only safe when no write to the dataset is in flight: such a write's files
   * are exactly those.
   */
  deleteUnverified?: boolean;
  /** Fail, deleting nothing, when a tagged version is older than the bound (default false: it is kept). */
  errorIfTaggedOldVersions?: boolean;
}

export interface CleanupResult {
  versionsRemoved: number;
  filesRemoved: number;
  bytesRemoved: number;
  /** Store paths removed (manifests first). */
  removed: string[];
  /** Files no version references, kept because they may belong to a write in flight. */
  unverifiedKept: number;
}

/** Stores with links (a local filesystem) list and delete for cleanup without following them. */
interface DatasetConfinedStore extends ObjectStore {
  listInsideDataset(prefix: string, base: string): Promise<ObjectMeta[]>;
  deleteInsideDataset(path: string, base: string): Promise<boolean>;
}

function isConfined(store: ObjectStore): store is DatasetConfinedStore {
  const s = store as Partial<DatasetConfinedStore>;
  return typeof s.listInsideDataset === 'function' && typeof s.deleteInsideDataset === 'function';
}

function listFolder(loc: DatasetLocation, dir: string): Promise<ObjectMeta[]> {
  const prefix = `${datasetPath(loc, dir)}/`;
  return isConfined(loc.store) ? loc.store.listInsideDataset(prefix, loc.base) : loc.store.list(prefix);
}

/** Deletes one dataset file; false when the store refused it (reached through a link). */
async function deleteFile(loc: DatasetLocation, path: string): Promise<boolean> {
  if (isConfined(loc.store)) return loc.store.deleteInsideDataset(path, loc.base);
  await loc.store.delete(path);
  return true;
}

function boundOf(olderThan: Date | number, now: number): number {
  if (olderThan instanceof Date) return olderThan.getTime();
  if (typeof olderThan !== 'number' || !Number.isFinite(olderThan) || olderThan < 0) {
    throw new InvalidInputError('BAD_CLEANUP_BOUND', `olderThan must be a Date or a non-negative age in ms, got ${String(olderThan)}`);
  }
  return now - olderThan;
}

/** Files a set of manifests reference, as paths relative to the dataset root. */
class References {
  readonly paths = new Set<string>();

  add(m: Manifest): void {
    if (m.transactionFile) this.paths.add(`${TRANSACTIONS_DIR}/${m.transactionFile}`);
    for (const f of m.fragments) {
      for (const d of f.files) this.paths.add(`${DATA_DIR}/${d.path}`);
      if (f.deletionFile) this.paths.add(deletionFilePath(f.id, f.deletionFile));
    }
  }
}

/** A manifest that vanished since listing was removed by another cleaner: skip it, as Lance does. */
async function loadIfPresent(loc: DatasetLocation, e: VersionEntry) {
  try {
    return await loadVersion(loc, e.version);
  } catch (err) {
    if (err instanceof VersionNotFoundError || err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function cleanupOldVersions(ds: Dataset, opts: CleanupOptions = {}): Promise<CleanupResult> {
  const loc = ds.loc;
  const now = Date.now();
  const bound = boundOf(opts.olderThan ?? DEFAULT_CLEANUP_OLDER_THAN_MS, now);
  const retain = Math.max(1, opts.retainVersions ?? 1);
  const entries = await listVersionEntries(loc);
  const tagged = new Map(Object.entries(await listTags(loc)).map(([name, t]) => [BigInt(t.version), name]));
  const newest = new Set(entries.slice(-retain).map((e) => e.version));
  const highest = entries.length > 0 ? entries[entries.length - 1]!.version : 0n;

  const referenced = new References();
  const dropped = new References();
  const drop: VersionEntry[] = [];
  const taggedOld: string[] = [];
  for (const e of entries) {
    const m = await loadIfPresent(loc, e);
    if (!m) continue;
    const ts = m.manifest.timestamp;
    const when = ts ? Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6) : e.mtimeMs;
    const old = when < bound;
    if (old && tagged.has(e.version) && !newest.has(e.version)) taggedOld.push(`${tagged.get(e.version)} (version ${e.version})`);
    if (newest.has(e.version) || tagged.has(e.version) || !old) referenced.add(m.manifest);
    else {
      dropped.add(m.manifest);
      drop.push(e);
    }
  }
  if (taggedOld.length > 0 && opts.errorIfTaggedOldVersions) {
    throw new InvalidInputError('TAGGED_OLD_VERSIONS', `cleanup of ${loc.uri} would keep tagged versions older than the bound: ${taggedOld.join(', ')}; delete those tags or pass errorIfTaggedOldVersions: false`);
  }

  const result: CleanupResult = { versionsRemoved: 0, filesRemoved: 0, bytesRemoved: 0, removed: [], unverifiedKept: 0 };
  const remove = async (path: string, size: number): Promise<boolean> => {
    if (!(await deleteFile(loc, path))) return false;
    result.filesRemoved++;
    result.bytesRemoved += size;
    result.removed.push(path);
    return true;
  };
  // Manifests first: once a version is gone nothing can open it and reach its files.
  for (const e of drop) if (await remove(e.path, e.size)) result.versionsRemoved++;

  // Versions committed while cleanup ran are kept, and so is everything they reference (a restore
  // may bring back files of removed versions).
  for (const e of await listVersionEntries(loc)) {
    if (e.version <= highest) continue;
    const m = await loadIfPresent(loc, e);
    if (m) referenced.add(m.manifest);
  }

  const prefixLength = loc.base ? loc.base.length + 1 : 0;
  const graceEnd = now - UNVERIFIED_GRACE_MS;
  for (const dir of CLEANUP_DIRS) {
    for (const o of await listFolder(loc, dir)) {
      const c = classifyDatasetFile(o.path.slice(prefixLength));
      if (!c) continue; // not a name Lance writes here: not ours to delete
      const key = c.kind === 'sidecar' ? c.owner : c.path;
      if (c.kind !== 'temp' && referenced.paths.has(key)) continue;
      const verified = c.kind !== 'temp' && dropped.paths.has(key);
      if (!verified) {
        const mayGo = (opts.deleteUnverified === true || o.mtimeMs < graceEnd) && o.mtimeMs < bound;
        if (!mayGo) {
          result.unverifiedKept++;
          continue;
        }
      }
      await remove(o.path, o.size);
    }
  }
  return result;
}
