import { it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { peerOpen } from '../../test/helpers/lance-peer.js';
import { connect } from '../../src/dataset/index.js';
it('Lance reads lancet tags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-'));
  const db = await connect(dir);
  const t = await db.createTable('t', arrow.tableFromArrays({ id: Int32Array.from([1]) }));
  await t.add(arrow.tableFromArrays({ id: Int32Array.from([2]) }));
  await t.tags.create('first', 1);
  const p = await peerOpen(join(dir, 't.lance'));
  const tags = await p.tags();
  expect(Object.keys(await tags.list())).toEqual(['first']);
  await p.checkout('first');
  expect(await p.countRows()).toBe(1);
});
