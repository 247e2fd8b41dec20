import { InvalidInputError } from '../errors.js';
import { LocalStore } from './local-store.js';
import { MemoryStore } from './memory-store.js';
import type { ObjectStore } from './object-store.js';

const memoryStores = new Map<string, MemoryStore>();

/**
 * Opens the store that holds `uri` and returns it with the path of `uri` inside it.
 * Plain paths and file:// URIs are local; memory://name is a process-wide in-memory store.
 */
export function storeForUri(uri: string): { store: ObjectStore; path: string } {
  if (uri.startsWith('memory://')) {
    const rest = uri.slice('memory://'.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    let store = memoryStores.get(name);
    if (!store) memoryStores.set(name, (store = new MemoryStore(`memory://${name}`)));
    return { store, path: slash < 0 ? '' : rest.slice(slash + 1) };
  }
  if (uri.startsWith('file://')) return { store: new LocalStore(new URL(uri).pathname), path: '' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new InvalidInputError('UNSUPPORTED_SCHEME', `no object store for URI scheme of ${uri}`, { uri });
  }
  return { store: new LocalStore(uri), path: '' };
}
