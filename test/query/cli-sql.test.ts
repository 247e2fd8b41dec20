// lancet sql: tables on a TTY-less stream, JSON lines, --stats objects, -f files, stdin, errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { captureIo, productsFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await productsFixture(4);
}, 60_000);

describe('lancet sql', () => {
  it('prints SELECT results as an aligned table', async () => {
    const io = captureIo();
    const code = await runCli(['sql', '--root', f.root, '--namespace', 'lance.db', 'SELECT id, image.size AS size FROM products ORDER BY id'], io);
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['id', 'size']);
    expect(lines.slice(2, 6).map((l) => l.trim().split(/\s+/).map(Number))).toEqual([
      [1, 200],
      [2, 3000],
      [3, 8],
      [4, 200],
    ]);
    expect(lines[6]).toBe('(4 rows)');
  });

  it('--json prints JSON lines and --stats one object per statement', async () => {
    const io = captureIo();
    const code = await runCli(['sql', '--root', f.root, '--json', '--stats', "SELECT id FROM lance.db.products WHERE id < 3 ORDER BY id; UPDATE lance.db.products SET label = 'x' WHERE id = 1"], io);
    expect(code).toBe(0);
    const objs = io.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(objs.slice(0, 2)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(objs[2]).toMatchObject({ kind: 'SELECT', rows: 2, planPayloadBytes: 0 });
    expect(objs[3]).toMatchObject({ kind: 'UPDATE', rowsAffected: 1, payloadBytesRead: 0, payloadBytesWritten: 0 });
    expect(objs[3].bytesWritten).toBeGreaterThan(0);
  });

  it('reads statements from -f and from stdin', async () => {
    const file = nodePath.join(f.root, 'q.sql');
    writeFileSync(file, 'USE lance.db;\nSELECT count(*) AS n FROM products;\n');
    const io = captureIo();
    expect(await runCli(['sql', '--root', f.root, '--json', '-f', file], io)).toBe(0);
    expect(io.out().trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ n: 4 }]);
    const io2 = captureIo('SELECT max(id) AS m FROM lance.db.products');
    expect(await runCli(['sql', '--root', f.root, '--json'], io2)).toBe(0);
    expect(JSON.parse(io2.out().trim())).toEqual({ m: 4 });
  });

  it('reports errors with their code and exits 1; usage errors exit 2', async () => {
    const io = captureIo();
    expect(await runCli(['sql', '--root', f.root, 'SELEC 1'], io)).toBe(1);
    expect(io.err()).toContain('error SQL_PARSE');
    expect(io.err()).toContain('^');
    const io2 = captureIo();
    expect(await runCli(['sql', 'SELECT 1'], io2)).toBe(2);
  });
});

describe('lancet sql on a terminal', () => {
  it('prompts, runs each ;-terminated statement, reports errors and keeps going', async () => {
    const io = captureIo('SELECT count(*) AS n\n  FROM lance.db.products;\nSELEC;\nSELECT 2 AS two;\n');
    (io.stdin as { isTTY?: boolean }).isTTY = true;
    expect(await runCli(['sql', '--root', f.root], io)).toBe(0);
    expect(io.out()).toContain('lancet> ');
    expect(io.out()).toContain('   ...> ');
    expect(io.out()).toMatch(/n\s*\n[─\s]+\n\s*4\s*\n\(1 row\)/);
    expect(io.out()).toMatch(/two\s*\n[─\s]+\n\s*2\s*\n\(1 row\)/);
    expect(io.err()).toContain('error SQL_PARSE');
  });
});
