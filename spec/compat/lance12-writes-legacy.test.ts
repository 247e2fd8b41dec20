// Lance 12 still writes the legacy v1 file format (storage version 'legacy' = 0.1); lancet reads
// it back as Lance 12 does, including v1's lack of validity (a nullable string stored empty reads
// as null, other nulls read as values).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/dataset/index.js';
import { peerCreate, peerScan, plainRows } from '../../test/helpers/lance-peer.js';
import { mixedTable } from './mixed-table.js';

describe('legacy v1 files written by Lance 12', () => {
  it('lancet reads every column of a legacy dataset as Lance 12 does, over whole scans and row ranges', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-v1-'));
    try {
      const n = 2000;
      await peerCreate(root, 't', mixedTable(n), { newTableDataStorageVersion: 'legacy' });
      const t = await (await connect(root)).openTable('t');
      expect((await t.dataset()).fileVersion).toBe('0.1');
      const theirs = plainRows(await peerScan(join(root, 't.lance')));
      const ours = plainRows(await t.toArrow());
      expect(ours.length).toBe(n);
      for (let i = 0; i < n; i += 97) expect(ours[i]).toEqual(theirs[i]);
      expect(ours).toEqual(theirs);
      const picked = [0n, 1n, 1023n, 1024n, 1999n];
      expect(plainRows(await t.takeRowAddresses(picked))).toEqual(picked.map((i) => theirs[Number(i)]));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
