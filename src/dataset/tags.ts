// Tags: named pointers to versions, `_refs/tags/{tag}.json` = {"branch", "version", "createdAt",
// "updatedAt", "manifestSize", "metadata"} (the shape Lance 12 writes)
// (Lance's TagContents, camelCase). Creating a tag never overwrites an existing one.
import { tagPath, TAGS_DIR } from '../format/table/file-names.js';
import { AlreadyExistsError, InvalidInputError, LanceFormatError, NotFoundError } from '../errors.js';
import { datasetPath, loadVersion, type DatasetLocation } from './versions.js';

export interface TagInfo {
  version: number;
  manifestSize: number;
}

/** Lance's rule: alphanumerics, '.', '-', '_'; no leading/trailing dot, no '..', no '.lock' suffix. */
export function checkTagName(tag: string): void {
  const ok = tag.length > 0 && /^[\p{L}\p{N}._-]+$/u.test(tag) && !tag.startsWith('.') && !tag.endsWith('.') && !tag.includes('..') && !tag.endsWith('.lock');
  if (!ok) throw new InvalidInputError('BAD_TAG', `invalid tag name "${tag}": use letters, digits, '.', '-', '_' (not starting/ending with '.')`, { tag });
}

export async function createTag(loc: DatasetLocation, tag: string, version: number): Promise<void> {
  checkTagName(tag);
  const m = await loadVersion(loc, BigInt(version));
  const body = tagJson(Number(m.version), m.size);
  try {
    await loc.store.putIfAbsent(datasetPath(loc, tagPath(tag)), new TextEncoder().encode(body));
  } catch (e) {
    if (e instanceof AlreadyExistsError) throw new InvalidInputError('TAG_EXISTS', `tag "${tag}" already exists`, { tag });
    throw e;
  }
}

export async function getTag(loc: DatasetLocation, tag: string): Promise<TagInfo> {
  checkTagName(tag);
  const path = datasetPath(loc, tagPath(tag));
  let bytes: Uint8Array;
  try {
    bytes = await loc.store.get(path);
  } catch (e) {
    if (e instanceof NotFoundError) throw new InvalidInputError('TAG_NOT_FOUND', `no tag "${tag}"`, { tag });
    throw e;
  }
  let parsed: { version?: unknown; manifestSize?: unknown; manifest_size?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new LanceFormatError('BAD_TAG_FILE', `tag file is not JSON: ${(e as Error).message}`, { path }, { cause: e });
  }
  if (typeof parsed.version !== 'number') throw new LanceFormatError('BAD_TAG_FILE', 'tag file has no numeric "version"', { path });
  return { version: parsed.version, manifestSize: Number(parsed.manifestSize ?? parsed.manifest_size ?? 0) };
}

export async function deleteTag(loc: DatasetLocation, tag: string): Promise<void> {
  await getTag(loc, tag);
  await loc.store.delete(datasetPath(loc, tagPath(tag)));
}

export async function listTags(loc: DatasetLocation): Promise<Record<string, TagInfo>> {
  const prefix = datasetPath(loc, TAGS_DIR) + '/';
  const out: Record<string, TagInfo> = {};
  for (const meta of await loc.store.list(prefix)) {
    const name = meta.path.slice(prefix.length);
    if (!name.endsWith('.json') || name.includes('/')) continue;
    const tag = name.slice(0, -'.json'.length);
    out[tag] = await getTag(loc, tag);
  }
  return out;
}

export async function updateTag(loc: DatasetLocation, tag: string, version: number): Promise<void> {
  await getTag(loc, tag);
  const m = await loadVersion(loc, BigInt(version));
  await loc.store.put(datasetPath(loc, tagPath(tag)), new TextEncoder().encode(tagJson(Number(m.version), m.size)));
}

function tagJson(version: number, manifestSize: number): string {
  const now = new Date().toISOString();
  return JSON.stringify({ branch: null, version, createdAt: now, updatedAt: now, manifestSize, metadata: {} });
}
