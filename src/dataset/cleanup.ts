// cleanup(): forget old versions and reclaim what only they referenced. A version is kept when it
// is the latest, tagged, among the `retainVersions` newest, or committed after the bound. Files
// under data/, _deletions/ and _transactions/ are removed only when no kept version references
// them AND they are older than the bound (so an in-flight write, whose files no manifest lists
// yet, is never touched). Blob sidecars live in data/<stem>/ and follow their data file.
// External blob objects are outside the dataset and never touched.
import { DATA_DIR, DELETIONS_DIR, TRANSACTIONS_DIR, deletionFilePath } from '../format/table/file-names.js';
import { InvalidInputError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { listTags } from './tags.js';
import { datasetPath, listVersionEntries, loadVersion } from './versions.js';

export interface CleanupOptions {
  /** Versions committed before this date (or more than this many ms ago) may go. */
  olderThan: Date | number;
  /** Always keep this many newest versions (default 1: the latest). */
  retainVersions?: number;
}

export interface CleanupResult {
  versionsRemoved: number;
  filesRemoved: number;
  bytesRemoved: number;
  /** Store paths removed (manifests first). */
  removed: string[];
}

function boundOf(olderThan: Date | number, now: number): number {
  if (olderThan instanceof Date) return olderThan.getTime();
  if (typeof olderThan !== 'number' || !Number.isFinite(olderThan) || olderThan < 0) {
    throw new InvalidInputError('BAD_CLEANUP_BOUND', `olderThan must be a Date or a non-negative age in ms, got ${String(olderThan)}`);
  }
  return now - olderThan;
}

export async function cleanupOldVersions(ds: Dataset, opts: CleanupOptions): Promise<CleanupResult> {
  const loc = ds.loc;
  const bound = boundOf(opts.olderThan, Date.now());
  const retain = Math.max(1, opts.retainVersions ?? 1);
  const entries = (await listVersionEntries(loc)).sort((a, b) => (a.version < b.version ? -1 : 1));
  const tagged = new Set(Object.values(await listTags(loc)).map((t) => BigInt(t.version)));
  const newest = new Set(entries.slice(-retain).map((e) => e.version));

  const keep: typeof entries = [];
  const drop: typeof entries = [];
  for (const e of entries) {
    const m = await loadVersion(loc, e.version);
    const ts = m.manifest.timestamp;
    const when = ts ? Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6) : e.mtimeMs;
    (newest.has(e.version) || tagged.has(e.version) || when >= bound ? keep : drop).push(e);
  }

  // What the kept versions reference, as store paths / data-file stems.
  const referenced = new Set<string>();
  const stems = new Set<string>();
  for (const e of keep) {
    const m = await loadVersion(loc, e.version);
    if (m.manifest.transactionFile) referenced.add(datasetPath(loc, `${TRANSACTIONS_DIR}/${m.manifest.transactionFile}`));
    for (const f of m.manifest.fragments) {
      for (const d of f.files) {
        referenced.add(datasetPath(loc, `${DATA_DIR}/${d.path}`));
        stems.add(d.path.replace(/\.lance$/, ''));
      }
      if (f.deletionFile) referenced.add(datasetPath(loc, deletionFilePath(f.id, f.deletionFile)));
    }
  }

  const result: CleanupResult = { versionsRemoved: 0, filesRemoved: 0, bytesRemoved: 0, removed: [] };
  const remove = async (path: string, size: number) => {
    await loc.store.delete(path);
    result.filesRemoved++;
    result.bytesRemoved += size;
    result.removed.push(path);
  };
  // Manifests first: once a version is gone nothing can open it and reach its files.
  for (const e of drop) {
    await remove(e.path, e.size);
    result.versionsRemoved++;
  }
  const dataPrefix = `${datasetPath(loc, DATA_DIR)}/`;
  for (const dir of [DATA_DIR, DELETIONS_DIR, TRANSACTIONS_DIR]) {
    for (const o of await loc.store.list(`${datasetPath(loc, dir)}/`)) {
      if (referenced.has(o.path) || o.mtimeMs >= bound) continue;
      if (dir === DATA_DIR) {
        // data/<stem>.lance or data/<stem>/<blob>.blob: sidecars live as long as their data file.
        const rel = o.path.slice(dataPrefix.length);
        const stem = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel.replace(/\.lance$/, '');
        if (stems.has(stem)) continue;
      }
      await remove(o.path, o.size);
    }
  }
  return result;
}
