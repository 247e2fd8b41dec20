export * from './object-store.js';
export { LocalStore } from './local-store.js';
export { MemoryStore } from './memory-store.js';
export { coalesceRanges, readCoalesced } from './range-plan.js';
export { S3Store, type S3Credentials, type S3StoreOptions } from './s3-store.js';
export { parseS3Uri, s3OptionsFromUri } from './s3-options.js';
export { FaultyStore, type FaultConfig, type FaultEvent, type FaultOp } from './faulty-store.js';
export { storeForUri, type OpenStoreOptions } from './open-store.js';
