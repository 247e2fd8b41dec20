// Hostile deletion files: small files whose headers claim huge contents must be refused from the
// header alone — fast, with bounded memory — and never allocate what they claim.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { decodeRoaring, encodeRoaring } from '../../src/format/table/roaring.js';
import { decodeDeletionArrow, encodeDeletionArrow } from '../../src/format/table/deletion-arrow.js';
import { LanceFormatError } from '../../src/errors.js';
import { runContainerBomb, zstdBombDeletionArrow, repeatedBlockDeletionArrow } from './hostile-bytes.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lancet-hostile-del-'));

/** Runs `f`, expecting a LanceFormatError; returns elapsed ms and array-buffer growth in bytes. */
async function refused(f: () => unknown): Promise<{ ms: number; grew: number; error: LanceFormatError }> {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let error: unknown;
  try {
    await f();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  const grew = process.memoryUsage().arrayBuffers - before;
  expect(error).toBeInstanceOf(LanceFormatError);
  return { ms, grew, error: error as LanceFormatError };
}

describe('hostile roaring deletion files', () => {
  it('a 57 KB run-container file claiming 262 M rows is refused in milliseconds', async () => {
    const bomb = runContainerBomb(4000);
    expect(bomb.length).toBeLessThan(60_000);
    const r = await refused(() => decodeRoaring(bomb, 'bomb.bin', { rowLimit: 1000 }));
    expect(r.ms).toBeLessThan(200);
    expect(r.grew).toBeLessThan(16 << 20);
    expect(r.error.message).toMatch(/bomb\.bin/);
  });

  it('refuses values at or past the fragment row count, and cardinalities the bytes cannot hold', async () => {
    await refused(() => decodeRoaring(encodeRoaring([1, 5, 999]), 'a.bin', { rowLimit: 999 }));
    expect(Array.from(decodeRoaring(encodeRoaring([1, 5, 998]), 'a.bin', { rowLimit: 999 }))).toEqual([1, 5, 998]);
    // An array container whose header claims 4096 values but whose file holds two.
    const small = encodeRoaring([7, 9]);
    const dv = new DataView(small.buffer);
    dv.setUint16(10, 4095, true);
    await refused(() => decodeRoaring(small, 'b.bin'));
    // A declared count that disagrees with the header is refused before any values are built.
    await refused(() => decodeRoaring(encodeRoaring([1, 2, 3]), 'c.bin', { expectedCount: 4 }));
  });

  it('a dataset whose .bin deletion file is a run-container bomb fails its scan with a typed error, fast', async () => {
    const dir = tmp();
    const db = await connect(dir);
    const t = await db.createTable('t', arrow.tableFromArrays({ id: Int32Array.from({ length: 6000 }, (_, i) => i) }));
    await t.delete('id < 5500');
    const delDir = join(dir, 't.lance', '_deletions');
    const bin = readdirSync(delDir).find((n) => n.endsWith('.bin'))!;
    expect(bin).toBeDefined();
    writeFileSync(join(delDir, bin), runContainerBomb(4000));
    const r = await refused(() => t.query().toArrow());
    expect(r.ms).toBeLessThan(1000);
    expect(r.grew).toBeLessThan(64 << 20);
    expect(r.error.message).toContain(bin);
  });
});

describe('hostile Arrow IPC deletion files', () => {
  it('a ZSTD buffer claiming gigabytes is refused before decompressing', async () => {
    const r = await refused(() => decodeDeletionArrow(zstdBombDeletionArrow(1 << 30), 'z.arrow', { rowLimit: 100 }));
    expect(r.ms).toBeLessThan(200);
    expect(r.grew).toBeLessThan(16 << 20);
  });

  it('many footer blocks pointing at one batch cannot multiply its rows past the fragment', async () => {
    const file = repeatedBlockDeletionArrow(Array.from({ length: 1000 }, (_, i) => i), 2000);
    const r = await refused(() => decodeDeletionArrow(file, 'rep.arrow', { rowLimit: 5000 }));
    expect(r.ms).toBeLessThan(200);
  });

  it('refuses offsets at or past the fragment row count', async () => {
    await refused(() => decodeDeletionArrow(encodeDeletionArrow([3, 10]), 'o.arrow', { rowLimit: 10 }));
    expect(Array.from(decodeDeletionArrow(encodeDeletionArrow([3, 9]), 'o.arrow', { rowLimit: 10 }))).toEqual([3, 9]);
  });
});
