// Streaming Blob V2 writer for one data file. Every value is placed by the layout rule as it
// arrives: inline payloads go through the data file's out-of-line buffer, packed payloads are
// appended to a rolling pack sidecar, dedicated payloads get a sidecar of their own, external
// URIs are recorded (reference mode) or copied in (ingest mode), and references to stored blobs
// are linked or copied store-side. Payloads of unknown size are held in memory only up to a
// bound (by default the smaller of the dedicated threshold and 8 MiB) and spill to a sidecar
// beyond it, so memory never grows with the payload.
import { InvalidInputError, StoreError } from '../../errors.js';
import type { ObjectStore, ObjectWriter } from '../../io/object-store.js';
import type { BlobReference, PackSource } from './blob-reference.js';
import { normalizeBlobInput, type BlobInput, type ChunkSource } from './blob-input.js';
import {
  dedicatedDescriptor,
  externalDescriptor,
  inlineDescriptor,
  packedDescriptor,
  type BlobDescriptor,
} from './descriptor.js';
import { defaultExternalOpener, type ExternalOpener } from './external-store.js';
import { parseBlobUri, resolveExternalForWrite, type BasePathInfo } from './external-uri.js';
import { layoutForSize, needsNewPack } from './layout.js';
import { BlobIdAllocator, sidecarPath } from './sidecar-path.js';
import { copyObject, copyObjectRange, type CopyOutcome } from './store-copy.js';
import type { BlobThresholds } from './thresholds.js';

/** The part of a data file writer the blob path needs. */
export interface OutOfLineSink {
  /** Appends bytes to the data file; resolves to their absolute (64-aligned) offset. */
  appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint>;
}

export interface BlobWriteCounters {
  /** Payload bytes written by this writer (inline buffers, sidecars, streamed copies). */
  payloadBytesWritten: number;
  /** Payload bytes made visible without copying (hard link / server-side copy). */
  payloadBytesLinked: number;
  /** Payload bytes read from sources (ingested externals, references, spill files). */
  payloadBytesRead: number;
  /** Descriptor bytes the data file will hold for these rows. */
  metadataBytesWritten: number;
  values: { null: number; inline: number; packed: number; dedicated: number; external: number };
  /** Values whose reference was already placed in this data file and shared its descriptor. */
  valuesReused: number;
}

export function newBlobWriteCounters(): BlobWriteCounters {
  return { payloadBytesWritten: 0, payloadBytesLinked: 0, payloadBytesRead: 0, metadataBytesWritten: 0, values: { null: 0, inline: 0, packed: 0, dedicated: 0, external: 0 }, valuesReused: 0 };
}

export interface BlobFileWriterOptions {
  /** Store of the dataset (sidecars are created here). */
  store: ObjectStore;
  /** Store path of the data file, e.g. `data/<stem>.lance`; sidecars go to `data/<stem>/`. */
  dataFilePath: string;
  sink: OutOfLineSink;
  bases?: readonly BasePathInfo[];
  allowExternalOutsideBases?: boolean;
  /** 'reference' (default) records URIs; 'ingest' copies the external bytes in. */
  externalMode?: 'reference' | 'ingest';
  /** Bound on bytes held in memory for a value of unknown size. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Overrides the pack-file threshold for this write only. */
  packFileSizeOverride?: number;
  openExternal?: ExternalOpener;
  /** Shared counters (e.g. one per dataset write); a fresh set otherwise. */
  counters?: BlobWriteCounters;
}

export interface BlobColumnWriter {
  readonly name: string;
  readonly thresholds: BlobThresholds;
  /** Places one value; values of a column must be written one at a time, in row order. */
  write(value: BlobInput): Promise<BlobDescriptor | null>;
  writeAll(values: Iterable<BlobInput> | AsyncIterable<BlobInput>): Promise<(BlobDescriptor | null)[]>;
}

export interface BlobFileWriter {
  readonly dataFilePath: string;
  readonly counters: BlobWriteCounters;
  /** Sidecars completed so far (store paths). */
  readonly sidecars: readonly string[];
  column(name: string, thresholds: BlobThresholds): BlobColumnWriter;
  /** Closes open packs; call before the data file is finished and committed. */
  finish(): Promise<void>;
  /** Aborts open sidecars and deletes the ones already written. */
  abort(): Promise<void>;
}

const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;

function descriptorBytes(d: BlobDescriptor | null): number {
  // Full-zip row: control byte, then u32 length + kind/position/size/blob_id/uri-length + uri.
  return d === null ? 1 : 1 + 4 + 25 + Buffer.byteLength(d.blobUri);
}

async function* single(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function sizeMismatch(expected: number, got: number): InvalidInputError {
  return new InvalidInputError('BLOB_SIZE_MISMATCH', `blob source produced ${got} bytes, expected ${expected} (changed while being read?)`, { expected, got });
}

export function createBlobFileWriter(opts: BlobFileWriterOptions): BlobFileWriter {
  const { store, dataFilePath, sink } = opts;
  const ids = new BlobIdAllocator(1);
  const counters = opts.counters ?? newBlobWriteCounters();
  const sidecars: string[] = [];
  const open = new Set<ObjectWriter>();
  const linkedPacks = new Map<PackSource, number>();
  // One rolling pack per data file, shared by all its blob columns (as Lance does); it also
  // rolls when a column with a different pack threshold appends.
  let pack: OpenPack | null = null;
  const openExternal = opts.openExternal ?? defaultExternalOpener;
  let state: 'open' | 'finished' | 'aborted' = 'open';

  interface OpenPack {
    blobId: number;
    path: string;
    writer: ObjectWriter;
    limit: number;
  }

  const checkOpen = () => {
    if (state !== 'open') throw new InvalidInputError('WRITER_CLOSED', `blob writer for ${dataFilePath} is ${state}`);
  };

  async function newSidecar(): Promise<{ blobId: number; path: string; writer: ObjectWriter }> {
    const blobId = ids.next();
    const path = sidecarPath(dataFilePath, blobId);
    const writer = await store.createWriter(path);
    open.add(writer);
    return { blobId, path, writer };
  }

  async function closeSidecar(path: string, writer: ObjectWriter): Promise<number> {
    const size = await writer.close();
    open.delete(writer);
    sidecars.push(path);
    return size;
  }

  async function pipe(chunks: AsyncIterable<Uint8Array>, writer: ObjectWriter): Promise<number> {
    let n = 0;
    for await (const c of chunks) {
      await writer.write(c);
      n += c.length;
    }
    counters.payloadBytesWritten += n;
    return n;
  }

  async function writeInline(bytes: Uint8Array): Promise<BlobDescriptor> {
    const pos = await sink.appendOutOfLineBuffer(bytes);
    counters.payloadBytesWritten += bytes.length;
    counters.values.inline++;
    return inlineDescriptor(pos, BigInt(bytes.length));
  }

  async function packFor(size: number, t: BlobThresholds): Promise<OpenPack> {
    const limit = opts.packFileSizeOverride ?? t.packFile;
    const current = pack && pack.limit === limit ? pack.writer.position : null;
    if (!pack || needsNewPack(current, size, limit)) {
      if (pack) await closeSidecar(pack.path, pack.writer);
      pack = { ...(await newSidecar()), limit };
    }
    return pack;
  }

  async function writePacked(t: BlobThresholds, size: number, chunks: AsyncIterable<Uint8Array>): Promise<BlobDescriptor> {
    const p = await packFor(size, t);
    const start = p.writer.position;
    const n = await pipe(chunks, p.writer);
    if (n !== size) throw sizeMismatch(size, n);
    counters.values.packed++;
    return packedDescriptor(p.blobId, BigInt(start), BigInt(size));
  }

  async function writeDedicated(size: number, chunks: AsyncIterable<Uint8Array>): Promise<BlobDescriptor> {
    const sc = await newSidecar();
    const n = await pipe(chunks, sc.writer);
    if (n !== size) throw sizeMismatch(size, n);
    await closeSidecar(sc.path, sc.writer);
    counters.values.dedicated++;
    return dedicatedDescriptor(sc.blobId, BigInt(size));
  }

  async function readAll(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const c of chunks) {
      n += c.length;
      if (n > limit) throw sizeMismatch(limit, n);
      parts.push(c);
    }
    return concat(parts, n);
  }

  /** A value whose size is known before its bytes are read. */
  async function writeSized(t: BlobThresholds, size: number, chunks: () => AsyncIterable<Uint8Array>): Promise<BlobDescriptor> {
    switch (layoutForSize(size, t)) {
      case 'inline': {
        const bytes = await readAll(chunks(), size);
        if (bytes.length !== size) throw sizeMismatch(size, bytes.length);
        return writeInline(bytes);
      }
      case 'packed':
        return writePacked(t, size, chunks());
      case 'dedicated':
        return writeDedicated(size, chunks());
    }
  }

  /** A value whose size is learned while streaming. */
  async function writeUnsized(t: BlobThresholds, chunks: AsyncIterable<Uint8Array>): Promise<BlobDescriptor> {
    const bufferLimit = Math.max(t.inline, Math.min(t.dedicated, opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED));
    const parts: Uint8Array[] = [];
    let total = 0;
    let spill: { blobId: number; path: string; writer: ObjectWriter } | null = null;
    for await (const c of chunks) {
      total += c.length;
      if (spill) {
        await spill.writer.write(c);
        counters.payloadBytesWritten += c.length;
        continue;
      }
      parts.push(c);
      if (total > bufferLimit || total > t.dedicated) {
        // Too big to hold: from here on bytes go to a sidecar that becomes the dedicated one
        // if the value ends above the dedicated threshold.
        spill = await newSidecar();
        for (const p of parts.splice(0)) await spill.writer.write(p);
        counters.payloadBytesWritten += total;
      }
    }
    if (!spill) return total > t.inline ? writePacked(t, total, single(concat(parts, total))) : writeInline(concat(parts, total));
    await closeSidecar(spill.path, spill.writer);
    if (total > t.dedicated) {
      counters.values.dedicated++;
      return dedicatedDescriptor(spill.blobId, BigInt(total));
    }
    // It ended in the packed range: move it into the pack and drop the spill file.
    const d = await writePacked(t, total, countRead(store.readStream(spill.path)));
    await store.delete(spill.path);
    sidecars.splice(sidecars.indexOf(spill.path), 1);
    return d;
  }

  async function* countRead(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const c of chunks) {
      counters.payloadBytesRead += c.length;
      yield c;
    }
  }

  function creditCopy(o: CopyOutcome): void {
    if (o.method === 'stream-copy') {
      counters.payloadBytesWritten += o.bytes;
      counters.payloadBytesRead += o.bytes;
    } else counters.payloadBytesLinked += o.bytes;
  }

  async function writeExternal(t: BlobThresholds, uri: string, position?: bigint, size?: bigint): Promise<BlobDescriptor> {
    if ((opts.externalMode ?? 'reference') === 'reference') {
      const ref = resolveExternalForWrite(uri, opts.bases ?? [], opts.allowExternalOutsideBases ?? false);
      counters.values.external++;
      return externalDescriptor(ref.blobId, ref.blobUri, position ?? 0n, size ?? 0n);
    }
    const obj = openExternal(parseBlobUri(uri));
    const start = Number(position ?? 0n);
    const len = size !== undefined ? Number(size) : (await obj.store.head(obj.path)).size - start;
    return writeSized(t, len, () => countRead(obj.store.readStream(obj.path, start, start + len)));
  }

  // A reference seen again in this data file (one-to-many joins) gets the descriptor already
  // placed for it: descriptors are resolved per data file, so sharing one sidecar, pack slice or
  // inline buffer is valid, and each source blob is linked or copied once.
  const placedRefs = new WeakMap<BlobReference, Map<string, BlobDescriptor>>();

  async function writeReference(t: BlobThresholds, ref: BlobReference): Promise<BlobDescriptor> {
    const key = `${t.inline}/${t.dedicated}/${t.packFile}`;
    const seen = placedRefs.get(ref)?.get(key);
    if (seen) {
      counters.values[(['inline', 'packed', 'dedicated', 'external'] as const)[seen.kind] ?? 'external']++;
      counters.valuesReused++;
      return seen;
    }
    const desc = await placeReference(t, ref);
    let byThresholds = placedRefs.get(ref);
    if (!byThresholds) placedRefs.set(ref, (byThresholds = new Map()));
    byThresholds.set(key, desc);
    return desc;
  }

  async function placeReference(t: BlobThresholds, ref: BlobReference): Promise<BlobDescriptor> {
    switch (ref.type) {
      case 'bytes':
        return writeSized(t, ref.bytes.length, () => single(ref.bytes));
      case 'external':
        return writeExternal(t, ref.uri, ref.size === 0n ? undefined : ref.position, ref.size === 0n ? undefined : ref.size);
      case 'object': {
        if (layoutForSize(ref.size, t) !== 'dedicated') return writeSized(t, ref.size, () => countRead(ref.store.readStream(ref.path, 0, ref.size)));
        const blobId = ids.next();
        const path = sidecarPath(dataFilePath, blobId);
        creditCopy(await copyObject({ store: ref.store, path: ref.path }, { store, path }, ref.size));
        sidecars.push(path);
        counters.values.dedicated++;
        return dedicatedDescriptor(blobId, BigInt(ref.size));
      }
      case 'range': {
        const layout = layoutForSize(ref.size, t);
        if (layout === 'packed' && ref.pack?.coveredByRefs) {
          // Every byte of the source pack moves: link the whole pack once and keep positions.
          let blobId = linkedPacks.get(ref.pack);
          if (blobId === undefined) {
            blobId = ids.next();
            const path = sidecarPath(dataFilePath, blobId);
            creditCopy(await copyObject({ store: ref.pack.store, path: ref.pack.path }, { store, path }, ref.pack.size));
            sidecars.push(path);
            linkedPacks.set(ref.pack, blobId);
          }
          counters.values.packed++;
          return packedDescriptor(blobId, BigInt(ref.start), BigInt(ref.size));
        }
        if (layout === 'dedicated') {
          const blobId = ids.next();
          const path = sidecarPath(dataFilePath, blobId);
          creditCopy(await copyObjectRange({ store: ref.store, path: ref.path }, ref.start, ref.start + ref.size, { store, path }));
          sidecars.push(path);
          counters.values.dedicated++;
          return dedicatedDescriptor(blobId, BigInt(ref.size));
        }
        return writeSized(t, ref.size, () => countRead(ref.store.readStream(ref.path, ref.start, ref.start + ref.size)));
      }
    }
  }

  async function place(t: BlobThresholds, value: BlobInput): Promise<BlobDescriptor | null> {
    const v = normalizeBlobInput(value);
    switch (v.type) {
      case 'null':
        counters.values.null++;
        return null;
      case 'bytes':
        return writeSized(t, v.bytes.length, () => single(v.bytes));
      case 'uri':
        return writeExternal(t, v.uri, v.position, v.size);
      case 'ref':
        return writeReference(t, v.ref);
      case 'stream': {
        const src: ChunkSource & { stat?: () => Promise<number> } = v.source;
        const size = src.size ?? (src.stat ? await src.stat() : undefined);
        return size === undefined ? writeUnsized(t, src.chunks()) : writeSized(t, size, src.chunks);
      }
    }
  }

  return {
    dataFilePath,
    counters,
    sidecars,
    column(name: string, thresholds: BlobThresholds): BlobColumnWriter {
      checkOpen();
      let busy = false;
      const write = async (value: BlobInput) => {
        checkOpen();
        if (busy) throw new InvalidInputError('CONCURRENT_BLOB_WRITE', `blob column '${name}' is already writing a value; await each write`);
        busy = true;
        try {
          const d = await place(thresholds, value);
          counters.metadataBytesWritten += descriptorBytes(d);
          return d;
        } finally {
          busy = false;
        }
      };
      return {
        name,
        thresholds,
        write,
        async writeAll(values) {
          const out: (BlobDescriptor | null)[] = [];
          for await (const v of values as AsyncIterable<BlobInput>) out.push(await write(v));
          return out;
        },
      };
    },
    async finish() {
      checkOpen();
      if (pack) await closeSidecar(pack.path, pack.writer);
      pack = null;
      state = 'finished';
    },
    async abort() {
      if (state === 'aborted') return;
      state = 'aborted';
      const errors: unknown[] = [];
      for (const w of open) await w.abort().catch((e: unknown) => errors.push(e));
      open.clear();
      for (const p of sidecars.splice(0)) await store.delete(p).catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new StoreError('ABORT_INCOMPLETE', `could not remove ${errors.length} blob sidecar(s)`, dataFilePath, { cause: errors[0] });
    },
  };
}
