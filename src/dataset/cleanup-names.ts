// Which files under a dataset root cleanup may ever delete: exactly the names Lance (and lancet's
// own writers) create in each folder. Anything else (notes, sub-folders of data/, files of other
// tools, names Lance would not write there) is not Lance's and is never deleted, whatever its age.
import { DATA_DIR, DELETIONS_DIR, TRANSACTIONS_DIR, VERSIONS_DIR } from '../format/table/file-names.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// Data file stems: Lance ≥ 0.3x writes 24 binary + 26 hex digits; older Lance wrote UUIDs
// (hyphenated or simple).
const STEM = `(?:[01]{24}[0-9a-f]{26}|${UUID}|[0-9a-f]{32})`;
const DATA_FILE = new RegExp(`^${STEM}\\.lance$`);
const SIDECAR_DIR = new RegExp(`^${STEM}$`);
// Blob V2 sidecars: the blob id as 32 binary digits (BLOB-V2 §sidecars).
const SIDECAR = /^[01]{32}\.blob$/;
const DELETION = /^\d+-\d+-\d+\.(?:arrow|bin)$/;
const TRANSACTION = new RegExp(`^\\d+-${UUID}\\.txn$`);
const MANIFEST = /^(?:\d+|\d{20})\.manifest$/;
const HINT = /^latest_version_hint\.json$/;
// LocalStore writes `<dir>/.tmp-<name>-<uuid>` and renames (or links) it to `<dir>/<name>`.
const LANCET_TEMP = new RegExp(`^\\.tmp-(.+)-${UUID}$`);
// Lance's commit handlers stage manifests as `_versions/.tmp_<n>.manifest_<uuid>`.
const LANCE_TEMP_MANIFEST = new RegExp(`^\\.tmp_\\d+\\.manifest_${UUID}$`);

export type CleanupCandidate =
  /** `data/<stem>.lance`; `path` relative to the dataset root. */
  | { kind: 'data'; path: string }
  /** `data/<stem>/<blob id>.blob`: lives as long as `owner` (`data/<stem>.lance`). */
  | { kind: 'sidecar'; path: string; owner: string }
  | { kind: 'deletion'; path: string }
  | { kind: 'transaction'; path: string }
  /** A writer's temporary file: never referenced, only ever removable as unverified. */
  | { kind: 'temp'; path: string };

/** Lancet's temp name for a final name accepted by `accepts`. */
function isTempFor(name: string, accepts: (final: string) => boolean): boolean {
  const m = LANCET_TEMP.exec(name);
  return m !== null && accepts(m[1]!);
}

/**
 * What `rel` (a path relative to the dataset root) is, when it is a name Lance or lancet writes
 * in that folder and cleanup handles; undefined for everything else (never deleted).
 * Manifests are not candidates: cleanup removes them from the version list, never by listing.
 */
export function classifyDatasetFile(rel: string): CleanupCandidate | undefined {
  const parts = rel.split('/');
  const [dir, a, b] = parts;
  if (dir === DATA_DIR && parts.length === 2) {
    if (DATA_FILE.test(a!)) return { kind: 'data', path: rel };
    if (isTempFor(a!, (n) => DATA_FILE.test(n))) return { kind: 'temp', path: rel };
    return undefined;
  }
  if (dir === DATA_DIR && parts.length === 3 && SIDECAR_DIR.test(a!)) {
    if (SIDECAR.test(b!)) return { kind: 'sidecar', path: rel, owner: `${DATA_DIR}/${a}.lance` };
    if (isTempFor(b!, (n) => SIDECAR.test(n))) return { kind: 'temp', path: rel };
    return undefined;
  }
  if (parts.length !== 2) return undefined;
  if (dir === DELETIONS_DIR) {
    if (DELETION.test(a!)) return { kind: 'deletion', path: rel };
    if (isTempFor(a!, (n) => DELETION.test(n))) return { kind: 'temp', path: rel };
  }
  if (dir === TRANSACTIONS_DIR) {
    if (TRANSACTION.test(a!)) return { kind: 'transaction', path: rel };
    if (isTempFor(a!, (n) => TRANSACTION.test(n))) return { kind: 'temp', path: rel };
  }
  if (dir === VERSIONS_DIR) {
    if (LANCE_TEMP_MANIFEST.test(a!) || isTempFor(a!, (n) => MANIFEST.test(n) || HINT.test(n))) return { kind: 'temp', path: rel };
  }
  return undefined;
}

/** The folders cleanup lists (relative to the dataset root). */
export const CLEANUP_DIRS = [DATA_DIR, DELETIONS_DIR, TRANSACTIONS_DIR, VERSIONS_DIR] as const;
