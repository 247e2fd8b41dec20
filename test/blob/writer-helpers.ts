// Test doubles for the blob writer: an out-of-line sink that lays buffers out 64-aligned in
// memory like the data file writer does, and deterministic payloads.
import type { OutOfLineSink } from '../../src/format/blob/index.js';

export class MemorySink implements OutOfLineSink {
  private parts: { offset: number; bytes: Uint8Array }[] = [];
  private end = 0;
  async appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint> {
    const offset = Math.ceil(this.end / 64) * 64;
    this.parts.push({ offset, bytes: bytes.slice() });
    this.end = offset + bytes.length;
    return BigInt(offset);
  }
  read(position: bigint, size: bigint): Uint8Array {
    const p = Number(position);
    const part = this.parts.find((x) => x.offset === p && x.bytes.length === Number(size));
    if (!part) throw new Error(`no inline buffer at ${p}+${size}`);
    return part.bytes;
  }
}

/** Deterministic payload: row tag then a byte pattern seeded by `seed`. */
export function payload(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function* chunked(bytes: Uint8Array, chunk: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, Math.min(bytes.length, i + chunk));
}

/** Byte equality without vitest's per-element deep compare (slow on megabytes). */
export function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
