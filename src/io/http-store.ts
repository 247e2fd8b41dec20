// A read-only store over plain HTTP(S): any static file server that answers Range requests
// (nginx, S3/GCS public buckets, a CDN) serves a dataset directory without listings or an SDK.
// Only the global fetch() is used, so the same code runs in Node and in browsers.
//
// Without listings, `_versions/` is discovered by probing manifest names (see probeVersions);
// every other read names its object exactly (manifests list their data files).
import { InvalidInputError, NotFoundError, StoreError } from '../errors.js';
import { newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';
import { readCoalesced } from './range-plan.js';

/** A write, delete or copy was asked of a store that can only be read. */
export class ReadOnlyStoreError extends StoreError {
  constructor(op: string, path: string, root: string) {
    super('READ_ONLY', `cannot ${op} ${path}: ${root} is served over HTTP, which lancet reads only; copy the dataset to a local path or s3:// to change it`, path);
  }
}

/** The server answered a Range request with something other than the requested bytes. */
export class RangeNotSupportedError extends StoreError {}

export interface HttpStoreOptions {
  /** Sent with every request (e.g. an Authorization header). */
  headers?: Readonly<Record<string, string>>;
  /** Replaces the global fetch (tests, custom agents). */
  fetch?: typeof fetch;
  /** Ranges closer than this are read in one request (getRanges). Default 64 KiB. */
  maxGap?: number;
}

const VERSIONS_DIR = '_versions/';
const HINT_NAME = 'latest_version_hint.json';
const U64_MAX = (1n << 64n) - 1n;
/** Galloping past missing versions stops this far above the start (no dataset has more versions). */
const PROBE_LIMIT = 1n << 40n;

// The two manifest naming schemes of LANCE-FORMAT §1, as in format/table/manifest-file.ts (not
// imported: that module pulls in the protobuf runtime and this store must stay light).
const manifestNames = (v: bigint): string[] => [`${(U64_MAX - v).toString().padStart(20, '0')}.manifest`, `${v}.manifest`];

export class HttpStore implements ObjectStore {
  readonly kind = 'http';
  readonly root: string;
  readonly counters: IoCounters = newCounters();
  private readonly base: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly fetchFn: typeof fetch;
  private readonly maxGap: number | undefined;

  constructor(url: string, options: HttpStoreOptions = {}) {
    if (!/^https?:\/\//i.test(url)) throw new InvalidInputError('BAD_URI', `HttpStore needs an http:// or https:// URL, got ${url}`, { uri: url });
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    this.base = u.href.endsWith('/') ? u.href : `${u.href}/`;
    // Credentials in the URL never show up in messages.
    u.username = '';
    u.password = '';
    this.root = u.href;
    this.headers = options.headers ?? {};
    this.fetchFn = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.maxGap = options.maxGap;
  }

  private url(path: string): string {
    return this.base + path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  }

  private async request(path: string, method: 'GET' | 'HEAD', range?: string): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    if (range) headers.Range = range;
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path), { method, headers });
    } catch (e) {
      throw new StoreError('HTTP_FAILED', `${method} ${this.root}${path} failed: ${(e as Error).message}; check the URL and that the server is reachable`, path, { cause: e });
    }
    this.counters.readRequests++;
    if (res.status === 404 || res.status === 410) {
      await discard(res);
      throw new NotFoundError(path);
    }
    if (res.status === 416) {
      await discard(res);
      throw new StoreError('RANGE_NOT_SATISFIABLE', `${this.root}${path}: the server refused byte range ${range} (HTTP 416); the object is shorter than the dataset's metadata says`, path);
    }
    if (!res.ok) {
      await discard(res);
      throw new StoreError('HTTP_ERROR', `${method} ${this.root}${path} answered HTTP ${res.status} ${res.statusText}`, path);
    }
    return res;
  }

  async head(path: string): Promise<ObjectMeta> {
    const res = await this.request(path, 'HEAD');
    const length = res.headers.get('content-length');
    if (length === null) throw new StoreError('HTTP_NO_LENGTH', `${this.root}${path}: the server sent no Content-Length for HEAD, so the object's size is unknown`, path);
    const modified = Date.parse(res.headers.get('last-modified') ?? '');
    return { path, size: Number(length), mtimeMs: Number.isNaN(modified) ? 0 : modified };
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.head(path);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async get(path: string): Promise<Uint8Array> {
    const res = await this.request(path, 'GET');
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.counters.bytesRead += bytes.length;
    return bytes;
  }

  /** One Range request; anything but exactly [start, end) in a 206 is an error. */
  private async rangeResponse(path: string, start: number, end: number): Promise<Response> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end > start)) {
      throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    }
    const range = `bytes=${start}-${end - 1}`;
    const res = await this.request(path, 'GET', range);
    if (res.status !== 206) {
      await discard(res);
      throw new RangeNotSupportedError(
        'RANGE_NOT_SUPPORTED',
        `${this.root}${path}: the server answered a Range request (${range}) with HTTP ${res.status} and the whole object; lancet reads datasets over HTTP only from servers that support byte ranges (Accept-Ranges: bytes)`,
        path,
      );
    }
    const m = /^bytes (\d+)-(\d+)\//.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== start || Number(m[2]) !== end - 1) {
      await discard(res);
      throw new RangeNotSupportedError('RANGE_MISMATCH', `${this.root}${path}: asked for ${range}, the server sent ${res.headers.get('content-range') ?? 'no Content-Range'}`, path);
    }
    return res;
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (end === start) return new Uint8Array(0);
    const res = await this.rangeResponse(path, start, end);
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.counters.bytesRead += bytes.length;
    if (bytes.length !== end - start) throw new StoreError('SHORT_READ', `${this.root}${path}: expected ${end - start} bytes at ${start}, got ${bytes.length}`, path);
    return bytes;
  }

  getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, (s, e) => this.getRange(path, s, e), this.maxGap);
  }

  async *readStream(path: string, start = 0, end?: number): AsyncIterable<Uint8Array> {
    const stop = end ?? (await this.head(path)).size;
    if (stop <= start) return;
    // One request for the whole range, consumed as it arrives (a blob may not fit in memory).
    const res = await this.rangeResponse(path, start, stop);
    if (!res.body) {
      yield await this.getRange(path, start, stop);
      return;
    }
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.counters.bytesRead += value.length;
        yield value;
      }
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => undefined);
    }
  }

  /** Only `<dataset>/_versions/` can be "listed": its manifests are found by probing names. */
  async list(prefix: string): Promise<ObjectMeta[]> {
    if (prefix === VERSIONS_DIR || prefix.endsWith(`/${VERSIONS_DIR}`)) return this.probeVersions(prefix);
    throw new StoreError(
      'LISTING_NOT_SUPPORTED',
      `cannot list ${this.root}${prefix}: HTTP has no directory listings; lancet reads HTTP datasets through their manifests (operations that scan folders, such as cleanup or verify's orphan check, need a local or s3:// copy)`,
      prefix,
    );
  }

  /**
   * The manifests found from the latest-version hint upward. The hint (if any) is a starting
   * point only: it may be stale, so the walk goes on until a version is missing. If the start
   * itself is missing (no hint and version 1 cleaned up, or a hint from the future), the probe
   * gallops upward (start+1, +2, +4, ...) to the first version that exists. Older versions are
   * not enumerated; they are still opened by number (the manifest name is known).
   */
  private async probeVersions(dir: string): Promise<ObjectMeta[]> {
    const hint = await this.readHint(dir + HINT_NAME);
    const starts = hint !== undefined && hint > 1n ? [hint, 1n] : [1n];
    for (const start of starts) {
      let found = await this.probe(dir, start);
      for (let step = 1n; !found && step <= PROBE_LIMIT; step *= 2n) found = await this.probe(dir, start + step);
      if (!found) continue;
      const out = [found.meta];
      for (let v = found.version + 1n; ; v++) {
        const next = await this.probe(dir, v, found.nameIndex);
        if (!next) return out;
        out.push(next.meta);
      }
    }
    return [];
  }

  /** The manifest of `version` under either naming scheme (or only the one already seen). */
  private async probe(dir: string, version: bigint, nameIndex?: number): Promise<{ version: bigint; nameIndex: number; meta: ObjectMeta } | undefined> {
    const names = manifestNames(version);
    for (const [i, name] of names.entries()) {
      if (nameIndex !== undefined && i !== nameIndex) continue;
      try {
        return { version, nameIndex: i, meta: await this.head(dir + name) };
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
    return undefined;
  }

  private async readHint(path: string): Promise<bigint | undefined> {
    try {
      const v = (JSON.parse(new TextDecoder().decode(await this.get(path))) as { version?: unknown }).version;
      return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? BigInt(v) : undefined;
    } catch (e) {
      // Missing or garbage: the hint is only a shortcut.
      if (e instanceof NotFoundError || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  put(path: string): Promise<void> {
    return Promise.reject(new ReadOnlyStoreError('write', path, this.root));
  }
  putIfAbsent(path: string): Promise<void> {
    return Promise.reject(new ReadOnlyStoreError('write', path, this.root));
  }
  createWriter(path: string): Promise<ObjectWriter> {
    return Promise.reject(new ReadOnlyStoreError('write', path, this.root));
  }
  delete(path: string): Promise<void> {
    return Promise.reject(new ReadOnlyStoreError('delete', path, this.root));
  }
  copy(_src: string, dst: string): Promise<CopyMethod> {
    return Promise.reject(new ReadOnlyStoreError('copy to', dst, this.root));
  }
  copyRange(_src: string, _start: number, _end: number, dst: string): Promise<CopyMethod> {
    return Promise.reject(new ReadOnlyStoreError('copy to', dst, this.root));
  }
}

/** Lets the connection be reused: an unread body would keep it busy. */
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}
