// Portable 32-bit RoaringBitmap serialization (the RoaringFormatSpec used by roaring-rs and CRoaring),
// which Lance stores in `.bin` deletion files and index fragment bitmaps.
//
//   cookie 12346: u32 cookie | u32 n | n × (u16 key, u16 card-1) | n × u32 offset | containers
//   cookie 12347 | (n-1) << 16: u32 | run-flag bitset ceil(n/8) | n × (u16 key, u16 card-1)
//                               | [n × u32 offset when n >= 4] | containers
// A container is a run list (u16 count, count × (u16 start, u16 len-1)) when its run flag is set,
// a 1024 × u64 bitmap when card > 4096, else card × u16 sorted values.
import { LanceFormatError } from '../../errors.js';

const COOKIE_NO_RUNS = 12346;
const COOKIE_RUNS = 12347;
const ARRAY_MAX = 4096;
const BITMAP_BYTES = 8192;
const NO_OFFSET_THRESHOLD = 4;
/** Error code of a deletion vector that names rows its fragment does not have. */
export const DELETION_OUT_OF_RANGE = 'DELETION_OUT_OF_RANGE';

export interface RoaringWriteOptions {
  /** Use run containers where they are smaller (cookie 12347). Default false, like roaring-rs. */
  runs?: boolean;
}

interface Container {
  key: number;
  values: number[]; // low 16 bits, sorted, unique
}

function group(values: Iterable<number>): Container[] {
  const sorted = Uint32Array.from(values).sort();
  const out: Container[] = [];
  let prev = -1;
  for (const v of sorted) {
    if (v === prev) continue;
    prev = v;
    const key = v >>> 16;
    let c = out[out.length - 1];
    if (!c || c.key !== key) out.push((c = { key, values: [] }));
    c.values.push(v & 0xffff);
  }
  return out;
}

function runsOf(values: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const v of values) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] + 1 === v) last[1]++;
    else runs.push([v, 0]);
  }
  return runs;
}

/** Serializes a set of u32 values (any order, duplicates ignored). */
export function encodeRoaring(values: Iterable<number>, opts: RoaringWriteOptions = {}): Uint8Array {
  const containers = group(values);
  const n = containers.length;
  const bodies: Uint8Array[] = [];
  const isRun: boolean[] = [];
  for (const c of containers) {
    const card = c.values.length;
    const plainSize = card > ARRAY_MAX ? BITMAP_BYTES : card * 2;
    const runs = opts.runs ? runsOf(c.values) : [];
    if (opts.runs && 2 + runs.length * 4 < plainSize) {
      const b = new Uint8Array(2 + runs.length * 4);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, runs.length, true);
      runs.forEach(([s, l], i) => {
        dv.setUint16(2 + i * 4, s, true);
        dv.setUint16(4 + i * 4, l, true);
      });
      bodies.push(b);
      isRun.push(true);
    } else if (card > ARRAY_MAX) {
      const b = new Uint8Array(BITMAP_BYTES);
      for (const v of c.values) b[v >>> 3]! |= 1 << (v & 7);
      bodies.push(b);
      isRun.push(false);
    } else {
      const b = new Uint8Array(card * 2);
      const dv = new DataView(b.buffer);
      c.values.forEach((v, i) => dv.setUint16(i * 2, v, true));
      bodies.push(b);
      isRun.push(false);
    }
  }
  const anyRun = isRun.some(Boolean);
  const withOffsets = !anyRun || n >= NO_OFFSET_THRESHOLD;
  const headerLen = (anyRun ? 4 + Math.ceil(n / 8) : 8) + n * 4 + (withOffsets ? n * 4 : 0);
  const total = headerLen + bodies.reduce((s, b) => s + b.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let p = 0;
  if (anyRun) {
    dv.setUint32(0, (COOKIE_RUNS | ((n - 1) << 16)) >>> 0, true);
    p = 4;
    isRun.forEach((r, i) => {
      if (r) out[p + (i >>> 3)]! |= 1 << (i & 7);
    });
    p += Math.ceil(n / 8);
  } else {
    dv.setUint32(0, COOKIE_NO_RUNS, true);
    dv.setUint32(4, n, true);
    p = 8;
  }
  containers.forEach((c, i) => {
    dv.setUint16(p + i * 4, c.key, true);
    dv.setUint16(p + i * 4 + 2, c.values.length - 1, true);
  });
  p += n * 4;
  let bodyAt = headerLen;
  if (withOffsets) {
    bodies.forEach((b, i) => {
      dv.setUint32(p + i * 4, bodyAt, true);
      bodyAt += b.length;
    });
  }
  bodyAt = headerLen;
  for (const b of bodies) {
    out.set(b, bodyAt);
    bodyAt += b.length;
  }
  return out;
}

/** What the reader knows about the bitmap before reading it; checked before anything is allocated. */
export interface RoaringLimits {
  /** Every value must be below this: the fragment's physical row count. Default 2^32. */
  rowLimit?: number;
  /** The number of values the manifest declares (`num_deleted_rows`), when it declares one. */
  expectedCount?: number;
}

interface ContainerPlan {
  key: number;
  card: number;
  kind: 'array' | 'bitmap' | 'run';
  /** Where its body starts. */
  at: number;
}

/**
 * Parses a portable roaring bitmap into its sorted values; `path` names the file in errors.
 *
 * The header is checked whole against the byte length and `limits` before the output is
 * allocated: a run container claims up to 65,536 values in 6 bytes, so a small hostile file can
 * otherwise demand gigabytes. Values are then bounded by `rowLimit`, and so is the allocation.
 */
export function decodeRoaring(bytes: Uint8Array, path = '<roaring>', limits: RoaringLimits = {}): Uint32Array {
  const rowLimit = Math.min(limits.rowLimit ?? 2 ** 32, 2 ** 32);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (msg: string, offset: number): never => {
    throw new LanceFormatError('BAD_ROARING', msg, { path, offset });
  };
  const outOfRange = (msg: string, offset: number): never => {
    throw new LanceFormatError(DELETION_OUT_OF_RANGE, msg, { path, offset });
  };
  const need = (at: number, len: number) => {
    if (at + len > bytes.length) fail(`roaring bitmap truncated: needs ${at + len} bytes, has ${bytes.length}`, at);
  };
  need(0, 4);
  const cookie = dv.getUint32(0, true);
  let n: number;
  let p: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === COOKIE_RUNS) {
    n = (cookie >>> 16) + 1;
    const flagLen = Math.ceil(n / 8);
    need(4, flagLen);
    runFlags = bytes.subarray(4, 4 + flagLen);
    p = 4 + flagLen;
  } else if (cookie === COOKIE_NO_RUNS) {
    need(4, 4);
    n = dv.getUint32(4, true);
    p = 8;
  } else {
    return fail(`unknown roaring cookie ${cookie}`, 0);
  }
  if (n > 65536) fail(`roaring bitmap claims ${n} containers (max 65536)`, 0);
  const descAt = p;
  need(descAt, n * 4);
  p += n * 4;
  const offsetsAt = !runFlags || n >= NO_OFFSET_THRESHOLD ? p : undefined;
  if (offsetsAt !== undefined) {
    need(offsetsAt, n * 4);
    p += n * 4;
  }

  // Pass 1: walk the container bodies without materializing a value.
  const plan: ContainerPlan[] = [];
  let total = 0;
  let prevKey = -1;
  for (let i = 0; i < n; i++) {
    const key = dv.getUint16(descAt + i * 4, true);
    const card = dv.getUint16(descAt + i * 4 + 2, true) + 1;
    if (key <= prevKey) fail(`roaring container keys out of order (${key} after ${prevKey})`, descAt + i * 4);
    prevKey = key;
    if (key * 65536 >= rowLimit) outOfRange(`roaring container ${i} holds values from ${key * 65536}, but the fragment has ${rowLimit} rows`, descAt + i * 4);
    if (offsetsAt !== undefined) {
      const declared = dv.getUint32(offsetsAt + i * 4, true);
      if (declared !== p) fail(`roaring container ${i} offset ${declared} does not match its position ${p}`, offsetsAt + i * 4);
    }
    const run = runFlags ? (runFlags[i >>> 3]! >>> (i & 7)) & 1 : 0;
    let kind: ContainerPlan['kind'];
    let size: number;
    let maxLow: number;
    if (run) {
      kind = 'run';
      need(p, 2);
      const nRuns = dv.getUint16(p, true);
      need(p + 2, nRuns * 4);
      let got = 0;
      let end = 0; // one past the previous run, so runs must be sorted and disjoint
      for (let r = 0; r < nRuns; r++) {
        const start = dv.getUint16(p + 2 + r * 4, true);
        const len = dv.getUint16(p + 4 + r * 4, true) + 1;
        if (start < end || start + len > 65536) fail(`roaring run ${r} of container ${i} overlaps or overflows its key`, p + 2 + r * 4);
        end = start + len;
        got += len;
      }
      if (got !== card) fail(`roaring run container holds ${got} values, header says ${card}`, p);
      size = 2 + nRuns * 4;
      maxLow = end - 1;
    } else if (card > ARRAY_MAX) {
      kind = 'bitmap';
      need(p, BITMAP_BYTES);
      let got = 0;
      for (let w = 0; w < BITMAP_BYTES; w += 4) {
        let x = dv.getUint32(p + w, true);
        x -= (x >>> 1) & 0x55555555;
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        got += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
      }
      if (got !== card) fail(`roaring bitmap container holds ${got} values, header says ${card}`, p);
      let last = BITMAP_BYTES - 1;
      while (bytes[p + last] === 0) last--;
      maxLow = last * 8 + 31 - Math.clz32(bytes[p + last]!);
      size = BITMAP_BYTES;
    } else {
      kind = 'array';
      need(p, card * 2);
      size = card * 2;
      maxLow = dv.getUint16(p + size - 2, true);
    }
    if (key * 65536 + maxLow >= rowLimit) outOfRange(`roaring container ${i} holds value ${key * 65536 + maxLow}, but the fragment has ${rowLimit} rows`, p);
    plan.push({ key, card, kind, at: p });
    total += card;
    p += size;
  }
  if (limits.expectedCount !== undefined && total !== limits.expectedCount) {
    fail(`roaring bitmap holds ${total} values, the manifest says ${limits.expectedCount}`, 0);
  }

  // Pass 2: the header is consistent and bounded; build the values.
  const out = new Uint32Array(total);
  let w = 0;
  for (const c of plan) {
    const high = c.key * 65536;
    const q = c.at;
    if (c.kind === 'run') {
      const nRuns = dv.getUint16(q, true);
      for (let r = 0; r < nRuns; r++) {
        const start = high + dv.getUint16(q + 2 + r * 4, true);
        const len = dv.getUint16(q + 4 + r * 4, true) + 1;
        for (let k = 0; k < len; k++) out[w++] = start + k;
      }
    } else if (c.kind === 'bitmap') {
      for (let b = 0; b < BITMAP_BYTES; b++) {
        let byte = bytes[q + b]!;
        while (byte) {
          const bit = 31 - Math.clz32(byte & -byte);
          out[w++] = high + b * 8 + bit;
          byte &= byte - 1;
        }
      }
    } else {
      const from = w;
      for (let k = 0; k < c.card; k++) out[w++] = high + dv.getUint16(q + k * 2, true);
      for (let k = from + 1; k < w; k++) if (out[k]! <= out[k - 1]!) fail('roaring array container values are not strictly increasing', q);
    }
  }
  return out;
}
