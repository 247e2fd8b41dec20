// The per-row placement rule of Blob V2, as pure functions so they can be property-tested
// against the thresholds and reused by every writer path (bytes, streams, references).
import type { BlobThresholds } from './thresholds.js';

/** Numeric kinds stored in the descriptor; durable file-format values. */
export const BlobKind = { Inline: 0, Packed: 1, Dedicated: 2, External: 3 } as const;
export type BlobKind = (typeof BlobKind)[keyof typeof BlobKind];

export type StoredLayout = 'inline' | 'packed' | 'dedicated';
export type BlobLayout = 'null' | StoredLayout | 'external';

/** Where a payload of `size` bytes goes. Strict '>' comparisons, dedicated checked first. */
export function layoutForSize(size: number, t: BlobThresholds): StoredLayout {
  if (size > t.dedicated) return 'dedicated';
  if (size > t.inline) return 'packed';
  return 'inline';
}

/** What the layout rule sees of one input value. */
export type LayoutInput = null | { size: number } | { uri: string };

export function chooseBlobLayout(value: LayoutInput, t: BlobThresholds): BlobLayout {
  if (value === null) return 'null';
  if ('uri' in value) return 'external';
  return layoutForSize(value.size, t);
}

export function kindOfLayout(layout: StoredLayout | 'external'): BlobKind {
  switch (layout) {
    case 'inline':
      return BlobKind.Inline;
    case 'packed':
      return BlobKind.Packed;
    case 'dedicated':
      return BlobKind.Dedicated;
    case 'external':
      return BlobKind.External;
  }
}

/**
 * Whether a packed payload of `next` bytes must start a new pack sidecar: there is no open pack,
 * or appending would take the open one past the pack threshold. A payload bigger than the
 * threshold still lands in a (fresh) pack of its own.
 */
export function needsNewPack(currentPackSize: number | null, next: number, packThreshold: number): boolean {
  return currentPackSize === null || currentPackSize + next > packThreshold;
}

/** Simulates pack assignment for a sequence of packed payload sizes: the pack index of each. */
export function assignPacks(sizes: readonly number[], packThreshold: number): number[] {
  let current: number | null = null;
  let pack = -1;
  return sizes.map((s) => {
    if (needsNewPack(current, s, packThreshold)) {
      pack++;
      current = 0;
    }
    current = (current ?? 0) + s;
    return pack;
  });
}
