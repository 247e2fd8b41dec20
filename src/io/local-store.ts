import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, InvalidInputError, NotFoundError, StoreError } from '../errors.js';
import { readCoalesced } from './range-plan.js';
import { assertFitsInMemory, readFully } from './read-limits.js';
import { joinPath, newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === code;
}

/** Open read handles kept at most (least recently used closed first) and how long an idle one stays open. */
const MAX_OPEN_READ_HANDLES = 64;
const READ_HANDLE_IDLE_MS = 1000;

/** Bytes per chunk of readStream. */
const STREAM_CHUNK = 1 << 20;

interface OpenedFile {
  fh: fs.FileHandle;
  /** The file's real path (symlinks resolved), checked against each reader's root. */
  real: string;
}

interface ReadHandle {
  fh: Promise<OpenedFile>;
  users: number;
  /** Evicted or invalidated: closed once its last reader is done. */
  dead: boolean;
  idle?: NodeJS.Timeout;
}

/**
 * Opens `abs` read-only and learns its real path. The real path is checked to name the very file
 * that was opened (same device and inode), so a link swapped between the open and the lookup
 * cannot slip another file past the root check.
 */
async function openReal(abs: string): Promise<OpenedFile> {
  for (let attempt = 0; ; attempt++) {
    const fh = await fs.open(abs, 'r');
    try {
      const [real, st] = await Promise.all([fs.realpath(abs), fh.stat()]);
      const at = await fs.stat(real);
      if (at.ino === st.ino && at.dev === st.dev) return { fh, real };
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
    await fh.close().catch(() => undefined);
    // Replaced (renamed over) while being opened: a concurrent writer, try again.
    if (attempt >= 3) throw new StoreError('CHANGED_WHILE_OPENING', 'object kept being replaced while being opened', abs);
  }
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

  async acquire(abs: string): Promise<{ fh: fs.FileHandle; real: string; release: () => void }> {
    let h = this.open.get(abs);
    if (h) {
      this.open.delete(abs);
      this.open.set(abs, h);
      if (h.idle) clearTimeout(h.idle);
      h.idle = undefined;
    } else {
      const entry: ReadHandle = { fh: openReal(abs), users: 0, dead: false };
      h = entry;
      this.open.set(abs, entry);
      // A failed open is not cached: the next reader tries again.
      entry.fh.catch(() => this.drop(abs, entry));
      this.evict();
    }
    h.users++;
    const entry = h;
    let opened: OpenedFile;
    try {
      opened = await entry.fh;
    } catch (e) {
      entry.users--;
      throw e;
    }
    let released = false;
    return {
      fh: opened.fh,
      real: opened.real,
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
    await (await h.fh).fh.close();
  } catch {
    /* failed open or already closed */
  }
}

const readHandles = new ReadHandleCache();

export interface LocalStoreOptions {
  /**
   * Read through symlinks whose target lies outside the root. Off by default: a dataset (or a
   * planted sidecar) must not make lancet read files it was not pointed at. Only external blob
   * reads the connection allowed anywhere (allowUnconfinedExternalBlobs) turn it on.
   */
  followSymlinksOutsideRoot?: boolean;
}

/** What a read-root view shares with the store it was made from (see withReadRoot). */
interface ViewOf {
  origin: LocalStore;
  /** Store path of the folder reads must resolve inside ('' = the root). */
  readRoot: string;
}

/** Object store over a local directory. put-if-absent is `link(tmp, final)`, which fails with EEXIST atomically. */
export class LocalStore implements ObjectStore {
  readonly kind = 'local';
  readonly root: string;
  readonly counters: IoCounters = newCounters();
  private readonly followSymlinksOutsideRoot: boolean;
  /** Set on views only (see withReadRoot). */
  private readonly view: ViewOf | undefined = undefined;
  private rootReal: Promise<string> | undefined;

  constructor(root: string, opts: LocalStoreOptions = {}) {
    this.root = nodePath.resolve(root);
    this.followSymlinksOutsideRoot = opts.followSymlinksOutsideRoot ?? false;
  }

  get readOrigin(): LocalStore {
    return this.view?.origin ?? this;
  }

  /**
   * A view of this store (same root, paths and counters) whose reads must resolve inside the
   * folder `base`: what a dataset of a connection reads through, so a link in one table cannot
   * reach a sibling table's files.
   */
  withReadRoot(base: string): LocalStore {
    const origin = this.readOrigin;
    const readRoot = joinPath(base);
    if (readRoot === '' && !this.view) return this;
    origin.resolve(readRoot);
    // Made on top of the origin object itself: a subclass's overrides and state, the root, the
    // options and the counters all stay the origin's; only the read root is the view's own.
    const v = Object.create(origin) as LocalStore;
    Object.defineProperty(v, 'view', { value: { origin, readRoot } satisfies ViewOf });
    Object.defineProperty(v, 'rootReal', { value: undefined, writable: true });
    return v;
  }

  /** Absolute path of the folder reads are confined to. */
  private get readRootAbs(): string {
    return this.view ? this.resolve(this.view.readRoot) : this.root;
  }

  /** The read root with symlinks resolved (cached once it exists). */
  private realRoot(): Promise<string> {
    if (!this.rootReal) {
      const p = fs.realpath(this.readRootAbs);
      this.rootReal = p;
      p.catch(() => {
        if (this.rootReal === p) this.rootReal = undefined;
      });
    }
    return this.rootReal;
  }

  /** Refuses a file whose real path leaves the root (a symlink out of the dataset). */
  private async checkReal(path: string, real: string): Promise<void> {
    if (this.followSymlinksOutsideRoot) return;
    const root = await this.realRoot();
    if (real === root || real.startsWith(root.endsWith(nodePath.sep) ? root : root + nodePath.sep)) return;
    throw new InvalidInputError(
      'SYMLINK_OUTSIDE_ROOT',
      `refusing to read ${path}: it is a symlink to ${real}, outside ${this.readRootAbs}; lancet does not follow links out of a dataset (copy the file in instead)`,
      { path, target: real, root: this.readRootAbs },
    );
  }

  /** A shared read handle on `path`, checked to stay inside the root. */
  private async readHandle(path: string): Promise<{ fh: fs.FileHandle; release: () => void }> {
    const h = await readHandles.acquire(this.resolve(path));
    try {
      await this.checkReal(path, h.real);
    } catch (e) {
      h.release();
      throw e;
    }
    return h;
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
      // A size is a read too: a link out of the root must not tell the size of what it names.
      const real = await fs.realpath(this.resolve(path));
      await this.checkReal(path, real);
      const st = await fs.stat(real);
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
      // Not through the handle cache: whole-object reads are of mutable metadata (e.g. a
      // manifest pointer) that another process may replace at any time.
      const { fh, real } = await openReal(this.resolve(path));
      let buf: Buffer;
      try {
        await this.checkReal(path, real);
        buf = await fh.readFile();
      } finally {
        await fh.close().catch(() => undefined);
      }
      this.counters.readRequests++;
      this.counters.bytesRead += buf.length;
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      return this.wrap(e, path);
    }
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start)) {
      throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    }
    assertFitsInMemory(end - start, `${path} [${start}, ${end})`);
    let handle: { fh: fs.FileHandle; release: () => void } | undefined;
    try {
      handle = await this.readHandle(path);
      // Every byte is overwritten by the read (or the read fails): skip zero-filling.
      const out = new Uint8Array(Buffer.allocUnsafeSlow(end - start).buffer, 0, end - start);
      const done = await readFully(handle.fh, out, start);
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

  /** Positional chunk reads on the shared handle; an object that ends before `end` is an error. */
  async *readStream(path: string, start = 0, end?: number): AsyncIterable<Uint8Array> {
    if (!(Number.isSafeInteger(start) && start >= 0 && (end === undefined || Number.isSafeInteger(end)))) {
      throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    }
    if (end !== undefined && end <= start) return;
    let handle: { fh: fs.FileHandle; release: () => void };
    try {
      handle = await this.readHandle(path);
    } catch (e) {
      return this.wrap(e, path);
    }
    this.counters.readRequests++;
    try {
      for (let pos = start; end === undefined || pos < end; ) {
        const want = end === undefined ? STREAM_CHUNK : Math.min(STREAM_CHUNK, end - pos);
        // Each chunk goes to the consumer, who may keep it: a fresh buffer per chunk.
        const buf = Buffer.allocUnsafeSlow(want);
        let n: number;
        try {
          n = await readFully(handle.fh, buf, pos);
        } catch (e) {
          return this.wrap(e, path);
        }
        if (n > 0) {
          pos += n;
          this.counters.bytesRead += n;
          yield new Uint8Array(buf.buffer, buf.byteOffset, n);
        }
        if (n < want) {
          if (end === undefined) return;
          throw new StoreError('SHORT_READ', `object ends at byte ${pos}, before the end of range [${start}, ${end})`, path);
        }
      }
    } finally {
      handle.release();
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

  /**
   * Whether `rel` (a store path) is a folder (`leaf` 'dir') or regular file ('file') at or below
   * the dataset root `base`, reached without a symbolic link anywhere below `base`, whose real
   * path stays inside `base`'s real path. What cleanup may list and delete; nothing else is.
   */
  private async insideDataset(rel: string, base: string, leaf: 'dir' | 'file'): Promise<boolean> {
    const baseParts = base.split('/').filter((p) => p.length > 0);
    const parts = rel.split('/').filter((p) => p.length > 0);
    if (parts.length < baseParts.length || baseParts.some((p, i) => parts[i] !== p)) return false;
    const gone = (e: unknown) => isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR');
    const baseAbs = this.resolve(base);
    let cur = baseAbs;
    for (let i = baseParts.length; i < parts.length; i++) {
      cur = nodePath.join(cur, parts[i]!);
      let st: import('node:fs').Stats;
      try {
        st = await fs.lstat(cur);
      } catch (e) {
        if (gone(e)) return false;
        throw e;
      }
      if (st.isSymbolicLink()) return false;
      const last = i === parts.length - 1;
      if (!(last && leaf === 'file' ? st.isFile() : st.isDirectory())) return false;
    }
    if (leaf === 'file' && parts.length === baseParts.length) return false;
    try {
      const [realBase, real] = await Promise.all([fs.realpath(baseAbs), fs.realpath(cur)]);
      return real === realBase ? leaf === 'dir' : real.startsWith(realBase + nodePath.sep);
    } catch (e) {
      if (gone(e)) return false;
      throw e;
    }
  }

  /**
   * For cleanup: the regular files below `prefix` (a folder of the dataset at `base`, ending with
   * '/'), never following a symbolic link: a linked folder is not entered, a linked file not
   * listed, and a prefix reached through a link (or whose real path leaves `base`) lists nothing.
   * Not part of ObjectStore; cleanup feature-tests it.
   */
  async listInsideDataset(prefix: string, base: string): Promise<ObjectMeta[]> {
    this.counters.listRequests++;
    const slash = prefix.lastIndexOf('/');
    const dirRel = slash >= 0 ? prefix.slice(0, slash) : '';
    if (!(await this.insideDataset(dirRel, base, 'dir'))) return [];
    const out: ObjectMeta[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(this.resolve(rel), { withFileTypes: true });
      } catch (e) {
        if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return;
        throw e;
      }
      await Promise.all(
        entries.map(async (ent) => {
          const childRel = rel ? `${rel}/${ent.name}` : ent.name;
          // Directory entry types are those of the entry itself (lstat): a link is neither a
          // directory nor a file, so it is neither entered nor listed.
          if (ent.isDirectory()) {
            if (childRel.startsWith(prefix) || prefix.startsWith(childRel + '/')) await walk(childRel);
          } else if (ent.isFile() && childRel.startsWith(prefix)) {
            try {
              const st = await fs.lstat(this.resolve(childRel));
              if (st.isFile()) out.push({ path: childRel, size: st.size, mtimeMs: st.mtimeMs });
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
   * For cleanup: removes the regular file `path` of the dataset at `base` only when it is reached
   * without a symbolic link below `base` and its real path stays inside the dataset (checked right
   * before the unlink); returns false, touching nothing, otherwise. An emptied sidecar folder
   * (`data/<stem>/`) goes too; the dataset's own top-level folders stay.
   */
  async deleteInsideDataset(path: string, base: string): Promise<boolean> {
    if (!(await this.insideDataset(path, base, 'file'))) return false;
    this.counters.deleteRequests++;
    const abs = this.resolve(path);
    try {
      await fs.unlink(abs);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) return this.wrap(e, path);
    }
    readHandles.invalidate(abs);
    const baseAbs = this.resolve(base);
    for (let dir = nodePath.dirname(abs); nodePath.dirname(dir) !== baseAbs && dir.startsWith(baseAbs + nodePath.sep); dir = nodePath.dirname(dir)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
    }
    return true;
  }

  async copy(src: string, dst: string): Promise<CopyMethod> {
    const s = this.resolve(src);
    const d = this.resolve(dst);
    await fs.mkdir(nodePath.dirname(d), { recursive: true });
    try {
      // A link shares the source's inode, hence its mtime: an old source would make the new name
      // look like a long-forgotten orphan to cleanup while the write that linked it is still in
      // flight. Touching the inode before the name exists gives the link a fresh mtime from its
      // first moment; the source looks fresh too, which only makes its own cleanup wait longer.
      // Where the inode cannot be touched (not ours), copy instead of linking.
      const now = new Date();
      await fs.utimes(s, now, now);
      await fs.link(s, d);
      readHandles.invalidate(d);
      const st = await fs.stat(d);
      this.counters.bytesLinked += st.size;
      return 'link';
    } catch (e) {
      if (isErrno(e, 'EEXIST')) throw new AlreadyExistsError(dst, { cause: e });
      if (isErrno(e, 'ENOENT')) throw new NotFoundError(src, { cause: e });
      if (!isErrno(e, 'EXDEV') && !isErrno(e, 'EPERM') && !isErrno(e, 'EACCES') && !isErrno(e, 'EMLINK')) this.wrap(e, src);
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
