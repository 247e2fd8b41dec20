// Lance's test_data readme: manifests written before writer_version was recorded (Lance < 0.8.x)
// may carry wrong Fragment.physical_rows (v0.8.0/migrated_from_v0.7.5 stored the row count after
// deletions); readers must take the row count from the data file instead. And datasets from
// before physical_rows existed (v0.7.5) count their rows from the files too.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, openDataset, countRows, scanDataset } from '../../src/dataset/index.js';
import { peerOpen } from '../helpers/lance-peer.js';

const CORPUS = join(import.meta.dirname, '../fixtures/lance-compat/test_data');

async function xs(uri: string, version: number): Promise<number[]> {
  const out: number[] = [];
  for await (const b of scanDataset(await openDataset(uri, { version }), {})) for (const v of b.getChild('x')!) out.push(Number(v));
  return out;
}

describe('row counts Lance says not to trust', () => {
  it('a manifest without writer_version: physical_rows come from the data files (v0.8.0 migration wrote 90 for 100)', async () => {
    const uri = join(CORPUS, 'v0.8.0/migrated_from_v0.7.5');
    const ds = await openDataset(uri, { version: 3 });
    expect(await countRows(ds)).toBe(92);
    const rows = await xs(uri, 3);
    expect(rows.length).toBe(92);
    expect(rows.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows.slice(10, 12)).toEqual([20, 21]);
    expect(rows.slice(-3)).toEqual([99, 0, 1]);
  });

  it('fragments with no physical_rows and deletion files with no count are counted from the files', async () => {
    const uri = join(CORPUS, 'v0.7.5/with_deletions');
    expect(await countRows(await openDataset(uri, { version: 1 }))).toBe(100);
    expect(await countRows(await openDataset(uri, { version: 2 }))).toBe(90);
    expect((await xs(uri, 2)).length).toBe(90);
  });

  it('a commit on such a dataset does not hand the wrong counts on under lancet\'s writer_version (Lance 12 counts 92 after a rename, 91 after one delete)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-stats-'));
    try {
      cpSync(join(CORPUS, 'v0.8.0/migrated_from_v0.7.5'), join(root, 'm.lance'), { recursive: true });
      const t = await (await connect(root)).openTable('m');
      // A metadata-only commit carries every fragment over from the previous manifest.
      await t.alterColumns([{ path: 'x', rename: 'y' }]);
      expect(await (await peerOpen(join(root, 'm.lance'))).countRows()).toBe(92);
      await t.delete('y = 50');
      expect(await t.countRows()).toBe(91);
      expect(await (await peerOpen(join(root, 'm.lance'))).countRows()).toBe(91);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
