import type { ByteRange } from './object-store.js';

/** One request to issue: a covering range and the requested ranges it serves. */
export interface CoalescedRead {
  start: number;
  end: number;
  /** Indices into the original request list. */
  members: number[];
}

/**
 * Merges requested ranges whose gap is at most `maxGap` bytes into single reads, as long as a
 * merged read stays under `maxRead` bytes. Planning happens before any I/O so that one pass
 * over a file issues the fewest requests without reading much that was not asked for.
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap = 64 * 1024, maxRead = 16 * 1024 * 1024): CoalescedRead[] {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]![0] - ranges[b]![0] || ranges[a]![1] - ranges[b]![1]);
  const out: CoalescedRead[] = [];
  let cur: CoalescedRead | undefined;
  for (const i of order) {
    const [s, e] = ranges[i]!;
    if (cur && s <= cur.end + maxGap && Math.max(cur.end, e) - cur.start <= maxRead) {
      cur.end = Math.max(cur.end, e);
      cur.members.push(i);
    } else {
      cur = { start: s, end: e, members: [i] };
      out.push(cur);
    }
  }
  return out;
}

/** Issues the coalesced reads through `read` and slices each requested range out of them. */
export async function readCoalesced(
  ranges: readonly ByteRange[],
  read: (start: number, end: number) => Promise<Uint8Array>,
  maxGap?: number,
): Promise<Uint8Array[]> {
  const plan = coalesceRanges(ranges, maxGap);
  const out: Uint8Array[] = new Array(ranges.length);
  await Promise.all(
    plan.map(async (c) => {
      const buf = await read(c.start, c.end);
      for (const i of c.members) {
        const [s, e] = ranges[i]!;
        out[i] = buf.subarray(s - c.start, e - c.start);
      }
    }),
  );
  return out;
}
