// Finding and reading versions: `_versions/` listing (V1 and V2 names), manifest reads, the
// latest-version hint. The hint is only ever written and never trusted, as in Lance 12.
import type { ExternalBlobReadOptions } from '../format/blob/external-uri.js';
import type { IndexSection, Manifest } from '../format/proto/table_pb.js';
import type { Transaction } from '../format/proto/transaction_pb.js';
import { decodeManifestFile, decodeTransaction, manifestNameV1, manifestNameV2, parseManifestName, type ManifestNaming } from '../format/table/manifest-file.js';
import { HINT_FILE, TRANSACTIONS_DIR, VERSIONS_DIR } from '../format/table/file-names.js';
import { joinPath, type ObjectStore } from '../io/object-store.js';
import { LanceFormatError, LancetError, NotFoundError } from '../errors.js';

/** Where a dataset lives: a store and the dataset root inside it. */
export interface DatasetLocation {
  store: ObjectStore;
  /** Dataset root inside the store ('' = the store root). */
  base: string;
  /** Display form, used in messages. */
  uri: string;
  /** What the connection allowed external blob reads beyond the dataset and its bases. */
  externalBlobs?: ExternalBlobReadOptions;
}

export interface VersionEntry {
  version: bigint;
  naming: ManifestNaming;
  /** Path inside the store. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface LoadedManifest {
  manifest: Manifest;
  /** Inline transaction of the manifest file, if any. */
  transaction?: Transaction;
  indexSection?: IndexSection;
  version: bigint;
  naming: ManifestNaming;
  /** Path inside the store. */
  path: string;
  size: number;
}

/** The dataset has no such version (or no versions at all). */
export class VersionNotFoundError extends LancetError {}

export function datasetPath(loc: DatasetLocation, rel: string): string {
  return joinPath(loc.base, rel);
}

/** Every committed version, oldest first. Temp files, detached versions and the hint are skipped. */
export async function listVersionEntries(loc: DatasetLocation): Promise<VersionEntry[]> {
  const prefix = datasetPath(loc, VERSIONS_DIR) + '/';
  const out: VersionEntry[] = [];
  for (const meta of await loc.store.list(prefix)) {
    const name = meta.path.slice(prefix.length);
    if (name.includes('/')) continue;
    const parsed = parseManifestName(name);
    if (parsed) out.push({ ...parsed, path: meta.path, size: meta.size, mtimeMs: meta.mtimeMs });
  }
  out.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return out;
}

/** The naming scheme to keep using: whatever the dataset already uses, V2 for new datasets. */
export function namingOf(entries: readonly VersionEntry[]): ManifestNaming {
  return entries.length > 0 && entries.every((e) => e.naming === 'v1') ? 'v1' : 'v2';
}

export function manifestPath(loc: DatasetLocation, version: bigint, naming: ManifestNaming): string {
  return datasetPath(loc, `${VERSIONS_DIR}/${naming === 'v2' ? manifestNameV2(version) : manifestNameV1(version)}`);
}

async function loadAt(loc: DatasetLocation, path: string, naming: ManifestNaming): Promise<LoadedManifest> {
  const bytes = await loc.store.get(path);
  const { manifest, transaction, indexSection } = decodeManifestFile(bytes, path);
  const expected = parseManifestName(path.slice(path.lastIndexOf('/') + 1))?.version;
  if (expected !== undefined && manifest.version !== expected) {
    throw new LanceFormatError('BAD_MANIFEST', `manifest says version ${manifest.version} but its name says ${expected}`, { path });
  }
  return { manifest, ...(transaction ? { transaction } : {}), ...(indexSection ? { indexSection } : {}), version: manifest.version, naming, path, size: bytes.length };
}

/** Reads one version: the V2 name first, then the V1 name (Lance keeps whichever scheme it finds). */
export async function loadVersion(loc: DatasetLocation, version: bigint): Promise<LoadedManifest> {
  for (const naming of ['v2', 'v1'] as const) {
    try {
      return await loadAt(loc, manifestPath(loc, version, naming), naming);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  throw new VersionNotFoundError('VERSION_NOT_FOUND', `dataset ${loc.uri} has no version ${version}`, { version });
}

/** A store that can list a folder's object names without their sizes (LocalStore: no stat per entry). */
interface NameListingStore extends ObjectStore {
  listNames(prefix: string): Promise<string[]>;
}

function canListNames(store: ObjectStore): store is NameListingStore {
  return typeof (store as Partial<NameListingStore>).listNames === 'function';
}

/** The newest committed version's name, by listing `_versions/` (names only where the store can). */
async function newestVersion(loc: DatasetLocation): Promise<{ version: bigint; naming: ManifestNaming; path: string } | undefined> {
  if (!canListNames(loc.store)) {
    const entries = await listVersionEntries(loc);
    return entries[entries.length - 1];
  }
  const prefix = datasetPath(loc, VERSIONS_DIR) + '/';
  let best: { version: bigint; naming: ManifestNaming; path: string } | undefined;
  for (const path of await loc.store.listNames(prefix)) {
    const parsed = parseManifestName(path.slice(prefix.length));
    if (parsed && (!best || parsed.version > best.version)) best = { ...parsed, path };
  }
  return best;
}

/**
 * The newest version, always found by listing `_versions/` (the hint may be stale, missing or
 * garbage; versions may have gaps where cleanup removed some, so probing forward is not enough).
 */
export async function loadLatest(loc: DatasetLocation): Promise<LoadedManifest> {
  for (let attempt = 0; ; attempt++) {
    const last = await newestVersion(loc);
    if (!last) throw new VersionNotFoundError('DATASET_NOT_FOUND', `no dataset at ${loc.uri} (no manifests under ${VERSIONS_DIR}/)`, { uri: loc.uri });
    try {
      return await loadAt(loc, last.path, last.naming);
    } catch (e) {
      // Listed, then gone: newer versions landed and a cleanup removed this one meanwhile. List again.
      if (!(e instanceof NotFoundError) || attempt >= 10) throw e;
    }
  }
}

/** The transaction that produced a version: the inline copy, else the `_transactions/` file. */
export async function loadTransaction(loc: DatasetLocation, m: LoadedManifest): Promise<Transaction | undefined> {
  if (m.transaction) return m.transaction;
  if (!m.manifest.transactionFile) return undefined;
  const path = datasetPath(loc, `${TRANSACTIONS_DIR}/${m.manifest.transactionFile}`);
  return decodeTransaction(await loc.store.get(path), path);
}

/** Best effort: a stale hint is harmless, a failed hint write must not fail a commit. */
export async function writeVersionHint(loc: DatasetLocation, version: bigint): Promise<void> {
  try {
    await loc.store.put(datasetPath(loc, HINT_FILE), new TextEncoder().encode(JSON.stringify({ version: Number(version) })));
  } catch {
    /* hint only */
  }
}
