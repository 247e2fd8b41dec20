export * from './object-store.js';
export { LocalStore } from './local-store.js';
export { MemoryStore } from './memory-store.js';
export { coalesceRanges, readCoalesced } from './range-plan.js';
