// External (kind 3) blob locations. Reference-mode writes never copy the object; they record
// where it lives: under a registered base path (blob_id = base id, blob_uri = relative path) or,
// only when explicitly allowed, as an absolute URI with blob_id 0. Anything that could make a
// reader follow a path the descriptor does not literally name ('..', '.', empty paths,
// relative or backslash paths) is refused on both the write and the read side.
import * as nodePath from 'node:path';
import { ExternalBlobAccessError, InvalidInputError, LanceFormatError } from '../../errors.js';

/** A manifest `base_paths` entry. */
export interface BasePathInfo {
  id: number;
  /** Absolute local path or URI of the base. */
  path: string;
  isDatasetRoot: boolean;
  name?: string;
}

/** A parsed absolute location: scheme + authority + clean path segments. */
export interface ParsedUri {
  scheme: string;
  authority: string;
  segments: string[];
}

function unsafe(uri: string, reason: string): InvalidInputError {
  return new InvalidInputError('UNSAFE_BLOB_URI', `unsafe blob URI '${uri}': ${reason}`, { uri, reason });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits a '/'-path into segments, refusing dot segments (also percent-encoded) and backslashes. */
export function cleanSegments(path: string, uri: string): string[] {
  if (path.includes('\\') || path.includes('\0')) throw unsafe(uri, 'backslash or NUL in path');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '') continue;
    const dec = safeDecode(seg);
    if (dec === '.' || dec === '..' || seg === '.' || seg === '..') throw unsafe(uri, `'${seg}' segment`);
    out.push(seg);
  }
  return out;
}

/** Parses an absolute local path, file:// URI or scheme://authority/path URI. */
export function parseBlobUri(input: string | URL): ParsedUri {
  const uri = typeof input === 'string' ? input : input.href;
  if (uri.length === 0) throw unsafe(uri, 'empty URI');
  let scheme: string;
  let authority: string;
  let path: string;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)(.*)$/.exec(uri);
  if (m) {
    scheme = m[1]!.toLowerCase();
    authority = m[2]!;
    path = m[3]!;
    if (scheme === 'file' && authority !== '' && authority !== 'localhost') throw unsafe(uri, 'file URI with a host');
    if (scheme === 'file') authority = '';
    if (scheme === 'file') path = path.split('/').map(safeDecode).join('/');
  } else if (uri.startsWith('/')) {
    scheme = 'file';
    authority = '';
    path = uri;
  } else {
    throw unsafe(uri, 'not an absolute path or URI');
  }
  if (/[?#]/.test(path) && scheme !== 'file') throw unsafe(uri, 'query or fragment in URI');
  const segments = cleanSegments(path, uri);
  if (segments.length === 0) throw unsafe(uri, 'empty path');
  return { scheme, authority, segments };
}

export function formatBlobUri(p: ParsedUri): string {
  if (p.scheme === 'file') return `file:///${p.segments.join('/')}`;
  return `${p.scheme}://${p.authority}/${p.segments.join('/')}`;
}

/** What a reference-mode write stores for an external URI. */
export interface ExternalRef {
  blobId: number;
  blobUri: string;
}

/**
 * Maps a user URI onto the registered bases: the longest non-root base that contains it wins.
 * Outside every base it becomes an absolute URI (blob_id 0) only when `allowOutsideBases`.
 */
export function resolveExternalForWrite(uri: string | URL, bases: readonly BasePathInfo[], allowOutsideBases: boolean): ExternalRef {
  const raw = typeof uri === 'string' ? uri : uri.href;
  const p = parseBlobUri(raw);
  let best: { base: BasePathInfo; len: number } | undefined;
  for (const base of bases) {
    if (base.isDatasetRoot) continue;
    const b = parseBlobUri(base.path);
    if (b.scheme !== p.scheme || b.authority !== p.authority || b.segments.length >= p.segments.length) continue;
    if (!b.segments.every((s, i) => s === p.segments[i])) continue;
    if (!best || b.segments.length > best.len) best = { base, len: b.segments.length };
  }
  if (best) return { blobId: best.base.id, blobUri: p.segments.slice(best.len).join('/') };
  if (!allowOutsideBases) {
    throw new InvalidInputError(
      'UNSAFE_BLOB_URI',
      `External blob URI '${raw}' is outside registered external bases (dataset root is not allowed); set allowExternalOutsideBases to store it as an absolute URI`,
      { uri: raw, reason: 'outside bases' },
    );
  }
  return { blobId: 0, blobUri: formatBlobUri(p) };
}

/** Absolute location an external descriptor names; never leaves the base it names. */
export function resolveExternalForRead(blobId: number, blobUri: string, bases: readonly BasePathInfo[]): ParsedUri {
  if (blobId === 0) return parseBlobUri(blobUri);
  const base = bases.find((b) => b.id === blobId);
  if (!base) throw new LanceFormatError('UNKNOWN_BLOB_BASE', `External blob references unknown base_id ${blobId}`, { blobId });
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(blobUri) || blobUri.startsWith('/')) throw unsafe(blobUri, 'relative blob_uri expected under a base');
  const rel = cleanSegments(blobUri, blobUri);
  if (rel.length === 0) throw unsafe(blobUri, 'empty path');
  const b = parseBlobUri(base.path);
  return { ...b, segments: [...b.segments, ...rel] };
}

/** Local filesystem path of a file-scheme location. */
export function localPathOf(p: ParsedUri): string {
  return nodePath.posix.join('/', ...p.segments);
}

/**
 * Where reads of external blobs may go. A dataset is data, possibly from someone else: its
 * descriptors may name any URI, so reads stay under the dataset root and its registered base
 * paths unless the connection opted in by name.
 */
export interface ExternalReadScope {
  /** Absolute path or URI of the dataset root; objects under it are always readable. */
  datasetRoot?: string;
  /** More roots (absolute paths or URIs) the connection allowed: `externalBlobRoots`. */
  roots?: readonly string[];
  /** The connection allowed reads anywhere: `allowUnconfinedExternalBlobs`. */
  unconfined?: boolean;
}

/**
 * What a connection (connect / openDataset) may allow, by name, beyond the dataset root and its
 * registered base paths. Nothing is allowed by default.
 */
export interface ExternalBlobReadOptions {
  /** Absolute paths or URIs under which external blobs may also be read, e.g. ['/mnt/media']. */
  externalBlobRoots?: readonly string[];
  /** Read external blobs wherever a descriptor points (and follow symlinks): trusted datasets only. */
  allowUnconfinedExternalBlobs?: boolean;
}

/** An external object to read and the root it must stay in (symlinks included). */
export interface ExternalReadTarget {
  location: ParsedUri;
  /** undefined only when the connection allowed unconfined reads. */
  within: ParsedUri | undefined;
}

function tryParse(uri: string): ParsedUri | undefined {
  try {
    return parseBlobUri(uri);
  } catch {
    return undefined;
  }
}

function isUnder(root: ParsedUri, p: ParsedUri): boolean {
  return root.scheme === p.scheme && root.authority === p.authority && root.segments.length < p.segments.length && root.segments.every((s, i) => s === p.segments[i]);
}

/**
 * The one gate of external blob reads: resolves the descriptor's location and refuses it unless
 * it lies under the dataset root, a registered base path or a root the connection allowed, or
 * the connection allowed reads anywhere. `file://` URIs and absolute paths are no exception.
 */
export function confineExternalRead(blobId: number, blobUri: string, bases: readonly BasePathInfo[], scope: ExternalReadScope): ExternalReadTarget {
  const location = resolveExternalForRead(blobId, blobUri, bases);
  if (scope.unconfined) return { location, within: undefined };
  if (blobId !== 0) return { location, within: parseBlobUri(bases.find((b) => b.id === blobId)!.path) };
  const allowed = [scope.datasetRoot, ...bases.map((b) => b.path), ...(scope.roots ?? [])];
  for (const root of allowed) {
    const r = root === undefined ? undefined : tryParse(root);
    if (r && isUnder(r, location)) return { location, within: r };
  }
  const uri = formatBlobUri(location);
  const parent = { ...location, segments: location.segments.slice(0, -1) };
  const dir = location.scheme === 'file' ? localPathOf(parent) : formatBlobUri(parent);
  throw new ExternalBlobAccessError(
    'EXTERNAL_BLOB_OUTSIDE_DATASET',
    `external blob ${uri} is outside ${scope.datasetRoot ?? 'the dataset'} and its registered base paths; ` +
      `to read it, connect with { externalBlobRoots: ['${dir}'] } (CLI: --external-root ${dir}), or { allowUnconfinedExternalBlobs: true } for a dataset you trust`,
    { uri, datasetRoot: scope.datasetRoot },
  );
}
