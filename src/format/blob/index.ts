// Blob V2 at the file-format level: field declaration, thresholds, layout rule, sidecar naming,
// descriptors, external URIs and the streaming column writer.
export * from './thresholds.js';
export * from './layout.js';
export * from './sidecar-path.js';
export * from './descriptor.js';
export * from './blob-field.js';
export * from './external-uri.js';
export * from './external-store.js';
export * from './blob-reference.js';
export * from './blob-input.js';
export * from './store-copy.js';
export * from './blob-writer.js';
