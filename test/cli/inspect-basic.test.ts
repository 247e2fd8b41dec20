import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { cli } from './helpers.js';

describe('inspection commands on a lancet-written dataset', () => {
  let root: string;
  let ds: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lancet-cli-'));
    const db = await connect(root);
    const t = await db.createTable('items', arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3, 4]), name: ['a', 'b', 'c', 'd'] }));
    await t.add(arrow.tableFromArrays({ id: Int32Array.from([5]), name: ['e'] }));
    await t.delete('id = 2');
    ds = join(root, 'items.lance');
  });

  it('info reports rows, versions and fragments', async () => {
    const r = await cli(['info', ds, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ version: 3, versions: 3, rows: 4, deletedRows: 1, fragments: 2, dataFiles: 2, fileFormat: '2.2' });
    expect(j.readerFlags).toContain('deletion files');
    const t = await cli(['info', ds]);
    expect(t.out).toContain('rows');
  });

  it('schema, versions, manifest and fragments', async () => {
    const s = JSON.parse((await cli(['schema', ds, '--json'])).out);
    expect(s.fields.map((f: { name: string; id: number }) => [f.name, f.id])).toEqual([['id', 0], ['name', 1]]);
    const v = JSON.parse((await cli(['versions', ds, '--json'])).out);
    expect(v.versions.map((x: { operation: string; rows: number }) => [x.operation, x.rows])).toEqual([['overwrite', 4], ['append', 5], ['delete', 4]]);
    const m = JSON.parse((await cli(['manifest', ds, '--version', '1', '--json'])).out);
    expect(m.manifest.version).toBe('1');
    const f = JSON.parse((await cli(['fragments', ds, '--json'])).out);
    expect(f.fragments[0]).toMatchObject({ id: 0, physicalRows: 4, deletedRows: 1 });
  });

  it('file meta and pages describe the data file', async () => {
    const file = join(ds, 'data', readdirSync(join(ds, 'data')).find((n) => n.endsWith('.lance'))!);
    const meta = JSON.parse((await cli(['file', 'meta', file, '--json'])).out);
    expect(meta).toMatchObject({ version: '2.2', numColumns: 2 });
    const pages = (await cli(['pages', file, '--column', 'name', '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(pages[0].field).toBe('name');
    expect(pages[0].layout).toMatch(/mini-block Variable/);
  });

  it('bad input: one line, typed code, exit 1 or 2', async () => {
    const missing = await cli(['info', join(root, 'nope.lance')]);
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    const usage = await cli(['info']);
    expect(usage.code).toBe(2);
    const notDs = await cli(['info', root]);
    expect(notDs.code).toBe(1);
    expect(notDs.err).toContain('NOT_A_DATASET');
  });
});
