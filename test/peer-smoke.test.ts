import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { peerCreate, peerScan, plainRows } from './helpers/lance-peer.js';

describe('Lance 12 peer harness', () => {
  it('round-trips a table through the real Lance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lancet-peer-'));
    const t = arrow.tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), name: ['a', 'b', 'c'] });
    await peerCreate(dir, 't', t);
    const back = await peerScan(join(dir, 't.lance'), { withRowId: true });
    expect(plainRows(back)).toEqual([
      { id: '1', name: 'a', _rowid: '0' },
      { id: '2', name: 'b', _rowid: '1' },
      { id: '3', name: 'c', _rowid: '2' },
    ]);
  });
});
