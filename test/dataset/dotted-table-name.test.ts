// LanceDB takes a table name literally: openTable('0.13.0_string_encoding') opens
// <root>/0.13.0_string_encoding.lance (namespaces are a separate argument there). lancet reads a
// dotted name as namespace parts; an existing table of that literal name opens first, as in LanceDB.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/dataset/index.js';
import { lancedb, fromPeerTable, plainRows } from '../helpers/lance-peer.js';

const HISTORICAL = join(import.meta.dirname, '../fixtures/lance-compat/historical_datasets/0.13.0_string_encoding.lance');

describe('table names with dots', () => {
  it('opens <root>/<name>.lance for a dotted name as LanceDB does, and still reaches namespaced tables', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-dots-'));
    try {
      cpSync(HISTORICAL, join(root, '0.13.0_string_encoding.lance'), { recursive: true });
      const db = await connect(root);
      const t = await db.openTable('0.13.0_string_encoding');
      const theirs = plainRows(fromPeerTable(await (await (await lancedb.connect(root)).openTable('0.13.0_string_encoding')).query().toArrow()));
      expect(theirs.length).toBe(3);
      expect(plainRows(await t.toArrow())).toEqual(theirs);
      await db.createTable('ns.b', [{ x: 2 }]);
      expect(plainRows(await (await db.openTable('ns.b')).toArrow())).toEqual([{ x: 2 }]);
      expect(await db.tableNames()).toEqual(['0.13.0_string_encoding', 'ns.b']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
