// The demo's products: deterministic rows whose images span all three stored blob kinds under
// the default thresholds (inline ≤ 64 KiB, packed ≤ 4 MiB, dedicated above). Image bytes are a
// PNG signature and IHDR-like header followed by seeded PRNG bytes, so no network is needed and
// every run writes identical payloads.
import * as arrow from 'apache-arrow';
import { blobField } from '../../format/blob/blob-field.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CATEGORIES = ['tools', 'kitchen', 'garden', 'toys'];

export const DEMO_ROWS = 120;

export function productSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('name', new arrow.Utf8(), false),
    new arrow.Field('category', new arrow.Utf8(), false),
    new arrow.Field('label', new arrow.Utf8(), true),
    new arrow.Field('price', new arrow.Float64(), false),
    blobField('image'),
  ]);
}

/** Image size of product `id`: every 40th is large, every 6th medium, id 7 has none. */
export function imageSize(id: number): number | null {
  if (id === 7) return null;
  if (id % 40 === 0) return 4 * MiB + 300 * KiB + id * 1000;
  if (id % 6 === 0) return 70 * KiB + ((id * 7919) % (630 * KiB));
  return 1 * KiB + ((id * 104729) % (47 * KiB));
}

/** Deterministic image bytes: header, then xorshift32 noise seeded by the id. */
export function imageBytes(id: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >>> 2);
  let x = (id * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = (id + i) & 0xff;
  const header = [...PNG_SIGNATURE, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, (id >> 8) & 0xff, id & 0xff];
  out.set(header.slice(0, size));
  return out;
}

export function categoryOf(id: number): string {
  return id % 5 === 0 ? 'seasonal' : CATEGORIES[id % 4]!;
}

export function productRows(n = DEMO_ROWS): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) => {
    const id = k + 1;
    const size = imageSize(id);
    return { id, name: `product-${String(id).padStart(3, '0')}`, category: categoryOf(id), label: 'active', price: ((id * 7919) % 10000) / 100, image: size === null ? null : imageBytes(id, size) };
  });
}

/** Label corrections for the MERGE step (id 999 matches nothing and is ignored). */
export function labelFixes(): Record<string, unknown>[] {
  return [
    { id: 3, label: 'refurbished' },
    { id: 17, label: 'clearance' },
    { id: 64, label: 'bundle' },
    { id: 999, label: 'ghost' },
  ];
}

export function labelFixSchema(): arrow.Schema {
  return new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('label', new arrow.Utf8(), true)]);
}
