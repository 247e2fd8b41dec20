// Distinct byte strings of a page, numbered in first-seen order, through an open-addressing hash
// table over the bytes themselves: no per-value JS strings, so cardinality checks and dictionary
// building stay cheap on pages of hundreds of thousands of values.

export interface DistinctValues {
  /** Per value, the number of its distinct value (first-seen order). */
  ids: Uint32Array;
  /** Per distinct value, the first value index holding it. */
  firsts: number[];
}

// Each slot holds [hash, id + 1, start, length] of its value side by side, so a probe touches
// one cache line of the table plus the bytes it compares (pages are far larger than the caches).
const STRIDE = 4;

/**
 * Numbers the `n` values `data[offsets[i] .. offsets[i + 1])`. Returns undefined as soon as
 * more than `limit` distinct values are seen (callers use it to stop counting early).
 */
export function distinctValues(data: Uint8Array, offsets: Float64Array, limit = Infinity): DistinctValues | undefined {
  const n = offsets.length - 1;
  let cap = 16;
  while (cap < 2 * Math.min(n, limit + 1)) cap *= 2;
  let table = new Int32Array(cap * STRIDE);
  let mask = cap - 1;
  const firsts: number[] = [];
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Integer (not double) indices keep the byte loops on V8's fast path; pages are < 2 GiB.
    const s = offsets[i]! | 0;
    const len = (offsets[i + 1]! | 0) - s;
    // FNV-1a, then the murmur3 finalizer: FNV's low bits, used for the slot, mix poorly.
    let h = 0x811c9dc5 ^ len;
    for (let k = s; k < s + len; k++) h = Math.imul(h ^ data[k]!, 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let at = (h & mask) * STRIDE;
    let id = -1;
    for (;;) {
      const tag = table[at + 1]!;
      if (tag === 0) break;
      if (table[at] === h && table[at + 3] === len && sameBytes(data, table[at + 2]!, s, len)) {
        id = tag - 1;
        break;
      }
      at = (at + STRIDE) & (mask * STRIDE + STRIDE - 1);
    }
    if (id < 0) {
      id = firsts.length;
      if (id >= limit) return undefined;
      firsts.push(i);
      table[at] = h;
      table[at + 1] = id + 1;
      table[at + 2] = s;
      table[at + 3] = len;
      if (firsts.length * 2 > cap) {
        // Keep the load factor under one half.
        const old = table;
        cap *= 2;
        mask = cap - 1;
        table = new Int32Array(cap * STRIDE);
        for (let p = 0; p < old.length; p += STRIDE) {
          if (old[p + 1] === 0) continue;
          let q = (old[p]! & mask) * STRIDE;
          while (table[q + 1] !== 0) q = (q + STRIDE) & (mask * STRIDE + STRIDE - 1);
          table.set(old.subarray(p, p + STRIDE), q);
        }
      }
    }
    ids[i] = id;
  }
  return { ids, firsts };
}

function sameBytes(data: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (data[a + k] !== data[b + k]) return false;
  return true;
}

/** Offsets of `n` values of `width` bytes laid end to end. */
export function fixedOffsets(n: number, width: number): Float64Array {
  const o = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) o[i] = i * width;
  return o;
}
