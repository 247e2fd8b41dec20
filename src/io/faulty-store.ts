// Fault injection for reliability tests: wraps any ObjectStore and, driven by a seeded PRNG,
// fails, delays or truncates calls. The same seed and the same sequence of calls give the same
// faults, so a failing run can be replayed; `events` records what was injected.
import { StoreError } from '../errors.js';
import { withReadRoot } from './read-root.js';
import type { ByteRange, CopyMethod, IoCounters, ObjectMeta, ObjectStore, ObjectWriter } from './object-store.js';

export type FaultOp =
  | 'head'
  | 'exists'
  | 'get'
  | 'getRange'
  | 'getRanges'
  | 'readStream'
  | 'put'
  | 'putIfAbsent'
  | 'createWriter'
  | 'write'
  | 'close'
  | 'list'
  | 'delete'
  | 'copy'
  | 'copyRange';

const READS = new Set<FaultOp>(['get', 'getRange', 'getRanges', 'readStream']);
const WRITES = new Set<FaultOp>(['put', 'putIfAbsent', 'close', 'delete', 'copy', 'copyRange']);

export interface FaultConfig {
  seed: number;
  /** Probability that a call fails before reaching the inner store. */
  failRate?: number;
  /**
   * Probability that a write-like call (put, putIfAbsent, close, delete, copy, copyRange) is
   * carried out by the inner store and then reports failure anyway, as when a response is lost:
   * the caller cannot tell whether it happened.
   */
  ambiguousRate?: number;
  /** Probability that a read returns (or streams) fewer bytes than asked, without an error. */
  truncateRate?: number;
  /** Probability that a call is delayed by up to `maxDelayMs` (uniform) before it runs. */
  delayRate?: number;
  maxDelayMs?: number;
  /** Only these operations are eligible for faults (default: all). */
  ops?: readonly FaultOp[];
  /** The error thrown for an injected failure (default: StoreError code INJECTED_FAULT). */
  makeError?: (op: FaultOp, path: string) => Error;
}

export interface FaultEvent {
  /** Sequence number of the call, counting every call to the wrapper. */
  call: number;
  op: FaultOp;
  path: string;
  kind: 'fail' | 'ambiguous' | 'truncate' | 'delay';
  /** Delay in ms, or the number of bytes kept by a truncation. */
  value?: number;
}

/** mulberry32: tiny, fast and good enough to drive fault decisions; not for cryptography. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The confined list/delete a store with links offers cleanup (LocalStore). */
interface DatasetConfined {
  listInsideDataset(prefix: string, base: string): Promise<ObjectMeta[]>;
  deleteInsideDataset(path: string, base: string): Promise<boolean>;
}

interface Plan {
  call: number;
  delayMs: number;
  fail: boolean;
  ambiguous: boolean;
  /** Fraction of the bytes to keep, when the read is truncated. */
  keep: number | undefined;
}

export class FaultyStore implements ObjectStore {
  readonly events: FaultEvent[] = [];
  /** Faults are injected only while enabled (e.g. off during setup, on for the test body). */
  enabled = true;
  private readonly random: () => number;
  /** Shared with read-root views (an object, so a view's increments land here). */
  private readonly seq = { calls: 0 };

  constructor(
    readonly inner: ObjectStore,
    private readonly config: FaultConfig,
  ) {
    this.random = seededRandom(config.seed);
  }

  /** Set on views only (see withReadRoot). */
  private readonly viewOf: FaultyStore | undefined = undefined;

  get readOrigin(): FaultyStore {
    return this.viewOf ?? this;
  }

  /**
   * A view whose reads stay inside `base` (see read-root.ts): made on top of this store, so the
   * seed, call sequence, events and `enabled` stay shared; only the inner store is the view's.
   */
  withReadRoot(base: string): FaultyStore {
    const origin = this.readOrigin;
    const v = Object.create(origin) as FaultyStore;
    Object.defineProperty(v, 'inner', { value: withReadRoot(origin.inner, base) });
    Object.defineProperty(v, 'viewOf', { value: origin });
    return v;
  }

  get kind(): string {
    return this.inner.kind;
  }
  get root(): string {
    return this.inner.root;
  }
  get counters(): IoCounters {
    return this.inner.counters;
  }

  /**
   * Decides every fault of one call up front, drawing a fixed number of random values per call
   * so that the decisions of later calls do not depend on which faults earlier calls got.
   */
  private plan(op: FaultOp, path: string): Plan {
    const call = this.seq.calls++;
    const r = [this.random(), this.random(), this.random(), this.random(), this.random()] as const;
    const c = this.config;
    const eligible = this.enabled && (!c.ops || c.ops.includes(op));
    const p: Plan = { call, delayMs: 0, fail: false, ambiguous: false, keep: undefined };
    if (!eligible) return p;
    if (r[0] < (c.delayRate ?? 0)) p.delayMs = Math.floor(r[1] * (c.maxDelayMs ?? 10));
    if (r[2] < (c.failRate ?? 0)) p.fail = true;
    else if (WRITES.has(op) && r[3] < (c.ambiguousRate ?? 0)) p.ambiguous = true;
    else if (READS.has(op) && r[3] < (c.truncateRate ?? 0)) p.keep = r[4];
    if (p.delayMs > 0) this.events.push({ call, op, path, kind: 'delay', value: p.delayMs });
    if (p.fail) this.events.push({ call, op, path, kind: 'fail' });
    if (p.ambiguous) this.events.push({ call, op, path, kind: 'ambiguous' });
    return p;
  }

  private error(op: FaultOp, path: string, what: string): Error {
    return this.config.makeError?.(op, path) ?? new StoreError('INJECTED_FAULT', `injected ${what} of ${op}`, path);
  }

  /** Runs one call under its plan: delay, then fail, or run and maybe fail afterwards. */
  private async run<T>(op: FaultOp, path: string, fn: () => Promise<T>, p = this.plan(op, path)): Promise<T> {
    if (p.delayMs > 0) await new Promise((r) => setTimeout(r, p.delayMs));
    if (p.fail) throw this.error(op, path, 'failure');
    const out = await fn();
    if (p.ambiguous) throw this.error(op, path, 'lost response');
    return out;
  }

  private truncate(p: Plan, op: FaultOp, path: string, data: Uint8Array): Uint8Array {
    if (p.keep === undefined || data.length === 0) return data;
    const n = Math.floor(p.keep * data.length); // strictly fewer bytes than asked
    this.events.push({ call: p.call, op, path, kind: 'truncate', value: n });
    return data.subarray(0, n);
  }

  head(path: string): Promise<ObjectMeta> {
    return this.run('head', path, () => this.inner.head(path));
  }
  exists(path: string): Promise<boolean> {
    return this.run('exists', path, () => this.inner.exists(path));
  }
  async get(path: string): Promise<Uint8Array> {
    const p = this.plan('get', path);
    return this.truncate(p, 'get', path, await this.run('get', path, () => this.inner.get(path), p));
  }
  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const p = this.plan('getRange', path);
    return this.truncate(p, 'getRange', path, await this.run('getRange', path, () => this.inner.getRange(path, start, end), p));
  }
  async getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const p = this.plan('getRanges', path);
    const out = await this.run('getRanges', path, () => this.inner.getRanges(path, ranges), p);
    // Truncate one of the results (the last non-empty one): enough to exercise length checks.
    let i = out.length - 1;
    while (i >= 0 && out[i]!.length === 0) i--;
    if (i >= 0) out[i] = this.truncate(p, 'getRanges', path, out[i]!);
    return out;
  }
  async *readStream(path: string, start?: number, end?: number): AsyncIterable<Uint8Array> {
    const p = this.plan('readStream', path);
    if (p.delayMs > 0) await new Promise((r) => setTimeout(r, p.delayMs));
    if (p.fail) throw this.error('readStream', path, 'failure');
    if (p.keep === undefined) {
      yield* this.inner.readStream(path, start, end);
      return;
    }
    // The total length is unknown up front: end the stream inside its first chunk.
    for await (const chunk of this.inner.readStream(path, start, end)) {
      const cut = this.truncate(p, 'readStream', path, chunk);
      if (cut.length > 0) yield cut;
      return;
    }
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return this.run('put', path, () => this.inner.put(path, data));
  }
  putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    return this.run('putIfAbsent', path, () => this.inner.putIfAbsent(path, data));
  }
  async createWriter(path: string): Promise<ObjectWriter> {
    const w = await this.run('createWriter', path, () => this.inner.createWriter(path));
    return {
      get position() {
        return w.position;
      },
      write: (chunk) => this.run('write', path, () => w.write(chunk)),
      close: () => this.run('close', path, () => w.close()),
      abort: () => w.abort(),
    };
  }
  list(prefix: string): Promise<ObjectMeta[]> {
    return this.run('list', prefix, () => this.inner.list(prefix));
  }
  delete(path: string): Promise<void> {
    return this.run('delete', path, () => this.inner.delete(path));
  }
  /**
   * Cleanup's confined listing (see LocalStore.listInsideDataset), faulted as a list. Without it
   * cleanup through this wrapper would fall back to the plain list, which follows symlinks.
   */
  listInsideDataset(prefix: string, base: string): Promise<ObjectMeta[]> {
    const inner = this.inner as Partial<DatasetConfined>;
    return this.run('list', prefix, () => (inner.listInsideDataset ? inner.listInsideDataset.call(this.inner, prefix, base) : this.inner.list(prefix)));
  }
  /** Cleanup's confined delete (see LocalStore.deleteInsideDataset), faulted as a delete. */
  deleteInsideDataset(path: string, base: string): Promise<boolean> {
    const inner = this.inner as Partial<DatasetConfined>;
    return this.run('delete', path, async () => {
      if (inner.deleteInsideDataset) return inner.deleteInsideDataset.call(this.inner, path, base);
      await this.inner.delete(path);
      return true;
    });
  }
  copy(src: string, dst: string): Promise<CopyMethod> {
    return this.run('copy', dst, () => this.inner.copy(src, dst));
  }
  copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod> {
    return this.run('copyRange', dst, () => this.inner.copyRange(src, start, end, dst));
  }
}
