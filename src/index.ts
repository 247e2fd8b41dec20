// lancet: Lance tables with Blob V2, in TypeScript. The three layers, each usable on its own:
//   format  — data files, manifests, transactions, deletion files, blob sidecars (src/format)
//   dataset — versions, commits, reads/writes, blobs (src/dataset)
//   query   — SQL and DataFrame over datasets, blob values as references (src/query)
export * from './dataset/index.js';
export * from './errors.js';
export { LocalStore, MemoryStore, HttpStore, ReadOnlyStoreError, RangeNotSupportedError, MissingDependencyError, type ObjectStore, type IoCounters } from './io/index.js';
export { storeForUri } from './io/open-store.js';
export * from './query/index.js';
