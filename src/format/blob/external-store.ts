// Opening the object an external descriptor names. The default opener handles local files and
// in-process memory stores; callers with remote stores pass their own (with their credentials).
import * as nodePath from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { LocalStore } from '../../io/local-store.js';
import type { ObjectStore } from '../../io/object-store.js';
import { storeForUri } from '../../io/open-store.js';
import { formatBlobUri, localPathOf, type ParsedUri } from './external-uri.js';

export interface ExternalObject {
  store: ObjectStore;
  path: string;
}

export type ExternalOpener = (location: ParsedUri) => ExternalObject;

const localStores = new Map<string, LocalStore>();

/** Local files open a store rooted at the file's own directory, so the path cannot wander. */
export function defaultExternalOpener(location: ParsedUri): ExternalObject {
  if (location.scheme === 'file') {
    const abs = localPathOf(location);
    const dir = nodePath.dirname(abs);
    let store = localStores.get(dir);
    if (!store) localStores.set(dir, (store = new LocalStore(dir)));
    return { store, path: nodePath.basename(abs) };
  }
  if (location.scheme === 'memory') return storeForUri(formatBlobUri(location));
  throw new InvalidInputError('UNSUPPORTED_SCHEME', `no object store configured for external blob ${formatBlobUri(location)}`, { uri: formatBlobUri(location) });
}
