// Reads made for a table stay inside that table's directory, not merely inside the connection
// root: a sidecar or data file of table a symlinked to table b's file (a sibling under the same
// root) is refused, as a link out of the root is, on every read path and through the SQL layer.
import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as arrow from 'apache-arrow';
import { connect, blobField } from '../../src/index.js';
import { runCli } from '../../src/cli/main.js';
import { LocalStore } from '../../src/io/local-store.js';

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 100 })]);
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function files(table: string): Promise<{ data: string; sidecar: string }> {
  const dataDir = join(root, `${table}.lance`, 'data');
  const entries = await fs.readdir(dataDir, { withFileTypes: true });
  const dir = entries.find((d) => d.isDirectory())!.name;
  const data = join(dataDir, entries.find((d) => d.isFile() && d.name.endsWith('.lance'))!.name);
  return { data, sidecar: join(dataDir, dir, (await fs.readdir(join(dataDir, dir)))[0]!) };
}

async function relink(link: string, target: string): Promise<void> {
  await fs.rm(link);
  await fs.symlink(target, link);
}

const escape = expect.objectContaining({ code: 'SYMLINK_OUTSIDE_ROOT' });

it("table a's sidecar and data file symlinked to table b's files are refused on every read path", async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-xtable-'));
  const db = await connect(root);
  await db.createTable('a', [{ id: 0, img: new Uint8Array(500).fill(1) }], { schema });
  await db.createTable('b', [{ id: 0, img: new Uint8Array(500).fill(2) }], { schema });
  // Not read before its data file is swapped (open read handles outlive a swap for a second).
  await db.createTable('c', [{ id: 0, img: new Uint8Array(500).fill(3) }], { schema });
  const a = await files('a');
  const b = await files('b');
  const addr = ((await (await db.openTable('a')).query().withRowAddress().toArray()) as { _rowaddr: bigint }[])[0]!._rowaddr;

  await relink(a.sidecar, b.sidecar);
  const t = await (await connect(root)).openTable('a');
  await expect(t.fetchBlobs('img', [addr])).rejects.toEqual(escape);
  const [f] = await t.fetchBlobFiles('img', [addr]);
  await expect(f!.read()).rejects.toEqual(escape);
  await expect((async () => {
    for await (const _ of f!.stream()) void _;
  })()).rejects.toEqual(escape);
  // A store handed to connect() (here, one rooted at the connection root) confines the same way.
  const viaStore = await (await connect(root, { store: new LocalStore(root) })).openTable('a');
  await expect(viaStore.fetchBlobs('img', [addr])).rejects.toEqual(escape);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  const code = await runCli(['blob', 'cat', join(root, 'a.lance'), '--column', 'img', '--row', String(addr)], { stdout, stderr, stdin: new PassThrough(), env: {} });
  expect(code).not.toBe(0);
  expect(err).toContain('SYMLINK_OUTSIDE_ROOT');

  await relink((await files('c')).data, b.data);
  const t2 = await (await connect(root)).openTable('c');
  await expect(t2.query().toArray()).rejects.toEqual(escape);
  // Table b itself reads as before.
  const tb = await (await connect(root)).openTable('b');
  expect((await tb.query().toArray()).length).toBe(1);
});

it('head() does not size a file through a link out of the read root', async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-xhead-'));
  await fs.mkdir(join(root, 'a.lance'));
  await fs.mkdir(join(root, 'b.lance'));
  await fs.writeFile(join(root, 'b.lance', 'f.bin'), new Uint8Array(12345));
  await fs.symlink(join(root, 'b.lance', 'f.bin'), join(root, 'a.lance', 'f.bin'));
  const store = new LocalStore(root);
  expect((await store.head('a.lance/f.bin')).size).toBe(12345); // inside the store root
  await expect(store.withReadRoot('a.lance').head('a.lance/f.bin')).rejects.toEqual(escape);
  await expect(new LocalStore(join(root, 'a.lance')).head('f.bin')).rejects.toEqual(escape);
});

it('lancet verify reports an external blob outside the dataset instead of reading it', async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-xverify-'));
  const outsideFile = join(root, 'outside.bin');
  await fs.writeFile(outsideFile, new Uint8Array(64));
  const db = await connect(join(root, 'db'));
  await db.createTable('t', [{ id: 0, img: outsideFile }], { schema, blob: { allowExternalOutsideBases: true } } as never);
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const code = await runCli(['verify', join(root, 'db', 't.lance'), '--deep', '--json'], { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {} });
  expect(code).not.toBe(0);
  expect(out).toContain('EXTERNAL_BLOB_OUTSIDE_DATASET');
  // Named by --external-root, as blob cat would read it, it is checked and healthy.
  const allowed = new PassThrough();
  const ok = await runCli(['verify', join(root, 'db', 't.lance'), '--deep', '--json', '--external-root', root], { stdout: allowed, stderr: new PassThrough(), stdin: new PassThrough(), env: {} });
  expect(ok).toBe(0);
});
