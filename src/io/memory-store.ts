import { AlreadyExistsError, InvalidInputError, NotFoundError, StoreError } from '../errors.js';
import { readCoalesced } from './range-plan.js';
import { newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';

interface Entry {
  data: Uint8Array;
  mtimeMs: number;
}

/** In-memory object store for tests. Objects are immutable once visible, so copies share bytes. */
export class MemoryStore implements ObjectStore {
  readonly kind = 'memory';
  readonly root: string;
  readonly counters: IoCounters = newCounters();
  private readonly objects = new Map<string, Entry>();

  constructor(name = 'memory://') {
    this.root = name;
  }

  private norm(path: string): string {
    const parts = path.split('/').filter((p) => p.length > 0);
    if (parts.some((p) => p === '..')) throw new InvalidInputError('UNSAFE_PATH', `path escapes the store root: ${path}`, { path });
    return parts.join('/');
  }

  private entry(path: string): Entry {
    const e = this.objects.get(this.norm(path));
    if (!e) throw new NotFoundError(path);
    return e;
  }

  async head(path: string): Promise<ObjectMeta> {
    const e = this.entry(path);
    return { path: this.norm(path), size: e.data.length, mtimeMs: e.mtimeMs };
  }

  async exists(path: string): Promise<boolean> {
    return this.objects.has(this.norm(path));
  }

  async get(path: string): Promise<Uint8Array> {
    const e = this.entry(path);
    this.counters.readRequests++;
    this.counters.bytesRead += e.data.length;
    return e.data.slice();
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const e = this.entry(path);
    if (!(start >= 0 && end >= start)) throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    if (end > e.data.length) throw new StoreError('SHORT_READ', `range [${start}, ${end}) runs past the end of the object (${e.data.length} bytes)`, path);
    this.counters.readRequests++;
    this.counters.bytesRead += end - start;
    return e.data.slice(start, end);
  }

  getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, (s, e) => this.getRange(path, s, e));
  }

  async *readStream(path: string, start = 0, end?: number): AsyncIterable<Uint8Array> {
    const e = this.entry(path);
    // A range past the end is an error, as for getRange: a short stream must not pass as whole.
    if (end !== undefined && end > start && end > e.data.length) {
      throw new StoreError('SHORT_READ', `range [${start}, ${end}) runs past the end of the object (${e.data.length} bytes)`, path);
    }
    const stop = Math.min(end ?? e.data.length, e.data.length);
    this.counters.readRequests++;
    for (let off = start; off < stop; off += 1 << 20) {
      const chunk = e.data.slice(off, Math.min(stop, off + (1 << 20)));
      this.counters.bytesRead += chunk.length;
      yield chunk;
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    this.objects.set(this.norm(path), { data: data.slice(), mtimeMs: Date.now() });
    this.counters.writeRequests++;
    this.counters.bytesWritten += data.length;
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const key = this.norm(path);
    // Check and insert happen in one synchronous step: atomic with respect to other callers.
    if (this.objects.has(key)) throw new AlreadyExistsError(path);
    this.objects.set(key, { data: data.slice(), mtimeMs: Date.now() });
    this.counters.writeRequests++;
    this.counters.bytesWritten += data.length;
  }

  async createWriter(path: string): Promise<ObjectWriter> {
    const key = this.norm(path);
    const chunks: Uint8Array[] = [];
    let position = 0;
    let closed = false;
    const self = this;
    return {
      get position() {
        return position;
      },
      async write(chunk: Uint8Array) {
        chunks.push(chunk.slice());
        position += chunk.length;
        self.counters.bytesWritten += chunk.length;
      },
      async close() {
        if (closed) return position;
        closed = true;
        const data = new Uint8Array(position);
        let off = 0;
        for (const c of chunks) {
          data.set(c, off);
          off += c.length;
        }
        self.objects.set(key, { data, mtimeMs: Date.now() });
        self.counters.writeRequests++;
        return position;
      },
      async abort() {
        closed = true;
        chunks.length = 0;
      },
    };
  }

  async list(prefix: string): Promise<ObjectMeta[]> {
    this.counters.listRequests++;
    const out: ObjectMeta[] = [];
    for (const [path, e] of this.objects) if (path.startsWith(prefix)) out.push({ path, size: e.data.length, mtimeMs: e.mtimeMs });
    return out;
  }

  async delete(path: string): Promise<void> {
    this.counters.deleteRequests++;
    this.objects.delete(this.norm(path));
  }

  async copy(src: string, dst: string): Promise<CopyMethod> {
    const e = this.entry(src);
    const key = this.norm(dst);
    if (this.objects.has(key)) throw new AlreadyExistsError(dst);
    this.objects.set(key, { data: e.data, mtimeMs: Date.now() });
    this.counters.bytesLinked += e.data.length;
    return 'link';
  }

  async copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod> {
    const e = this.entry(src);
    if (end > e.data.length) throw new StoreError('SHORT_READ', `source ended before byte ${end}`, src);
    const key = this.norm(dst);
    if (this.objects.has(key)) throw new AlreadyExistsError(dst);
    this.objects.set(key, { data: e.data.slice(start, end), mtimeMs: Date.now() });
    this.counters.bytesCopied += end - start;
    return 'stream-copy';
  }

  /** Test hook: overwrite raw bytes of an object (to plant corruption). */
  corrupt(path: string, data: Uint8Array): void {
    this.entry(path).data = data;
  }
}
