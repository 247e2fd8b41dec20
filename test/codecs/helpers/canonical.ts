// Canonical JSON values (as in the golden files) from decoded pages, for fixture and live tests.
import type { DecodedValues } from '../../../src/format/file/reader/compressive.js';
import type { PageValues } from './lance-pages.js';

export type Kind = 'i64' | 'i32' | 'f64' | 'f32' | 'bool' | 'utf8' | 'hex' | { fsl: number };

export function scalar(bytes: Uint8Array, at: number, kind: Kind): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (kind) {
    case 'i64':
      return dv.getBigInt64(at * 8, true).toString();
    case 'i32':
      return dv.getInt32(at * 4, true);
    case 'f64':
      return dv.getFloat64(at * 8, true);
    case 'f32':
      return dv.getFloat32(at * 4, true);
    case 'bool':
      return ((bytes[at >> 3]! >> (at & 7)) & 1) === 1;
    default:
      throw new Error(`scalar of ${JSON.stringify(kind)}`);
  }
}

/** The values of one decoded block as canonical JSON values (one per value slot). */
export function extract(v: DecodedValues, kind: Kind): unknown[] {
  const out: unknown[] = [];
  if (v.kind === 'constant') {
    const one = !v.value ? null : kind === 'hex' ? Buffer.from(v.value).toString('hex') : kind === 'utf8' ? new TextDecoder().decode(v.value) : scalar(v.value, 0, kind);
    for (let i = 0; i < v.numValues; i++) out.push(one);
  } else if (v.kind === 'fixed') {
    for (let i = 0; i < v.numValues; i++) out.push(scalar(v.data, i, kind));
  } else if (v.kind === 'variable') {
    const td = new TextDecoder();
    for (let i = 0; i < v.numValues; i++) {
      const b = v.data.subarray(Number(v.offsets[i]), Number(v.offsets[i + 1]));
      out.push(kind === 'hex' ? Buffer.from(b).toString('hex') : td.decode(b));
    }
  } else if (v.kind === 'fsl' && typeof kind === 'object') {
    const items = extract(v.items, 'f32');
    for (let i = 0; i < v.numValues; i++) out.push(items.slice(i * kind.fsl, (i + 1) * kind.fsl));
  } else {
    throw new Error(`unexpected ${v.kind}`);
  }
  return out;
}

/** Rows of a column: value or null (def level ≠ 0 → null at some layer; the level is returned too). */
export function rowsOf(pages: PageValues[], kind: Kind): Array<{ level: number; value: unknown }> {
  const rows: Array<{ level: number; value: unknown }> = [];
  for (const page of pages) {
    const values = page.values.flatMap((v) => extract(v, kind));
    const dense = page.layout === 'full-zip' && page.values[0]!.kind === 'variable';
    const n = page.levels ? page.levels.length : values.length;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const level = page.levels ? page.levels[i]! : 0;
      if (dense) rows.push({ level, value: level === 0 ? values[k++] : null });
      else rows.push({ level, value: level === 0 ? values[i] : null });
    }
  }
  return rows;
}

