// A manifest's physical_rows decides how many rows a fragment scan yields; a hostile value must be
// caught against the data file before it drives a scan (or a deletion-vector allocation).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { decodeManifestFile, encodeManifestFile } from '../../src/format/table/manifest-file.js';
import { LanceFormatError } from '../../src/errors.js';
import { runContainerBomb } from './hostile-bytes.js';

/** Rewrites the latest manifest of `<root>/t.lance` in place. */
function patchLatestManifest(root: string, f: (m: ReturnType<typeof decodeManifestFile>['manifest']) => void): void {
  const dir = join(root, 't.lance', '_versions');
  const name = readdirSync(dir).filter((n) => n.endsWith('.manifest')).sort()[0]!; // v2 names: newest sorts first
  const d = decodeManifestFile(readFileSync(join(dir, name)), name);
  f(d.manifest);
  writeFileSync(join(dir, name), encodeManifestFile(d.manifest, d.transaction, d.indexSection));
}

async function failsFast(run: () => Promise<unknown>): Promise<LanceFormatError> {
  const t0 = performance.now();
  const err = await run().then(() => undefined, (e: unknown) => e);
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(err).toBeInstanceOf(LanceFormatError);
  return err as LanceFormatError;
}

describe('hostile physical_rows', () => {
  it('a fragment claiming 2^40 rows, scanned for a column no data file holds, fails instead of emitting nulls forever', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-phys-'));
    const t = await (await connect(root)).createTable('t', arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) }));
    await t.addColumns([new arrow.Field('n', new arrow.Float64(), true)]);
    patchLatestManifest(root, (m) => void (m.fragments[0]!.physicalRows = 1n << 40n));
    const t2 = await (await connect(root)).openTable('t');
    const err = await failsFast(() => t2.query().select(['n']).toArrow());
    expect(err.code).toBe('BAD_FRAGMENT');
  }, 10_000);

  it('a fragment claiming 2^32 rows with a run-container bomb as deletion file fails before the bomb is expanded', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-phys-'));
    const t = await (await connect(root)).createTable('t', arrow.tableFromArrays({ id: Int32Array.from({ length: 6000 }, (_, i) => i) }));
    await t.delete('id < 5500');
    const delDir = join(root, 't.lance', '_deletions');
    writeFileSync(join(delDir, readdirSync(delDir)[0]!), runContainerBomb(8000));
    patchLatestManifest(root, (m) => {
      m.fragments[0]!.physicalRows = 1n << 32n;
      m.fragments[0]!.deletionFile!.numDeletedRows = 0n;
    });
    const before = process.memoryUsage().arrayBuffers;
    const t2 = await (await connect(root)).openTable('t');
    const err = await failsFast(() => t2.query().toArrow());
    expect(err.code).toBe('BAD_FRAGMENT');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  }, 20_000);
});
