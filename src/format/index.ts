// lancet/format: single .lance data files (read and write), the codecs and the codec registry,
// Blob V2 descriptors and layouts. Nothing here loads the dataset, SQL or S3 code, so a program
// that only reads or writes files pays for the file format alone.
export * from './file/index.js';
export * from './blob/index.js';
export * from './codecs/index.js';
// Both the file and the blob layer name the descriptor struct; the blob one carries its field types.
export { blobDescriptorType } from './blob/descriptor.js';
export * from '../errors.js';
export { LocalStore } from '../io/local-store.js';
export { MemoryStore } from '../io/memory-store.js';
export type { ObjectStore, ObjectMeta, ByteRange, IoCounters } from '../io/object-store.js';
