import { constants as fsc, createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, InvalidInputError, NotFoundError, StoreError } from '../errors.js';
import { readCoalesced } from './range-plan.js';
import { newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === code;
}

/** Open read handles kept at most (least recently used closed first) and how long an idle one stays open. */
const MAX_OPEN_READ_HANDLES = 64;
const READ_HANDLE_IDLE_MS = 1000;

interface ReadHandle {
  fh: Promise<fs.FileHandle>;
  users: number;
  /** Evicted or invalidated: closed once its last reader is done. */
  dead: boolean;
  idle?: NodeJS.Timeout;
}

/**
 * Open read-only handles by absolute path, shared by every LocalStore of the process, so that
 * repeated range reads of one data file or sidecar skip open/close. Reads on a shared handle are
 * positional (pread), so concurrent readers never disturb each other. A handle is closed after
 * READ_HANDLE_IDLE_MS unused (unref'd timer: it never holds the process open), when the cache is
 * full, and whenever a LocalStore writes, replaces or deletes that path.
 */
class ReadHandleCache {
  private readonly open = new Map<string, ReadHandle>(); // insertion order = least recently used first

  async acquire(abs: string): Promise<{ fh: fs.FileHandle; release: () => void }> {
    let h = this.open.get(abs);
    if (h) {
      this.open.delete(abs);
      this.open.set(abs, h);
      if (h.idle) clearTimeout(h.idle);
      h.idle = undefined;
    } else {
      const entry: ReadHandle = { fh: fs.open(abs, 'r'), users: 0, dead: false };
      h = entry;
      this.open.set(abs, entry);
      // A failed open is not cached: the next reader tries again.
      entry.fh.catch(() => this.drop(abs, entry));
      this.evict();
    }
    h.users++;
    const entry = h;
    let fh: fs.FileHandle;
    try {
      fh = await entry.fh;
    } catch (e) {
      entry.users--;
      throw e;
    }
    let released = false;
    return {
      fh,
      release: () => {
        if (released) return;
        released = true;
        if (--entry.users > 0) return;
        if (entry.dead) void closeQuietly(entry);
        else entry.idle = setTimeout(() => this.drop(abs, entry), READ_HANDLE_IDLE_MS).unref();
      },
    };
  }

  /** The path was written, replaced or deleted: later reads must open it afresh. */
  invalidate(abs: string): void {
    const h = this.open.get(abs);
    if (h) this.drop(abs, h);
  }

  private evict(): void {
    for (const [abs, h] of this.open) {
      if (this.open.size <= MAX_OPEN_READ_HANDLES) break;
      this.drop(abs, h);
    }
  }

  private drop(abs: string, h: ReadHandle): void {
    if (this.open.get(abs) === h) this.open.delete(abs);
    if (h.idle) clearTimeout(h.idle);
    h.idle = undefined;
    h.dead = true;
    if (h.users === 0) void closeQuietly(h);
  }
}

async function closeQuietly(h: ReadHandle): Promise<void> {
  try {
    await (await h.fh).close();
  } catch {
    /* failed open or already closed */
  }
}

const readHandles = new ReadHandleCache();

/** Object store over a local directory. put-if-absent is `link(tmp, final)`, which fails with EEXIST atomically. */
export class LocalStore implements ObjectStore {
  readonly kind = 'local';
  readonly root: string;
  readonly counters: IoCounters = newCounters();

  constructor(root: string) {
    this.root = nodePath.resolve(root);
  }

  /** Absolute filesystem path of an object; refuses paths that would escape the root. */
  resolve(path: string): string {
    const abs = nodePath.resolve(this.root, path);
    if (abs !== this.root && !abs.startsWith(this.root + nodePath.sep)) {
      throw new InvalidInputError('UNSAFE_PATH', `path escapes the store root: ${path}`, { path });
    }
    return abs;
  }

  private wrap(e: unknown, path: string): never {
    if (isErrno(e, 'ENOENT')) throw new NotFoundError(path, { cause: e });
    if (e instanceof StoreError || e instanceof InvalidInputError) throw e;
    throw new StoreError('IO_ERROR', `local I/O failed (${(e as Error).message})`, path, { cause: e });
  }

  async head(path: string): Promise<ObjectMeta> {
    try {
      const st = await fs.stat(this.resolve(path));
      if (!st.isFile()) throw new NotFoundError(path);
      return { path, size: st.size, mtimeMs: st.mtimeMs };
    } catch (e) {
      return this.wrap(e, path);
    }
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
    try {
      const buf = await fs.readFile(this.resolve(path));
      this.counters.readRequests++;
      this.counters.bytesRead += buf.length;
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      return this.wrap(e, path);
    }
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (!(start >= 0 && end >= start)) throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    let handle: { fh: fs.FileHandle; release: () => void } | undefined;
    try {
      handle = await readHandles.acquire(this.resolve(path));
      const fh = handle.fh;
      // Every byte is overwritten by the read (or the read fails): skip zero-filling.
      const out = new Uint8Array(Buffer.allocUnsafeSlow(end - start).buffer, 0, end - start);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      this.counters.readRequests++;
      this.counters.bytesRead += done;
      if (done < out.length) {
        throw new StoreError('SHORT_READ', `range [${start}, ${end}) runs past the end of the object (got ${done} bytes)`, path);
      }
      return out;
    } catch (e) {
      return this.wrap(e, path);
    } finally {
      handle?.release();
    }
  }

  getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, (s, e) => this.getRange(path, s, e));
  }

  async *readStream(path: string, start = 0, end?: number): AsyncIterable<Uint8Array> {
    const abs = this.resolve(path);
    if (end !== undefined && end <= start) return;
    const stream = createReadStream(abs, { start, end: end === undefined ? undefined : end - 1, highWaterMark: 1 << 20 });
    this.counters.readRequests++;
    try {
      for await (const chunk of stream) {
        const c = chunk as Buffer;
        this.counters.bytesRead += c.length;
        yield new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
      }
    } catch (e) {
      return this.wrap(e, path);
    }
  }

  private tempFor(abs: string): string {
    return nodePath.join(nodePath.dirname(abs), `.tmp-${nodePath.basename(abs)}-${randomUUID()}`);
  }

  /** Runs `create` (which creates a file next to `abs`), making the parent folder first only when it is missing. */
  private async inParent<T>(abs: string, create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
      await fs.mkdir(nodePath.dirname(abs), { recursive: true });
      return create();
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const abs = this.resolve(path);
    const tmp = this.tempFor(abs);
    try {
      await this.inParent(abs, () => fs.writeFile(tmp, data));
      await fs.rename(tmp, abs);
      readHandles.invalidate(abs);
      this.counters.writeRequests++;
      this.counters.bytesWritten += data.length;
    } catch (e) {
      await fs.rm(tmp, { force: true });
      return this.wrap(e, path);
    }
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const abs = this.resolve(path);
    const tmp = this.tempFor(abs);
    try {
      await this.inParent(abs, () => fs.writeFile(tmp, data));
      // link() is atomic and fails if the target exists: exactly one concurrent committer wins.
      await fs.link(tmp, abs);
      readHandles.invalidate(abs);
      this.counters.writeRequests++;
      this.counters.bytesWritten += data.length;
    } catch (e) {
      if (isErrno(e, 'EEXIST')) throw new AlreadyExistsError(path, { cause: e });
      return this.wrap(e, path);
    } finally {
      // The temp name goes in every case (after link() the object keeps its other name).
      await fs.unlink(tmp).catch((e: unknown) => {
        if (!isErrno(e, 'ENOENT')) throw e;
      });
    }
  }

  async createWriter(path: string): Promise<ObjectWriter> {
    const abs = this.resolve(path);
    const tmp = this.tempFor(abs);
    const fh = await this.inParent(abs, () => fs.open(tmp, 'wx'));
    const counters = this.counters;
    let position = 0;
    let closed = false;
    return {
      get position() {
        return position;
      },
      async write(chunk: Uint8Array) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, position + off);
          off += bytesWritten;
        }
        position += chunk.length;
        counters.bytesWritten += chunk.length;
      },
      async close() {
        if (closed) return position;
        closed = true;
        await fh.close();
        await fs.rename(tmp, abs);
        readHandles.invalidate(abs);
        counters.writeRequests++;
        return position;
      },
      async abort() {
        if (closed) return;
        closed = true;
        await fh.close().catch(() => undefined);
        await fs.rm(tmp, { force: true });
      },
    };
  }

  async list(prefix: string): Promise<ObjectMeta[]> {
    this.counters.listRequests++;
    // List the deepest directory the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const dirRel = slash >= 0 ? prefix.slice(0, slash) : '';
    const out: ObjectMeta[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(this.resolve(rel), { withFileTypes: true });
      } catch (e) {
        if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return;
        throw e;
      }
      // Stat entries concurrently: a listing of N manifests must not cost N sequential round trips.
      await Promise.all(
        entries.map(async (ent) => {
          const childRel = rel ? `${rel}/${ent.name}` : ent.name;
          if (ent.isDirectory()) {
            if (childRel.startsWith(prefix) || prefix.startsWith(childRel + '/')) await walk(childRel);
          } else if (ent.isFile() && childRel.startsWith(prefix)) {
            try {
              const st = await fs.stat(this.resolve(childRel));
              out.push({ path: childRel, size: st.size, mtimeMs: st.mtimeMs });
            } catch (e) {
              if (!isErrno(e, 'ENOENT')) throw e; // deleted while listing
            }
          }
        }),
      );
    };
    await walk(dirRel);
    return out;
  }

  /**
   * Paths of the objects directly inside the folder `prefix` names (ends with '/'), without sizes:
   * one directory read and no stat per entry. Not part of ObjectStore; callers feature-test it.
   */
  async listNames(prefix: string): Promise<string[]> {
    this.counters.listRequests++;
    const dir = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.resolve(dir), { withFileTypes: true });
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return [];
      throw e;
    }
    return entries.filter((ent) => ent.isFile()).map((ent) => (dir ? `${dir}/${ent.name}` : ent.name));
  }

  async delete(path: string): Promise<void> {
    this.counters.deleteRequests++;
    const abs = this.resolve(path);
    await fs.rm(abs, { force: true });
    readHandles.invalidate(abs);
    // Leave no empty sidecar directories behind (best effort; the parent may hold other files).
    let dir = nodePath.dirname(abs);
    while (dir !== this.root && dir.startsWith(this.root)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = nodePath.dirname(dir);
    }
  }

  async copy(src: string, dst: string): Promise<CopyMethod> {
    const s = this.resolve(src);
    const d = this.resolve(dst);
    await fs.mkdir(nodePath.dirname(d), { recursive: true });
    try {
      await fs.link(s, d);
      readHandles.invalidate(d);
      const st = await fs.stat(d);
      this.counters.bytesLinked += st.size;
      return 'link';
    } catch (e) {
      if (isErrno(e, 'EEXIST')) throw new AlreadyExistsError(dst, { cause: e });
      if (isErrno(e, 'ENOENT')) throw new NotFoundError(src, { cause: e });
      if (!isErrno(e, 'EXDEV') && !isErrno(e, 'EPERM') && !isErrno(e, 'EMLINK')) this.wrap(e, src);
    }
    // Different filesystem or links not allowed: let the kernel copy (reflink where supported).
    await fs.copyFile(s, d, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
    readHandles.invalidate(d);
    const st = await fs.stat(d);
    this.counters.bytesCopied += st.size;
    return 'stream-copy';
  }

  async copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod> {
    const w = await this.createWriter(dst);
    try {
      for await (const chunk of this.readStream(src, start, end)) await w.write(chunk);
      if (w.position !== end - start) throw new StoreError('SHORT_READ', `source ended before byte ${end}`, src);
      await w.close();
    } catch (e) {
      await w.abort();
      throw e;
    }
    this.counters.bytesCopied += end - start;
    return 'stream-copy';
  }
}
