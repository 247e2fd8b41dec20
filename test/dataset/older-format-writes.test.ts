// lancet reads file formats 2.0 and v1 (0.1) but writes only 2.1 / 2.2. Writes that need new data
// files in such a dataset are refused up front with a typed error that says how to move on;
// writes that need none (deletes) work, and Lance 12 reads the result.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, InvalidInputError } from '../../src/index.js';
import { peerOpen } from '../helpers/lance-peer.js';

const CORPUS = join(import.meta.dirname, '../fixtures/lance-compat/test_data');

describe('writes to datasets of older file formats', () => {
  it.each([
    ['2.0', '0.36.0/btree_in_index_pkg.lance', 'x'],
    ['0.1', 'v0.16.0/wrong_data_version_can_fix.lance', 'foo'],
  ])('format %s: appends and updates are refused naming the format and the way out; deletes work', async (format, fixture, column) => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-oldwrite-'));
    try {
      cpSync(join(CORPUS, fixture), join(root, 't.lance'), { recursive: true });
      const t = await (await connect(root)).openTable('t');
      const before = await t.version();
      const rows = await t.countRows();
      for (const write of [() => t.add([{ [column]: 5n }]), () => t.update({ where: `${column} = 1`, values: { [column]: '7' } })]) {
        const err = await write().catch((e) => e);
        expect(err).toBeInstanceOf(InvalidInputError);
        expect(err.code).toBe('UNSUPPORTED_WRITE_FORMAT');
        expect(err.message).toContain(`file format ${format}`);
        expect(err.message).toMatch(/createTable/);
      }
      expect(await t.version()).toBe(before);
      await t.delete(`${column} = 1`);
      expect(await t.countRows()).toBe(rows - 1);
      expect(await (await peerOpen(join(root, 't.lance'))).countRows()).toBe(rows - 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
