// Blob V2 at the dataset level: resolving descriptors against a table version, batch and lazy
// reads, zero-copy movement between datasets, and the write-path hook.
export * from './locate.js';
export * from './blob-file.js';
export * from './fetch-blobs.js';
export * from './copy-blobs.js';
export * from './blob-values.js';
export * from './write-hooks.js';
