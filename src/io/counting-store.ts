// A view of a store that counts only the requests made through it. The stores' own counters are
// running totals shared by everyone using the store, so subtracting two readings attributes to
// one caller whatever others did in between; each SQL statement reads and writes through its own
// CountingStore instead.
import { withReadRoot } from './read-root.js';
import { newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';

export class CountingStore implements ObjectStore {
  readonly counters: IoCounters;
  private readonly origin: CountingStore | undefined;

  /** `viewOf` is internal: withReadRoot makes views that count into the same totals. */
  constructor(
    readonly inner: ObjectStore,
    viewOf?: CountingStore,
  ) {
    this.origin = viewOf;
    this.counters = viewOf ? viewOf.counters : newCounters();
  }

  get readOrigin(): CountingStore {
    return this.origin ?? this;
  }

  /** A view whose reads stay inside `base` (see read-root.ts), counted with this store's. */
  withReadRoot(base: string): CountingStore {
    return new CountingStore(withReadRoot(this.inner, base), this.readOrigin);
  }

  get kind(): string {
    return this.inner.kind;
  }
  get root(): string {
    return this.inner.root;
  }

  private read(bytes: number): void {
    this.counters.readRequests++;
    this.counters.bytesRead += bytes;
  }

  private moved(method: CopyMethod, bytes: number): void {
    this.counters.writeRequests++;
    if (method === 'stream-copy') this.counters.bytesCopied += bytes;
    else this.counters.bytesLinked += bytes;
  }

  head(path: string): Promise<ObjectMeta> {
    return this.inner.head(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  async get(path: string): Promise<Uint8Array> {
    const out = await this.inner.get(path);
    this.read(out.length);
    return out;
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const out = await this.inner.getRange(path, start, end);
    this.read(out.length);
    return out;
  }

  async getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const out = await this.inner.getRanges(path, ranges);
    this.read(out.reduce((n, b) => n + b.length, 0));
    return out;
  }

  async *readStream(path: string, start?: number, end?: number): AsyncIterable<Uint8Array> {
    this.counters.readRequests++;
    for await (const chunk of this.inner.readStream(path, start, end)) {
      this.counters.bytesRead += chunk.length;
      yield chunk;
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    await this.inner.put(path, data);
    this.counters.writeRequests++;
    this.counters.bytesWritten += data.length;
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    await this.inner.putIfAbsent(path, data);
    this.counters.writeRequests++;
    this.counters.bytesWritten += data.length;
  }

  async createWriter(path: string): Promise<ObjectWriter> {
    const w = await this.inner.createWriter(path);
    const counters = this.counters;
    counters.writeRequests++;
    return {
      async write(chunk: Uint8Array) {
        await w.write(chunk);
        counters.bytesWritten += chunk.length;
      },
      get position() {
        return w.position;
      },
      close: () => w.close(),
      abort: () => w.abort(),
    };
  }

  async list(prefix: string): Promise<ObjectMeta[]> {
    this.counters.listRequests++;
    return this.inner.list(prefix);
  }

  async delete(path: string): Promise<void> {
    this.counters.deleteRequests++;
    await this.inner.delete(path);
  }

  async copy(src: string, dst: string): Promise<CopyMethod> {
    const method = await this.inner.copy(src, dst);
    // The size is not part of the answer; one HEAD of the new object gives it.
    this.moved(method, (await this.inner.head(dst)).size);
    return method;
  }

  async copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod> {
    const method = await this.inner.copyRange(src, start, end, dst);
    this.moved(method, end - start);
    return method;
  }
}
