// The one narrow I/O interface every layer above talks to. Paths are '/'-separated and
// relative to the store's root; offsets are byte offsets (files stay below 2^53 bytes).

export interface ObjectMeta {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Half-open byte range [start, end). */
export type ByteRange = readonly [start: number, end: number];

/** How a copy was carried out: no payload byte moved (link / server-side copy) or streamed. */
export type CopyMethod = 'link' | 'server-copy' | 'stream-copy';

export interface ObjectWriter {
  /** Append bytes; resolves once the chunk is handed to the store (back-pressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes accepted so far: the offset the next write lands at. */
  readonly position: number;
  /** Make the object visible under its path; returns its final size. */
  close(): Promise<number>;
  /** Drop everything written; the path is left absent. */
  abort(): Promise<void>;
}

/** Running totals a store keeps of the requests it served and the bytes it moved. */
export interface IoCounters {
  readRequests: number;
  bytesRead: number;
  writeRequests: number;
  bytesWritten: number;
  /** Bytes made visible under a new path without being copied (hard link / server-side copy). */
  bytesLinked: number;
  /** Bytes copied by streaming from one object to another. */
  bytesCopied: number;
  listRequests: number;
  deleteRequests: number;
}

export function newCounters(): IoCounters {
  return { readRequests: 0, bytesRead: 0, writeRequests: 0, bytesWritten: 0, bytesLinked: 0, bytesCopied: 0, listRequests: 0, deleteRequests: 0 };
}

export function diffCounters(after: IoCounters, before: IoCounters): IoCounters {
  const out = newCounters();
  for (const k of Object.keys(out) as (keyof IoCounters)[]) out[k] = after[k] - before[k];
  return out;
}

export interface ObjectStore {
  /** 'local', 'memory' or 's3'. */
  readonly kind: string;
  /** Display form of the root (a path or URI). Never contains credentials. */
  readonly root: string;
  readonly counters: IoCounters;

  head(path: string): Promise<ObjectMeta>;
  exists(path: string): Promise<boolean>;
  /** Whole object. Meant for metadata-sized objects; payloads use ranges or streams. */
  get(path: string): Promise<Uint8Array>;
  getRange(path: string, start: number, end: number): Promise<Uint8Array>;
  /** Several ranges of one object, planned and coalesced; results in request order. */
  getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /** Streams [start, end) without holding it whole in memory. */
  readStream(path: string, start?: number, end?: number): AsyncIterable<Uint8Array>;

  /** Create or replace atomically (readers never see a partial object). */
  put(path: string, data: Uint8Array): Promise<void>;
  /** Create only if absent; throws AlreadyExistsError otherwise. The commit primitive. */
  putIfAbsent(path: string, data: Uint8Array): Promise<void>;
  /** Streaming writer for large objects (data files, sidecars). */
  createWriter(path: string): Promise<ObjectWriter>;

  /** All objects whose path starts with `prefix` (recursive), in no particular order. */
  list(prefix: string): Promise<ObjectMeta[]>;
  /** Missing objects are not an error. */
  delete(path: string): Promise<void>;

  /**
   * Make `dst` hold the bytes of `src` (whole object), preferring a method that moves no bytes:
   * a hard link on a local filesystem, a server-side copy on S3. Returns the method used.
   * `dst` must not exist.
   */
  copy(src: string, dst: string): Promise<CopyMethod>;
  /** Copy [start, end) of `src` into a new object `dst` (server-side where the store can). */
  copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod>;
}

/** Joins path segments with '/', dropping empty ones. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p.length > 0)
    .join('/');
}
