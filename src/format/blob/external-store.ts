// Opening the object an external descriptor names. The default opener handles local files and
// in-process memory stores; callers with remote stores pass their own (with their credentials).
import * as nodePath from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { LocalStore } from '../../io/local-store.js';
import type { ObjectStore } from '../../io/object-store.js';
import { memoryStoreForUri } from '../../io/memory-registry.js';
import { formatBlobUri, localPathOf, type ParsedUri } from './external-uri.js';

export interface ExternalObject {
  store: ObjectStore;
  path: string;
}

/**
 * Opens an external object. `within` is the root the read was confined to (see
 * confineExternalRead): an opener must not let the object resolve outside it (for local files: no
 * symlink out of it). undefined means the connection allowed reads anywhere.
 */
export type ExternalOpener = (location: ParsedUri, within?: ParsedUri) => ExternalObject;

const localStores = new Map<string, LocalStore>();

function localStore(dir: string, followSymlinksOutsideRoot: boolean): LocalStore {
  const key = `${followSymlinksOutsideRoot ? 'follow' : 'confined'}:${dir}`;
  let store = localStores.get(key);
  if (!store) localStores.set(key, (store = new LocalStore(dir, { followSymlinksOutsideRoot })));
  return store;
}

/**
 * Local files open a store rooted at the root the read is confined to, so that neither the path
 * nor a symlink on it can leave that root; unconfined reads root the store at the file's directory.
 */
export function defaultExternalOpener(location: ParsedUri, within?: ParsedUri): ExternalObject {
  if (location.scheme === 'file') {
    const abs = localPathOf(location);
    if (within && within.scheme === 'file') {
      const root = localPathOf(within);
      return { store: localStore(root, false), path: nodePath.posix.relative(root, abs) };
    }
    return { store: localStore(nodePath.dirname(abs), within === undefined), path: nodePath.basename(abs) };
  }
  if (location.scheme === 'memory') return memoryStoreForUri(formatBlobUri(location));
  throw new InvalidInputError('UNSUPPORTED_SCHEME', `no object store configured for external blob ${formatBlobUri(location)}`, { uri: formatBlobUri(location) });
}
