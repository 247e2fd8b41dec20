// Moving whole objects and ranges between two stores (two datasets). Within one store the store
// decides (hard link, server-side copy); two local stores on one filesystem are bridged through
// their common ancestor so a hard link still works; anything else is streamed chunk by chunk.
import * as nodePath from 'node:path';
import { LocalStore } from '../../io/local-store.js';
import { CountingStore } from '../../io/counting-store.js';
import { sameStore } from '../../io/read-root.js';
import type { CopyMethod, ObjectStore } from '../../io/object-store.js';
import { StoreError } from '../../errors.js';

export interface StoreObject {
  store: ObjectStore;
  path: string;
}

export interface CopyOutcome {
  method: CopyMethod;
  bytes: number;
}

function commonLocalRoot(a: LocalStore, b: LocalStore, pa: string, pb: string): { root: string; ra: string; rb: string } {
  const absA = a.resolve(pa);
  const absB = b.resolve(pb);
  const sa = absA.split(nodePath.sep);
  const sb = absB.split(nodePath.sep);
  let i = 0;
  while (i < sa.length - 1 && i < sb.length - 1 && sa[i] === sb[i]) i++;
  const root = sa.slice(0, i).join(nodePath.sep) || nodePath.sep;
  return { root, ra: nodePath.relative(root, absA).split(nodePath.sep).join('/'), rb: nodePath.relative(root, absB).split(nodePath.sep).join('/') };
}

/** The local store under `store`, seeing through a statement's counting view of it. */
function asLocal(store: ObjectStore): LocalStore | undefined {
  const s = store instanceof CountingStore ? store.inner : store;
  return s instanceof LocalStore ? s : undefined;
}

function credit(dst: ObjectStore, method: CopyMethod, bytes: number): void {
  if (method === 'stream-copy') dst.counters.bytesCopied += bytes;
  else dst.counters.bytesLinked += bytes;
}

/** Streams [start, end) of src into a new object dst through bounded chunks. */
async function streamCopy(src: StoreObject, dst: StoreObject, start: number, end: number): Promise<number> {
  const w = await dst.store.createWriter(dst.path);
  try {
    for await (const chunk of src.store.readStream(src.path, start, end)) await w.write(chunk);
    if (w.position !== end - start) throw new StoreError('SHORT_READ', `source ended after ${w.position} of ${end - start} bytes`, src.path);
    await w.close();
    return end - start;
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/** Makes dst hold the whole of src, moving as few bytes as the stores allow. */
export async function copyObject(src: StoreObject, dst: StoreObject, size?: number): Promise<CopyOutcome> {
  // Views of one store (two tables of a connection) link within it; the destination's view
  // makes the new name and sizes it, as a read of the source's folder through it would be refused.
  if (sameStore(src.store, dst.store)) {
    const method = await dst.store.copy(src.path, dst.path);
    return { method, bytes: size ?? (await dst.store.head(dst.path)).size };
  }
  const srcLocal = asLocal(src.store);
  const dstLocal = asLocal(dst.store);
  if (srcLocal && dstLocal) {
    const { root, ra, rb } = commonLocalRoot(srcLocal, dstLocal, src.path, dst.path);
    const bridge = new LocalStore(root);
    const method = await bridge.copy(ra, rb);
    const bytes = size ?? (await dst.store.head(dst.path)).size;
    credit(dst.store, method, bytes);
    return { method, bytes };
  }
  const total = size ?? (await src.store.head(src.path)).size;
  return { method: 'stream-copy', bytes: await streamCopy(src, dst, 0, total) };
}

/** Makes dst hold bytes [start, end) of src. */
export async function copyObjectRange(src: StoreObject, start: number, end: number, dst: StoreObject): Promise<CopyOutcome> {
  if (src.store === dst.store) return { method: await src.store.copyRange(src.path, start, end, dst.path), bytes: end - start };
  return { method: 'stream-copy', bytes: await streamCopy(src, dst, start, end) };
}
