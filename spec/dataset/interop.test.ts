import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { peerCreate, peerOpen, peerScan, plainRows, toPeerTable } from '../../test/helpers/lance-peer.js';

const sortById = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));

describe('interop with Lance 12', () => {
  it('Lance 12 reads every version lancet writes, with the same rows and row ids', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-io-'));
    const db = await connect(root);
    const n = 3000;
    const t = await db.createTable(
      't',
      arrow.tableFromArrays({ id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), score: Float64Array.from({ length: n }, (_, i) => i / 7), name: Array.from({ length: n }, (_, i) => `row-${i}`) }),
    );
    await t.add(Array.from({ length: 100 }, (_, i) => ({ id: BigInt(n + i), score: 0.5, name: null })));
    await t.delete('id < 10 OR id = 3050');
    await t.delete('id >= 1000 AND id < 2000');
    await t.add([{ id: 9999n, score: 1, name: 'last' }]);
    await t.restore(2);
    const path = join(root, 't.lance');
    for (let v = 1; v <= 6; v++) {
      await t.checkout(v);
      const ours = plainRows(await t.query().withRowAddress().toArrow()).map(({ _rowaddr, ...r }) => ({ ...r, _rowid: _rowaddr }));
      const theirs = plainRows(await peerScan(path, { version: v, withRowId: true }));
      expect(sortById(theirs)).toEqual(sortById(ours));
    }
    const lance = await peerOpen(path);
    expect(await lance.countRows()).toBe(n + 100);
    expect(await lance.countRows('id >= 3000')).toBe(100);
    expect((await lance.listVersions()).length).toBe(6);
  });

  it('lancet reads what Lance 12 writes, appends on top, and Lance reads that', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-io-'));
    const path = join(root, 'p.lance');
    await peerCreate(root, 'p', utf8Table(Array.from({ length: 50 }, (_, i) => BigInt(i)), Array.from({ length: 50 }, (_, i) => `l${i % 3}`)));
    const lance = await peerOpen(path);
    await lance.add(toPeerTable(utf8Table(Array.from({ length: 20 }, (_, i) => BigInt(50 + i)), Array.from({ length: 20 }, (_, i) => `new-${i}`))));
    await lance.delete('id < 10');
    await lance.delete("label = 'l1' AND id < 30");

    const db = await connect(root);
    const t = await db.openTable('p');
    expect(await t.version()).toBe(4);
    for (let v = 1; v <= 4; v++) {
      await t.checkout(v);
      const ours = plainRows(await t.query().withRowAddress().toArrow()).map(({ _rowaddr, ...r }) => ({ ...r, _rowid: _rowaddr }));
      expect(sortById(ours)).toEqual(sortById(plainRows(await peerScan(path, { version: v, withRowId: true }))));
    }
    await t.checkoutLatest();
    await t.add([{ id: 1000n, label: 'ours' }]);
    await t.delete('id = 60');
    const after = plainRows(await peerScan(path));
    expect(after.some((r) => r.id === '1000' && r.label === 'ours')).toBe(true);
    expect(after.some((r) => r.id === '60')).toBe(false);
    expect(after.length).toBe(await t.countRows());
    // Lance keeps writing on top of lancet's versions.
    const lance2 = await peerOpen(path);
    await lance2.delete('id = 1000');
    expect(await t.countRows()).toBe(after.length - 1);
  });
});

function utf8Table(ids: bigint[], labels: string[]): arrow.Table {
  return new arrow.Table({ id: arrow.vectorFromArray(BigInt64Array.from(ids)), label: arrow.vectorFromArray(labels, new arrow.Utf8()) });
}
