// Read roots: a store shared by several datasets (a connection root) hands each dataset a view
// whose reads stay inside that dataset's folder, so that a link planted in one table cannot make
// lancet read a sibling table's (or any other) file under the same root. Paths keep the store's
// path space; only where a read may resolve to narrows. Writes are not affected.
import type { ObjectStore } from './object-store.js';

/** A store (or wrapper) that can hand out such views. Stores without links need none. */
export interface ReadRootScopable {
  /** A view of the same store whose reads must resolve inside the folder `base` (a store path). */
  withReadRoot(base: string): ObjectStore;
  /** The store views are made from (itself when it is not a view): views of one origin share objects. */
  readonly readOrigin: ObjectStore;
}

function scopable(store: ObjectStore): (ObjectStore & ReadRootScopable) | undefined {
  const s = store as ObjectStore & Partial<ReadRootScopable>;
  return typeof s.withReadRoot === 'function' ? (s as ObjectStore & ReadRootScopable) : undefined;
}

/** `store` with its reads confined to the folder `base`, or `store` itself when it has no links to follow. */
export function withReadRoot(store: ObjectStore, base: string): ObjectStore {
  return scopable(store)?.withReadRoot(base) ?? store;
}

/** Whether two stores (views included) hold the same objects under the same paths. */
export function sameStore(a: ObjectStore, b: ObjectStore): boolean {
  return a === b || (scopable(a)?.readOrigin ?? a) === (scopable(b)?.readOrigin ?? b);
}
