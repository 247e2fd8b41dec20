// The process-wide memory:// stores, by name. Kept apart from open-store.ts so that code which
// only needs memory stores (external blob resolution in lancet/format) does not load S3 or HTTP code.
import { MemoryStore } from './memory-store.js';

const memoryStores = new Map<string, MemoryStore>();

/** `memory://name/rest` -> the store named `name` (created on first use) and `rest`. */
export function memoryStoreForUri(uri: string): { store: MemoryStore; path: string } {
  const rest = uri.slice('memory://'.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  let store = memoryStores.get(name);
  if (!store) memoryStores.set(name, (store = new MemoryStore(`memory://${name}`)));
  return { store, path: slash < 0 ? '' : rest.slice(slash + 1) };
}
