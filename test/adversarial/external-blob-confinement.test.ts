// A dataset is data, possibly someone else's: its blob descriptors may name any file. Reads stay
// inside the dataset root and its registered base paths unless the connection opts in by name,
// and no sidecar or data file is read through a symlink that leaves the dataset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as arrow from 'apache-arrow';
import { connect, blobField, openDataset } from '../../src/index.js';
import { runCli } from '../../src/cli/main.js';
import { confineExternalRead, type BasePathInfo } from '../../src/format/blob/external-uri.js';
import { LocalStore } from '../../src/io/local-store.js';

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 100 })]);

let tmp: string;
let dbRoot: string;
let outside: string;
let secret: Uint8Array;
const addrs = new Map<number, bigint>();

async function rows(db: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const t = await db.openTable('t');
  for (const r of (await t.query().withRowAddress().toArray()) as { id: number; _rowaddr: bigint }[]) addrs.set(r.id, r._rowaddr);
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lancet-confine-'));
  dbRoot = join(tmp, 'db');
  outside = join(tmp, 'outside');
  await fs.mkdir(outside);
  secret = new Uint8Array(64).map((_, i) => i + 1);
  await fs.writeFile(join(outside, 'secret.bin'), secret);
  const db = await connect(dbRoot);
  // Writing absolute URIs needs the writer's own opt-in; reading them is what is under test.
  await db.createTable(
    't',
    [
      { id: 0, img: `file://${outside}/secret.bin` },
      { id: 1, img: `${outside}/secret.bin` },
      { id: 2, img: 'file:///etc/passwd' },
      { id: 3, img: '/etc/passwd' },
      { id: 4, img: new Uint8Array(500).fill(4) }, // a dedicated sidecar
    ],
    { schema, blob: { allowExternalOutsideBases: true } } as never,
  );
  await rows(db);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const refused = expect.objectContaining({ code: 'EXTERNAL_BLOB_OUTSIDE_DATASET', message: expect.stringContaining('externalBlobRoots') });

describe('external blob reads', () => {
  it('file:///etc/passwd, absolute paths and file:// URIs outside the dataset are refused without an opt-in', async () => {
    const t = await (await connect(dbRoot)).openTable('t');
    for (const id of [0, 1, 2, 3]) {
      await expect(t.fetchBlobs('img', [addrs.get(id)!]), `id ${id}`).rejects.toEqual(refused);
      await expect(t.fetchBlobFiles('img', [addrs.get(id)!]), `id ${id}`).rejects.toEqual(refused);
      await expect(t.copyBlobs('img', [addrs.get(id)!]), `id ${id}`).rejects.toEqual(refused);
    }
    const ds = await openDataset(join(dbRoot, 't.lance'));
    expect(ds.loc.externalBlobs).toBeUndefined();
    // The dataset's own payloads are unaffected.
    expect((await t.fetchBlobs('img', [addrs.get(4)!]))[0]!.length).toBe(500);
  });

  it('externalBlobRoots allows exactly the roots it names', async () => {
    const t = await (await connect(dbRoot, { externalBlobRoots: [outside] })).openTable('t');
    const got = await t.fetchBlobs('img', [addrs.get(0)!, addrs.get(1)!]);
    for (const b of got) expect(Buffer.from(b!).equals(Buffer.from(secret))).toBe(true);
    await expect(t.fetchBlobs('img', [addrs.get(2)!])).rejects.toEqual(refused);
    await expect(t.fetchBlobs('img', [addrs.get(3)!])).rejects.toEqual(refused);
    const [f] = await t.fetchBlobFiles('img', [addrs.get(1)!]);
    expect(Buffer.from(await f!.read()).equals(Buffer.from(secret))).toBe(true);
  });

  it('allowUnconfinedExternalBlobs reads anywhere', async () => {
    const t = await (await connect(dbRoot, { allowUnconfinedExternalBlobs: true })).openTable('t');
    const [a, b] = await t.fetchBlobs('img', [addrs.get(2)!, addrs.get(3)!]);
    const passwd = readFileSync('/etc/passwd');
    expect(Buffer.from(a!).equals(passwd)).toBe(true);
    expect(Buffer.from(b!).equals(passwd)).toBe(true);
    const ds = await openDataset(join(dbRoot, 't.lance'), { allowUnconfinedExternalBlobs: true });
    expect(ds.loc.externalBlobs).toEqual({ allowUnconfinedExternalBlobs: true });
  });

  it('the gate: registered bases and the dataset root stay allowed, everything else needs the opt-in', () => {
    const bases: BasePathInfo[] = [{ id: 1, path: '/data/media', isDatasetRoot: false }];
    const scope = { datasetRoot: '/db/t.lance' };
    expect(confineExternalRead(1, 'a/b.png', bases, scope).within).toMatchObject({ segments: ['data', 'media'] });
    expect(confineExternalRead(0, 'file:///data/media/x.bin', bases, scope).within).toMatchObject({ segments: ['data', 'media'] });
    expect(confineExternalRead(0, '/db/t.lance/media/x.bin', bases, scope).within).toMatchObject({ segments: ['db', 't.lance'] });
    for (const uri of ['/etc/passwd', 'file:///etc/passwd', 'file://localhost/etc/passwd', '/db/t.lance.evil/x', '/data/mediaX/y', 's3://bucket/k']) {
      expect(() => confineExternalRead(0, uri, bases, scope), uri).toThrow(refused);
    }
    expect(confineExternalRead(0, '/etc/passwd', bases, { ...scope, roots: ['/etc'] }).within).toMatchObject({ segments: ['etc'] });
    expect(confineExternalRead(0, 's3://bucket/k', bases, { ...scope, unconfined: true }).within).toBeUndefined();
  });
});

describe('symlinks out of the dataset', () => {
  it('a sidecar replaced by a symlink to a file outside the dataset is refused on every read path', async () => {
    const root = mkdtempSync(join(tmp, 'sym-'));
    const db = await connect(root);
    const t = await db.createTable('s', [{ id: 0, img: new Uint8Array(500).fill(7) }], { schema });
    const addr = ((await t.query().withRowAddress().toArray()) as { _rowaddr: bigint }[])[0]!._rowaddr;
    const dataDir = join(root, 's.lance', 'data');
    const dir = (await fs.readdir(dataDir, { withFileTypes: true })).find((d) => d.isDirectory())!.name;
    const sidecar = join(dataDir, dir, (await fs.readdir(join(dataDir, dir)))[0]!);
    const target = join(outside, 'planted.bin');
    await fs.writeFile(target, new Uint8Array(500).fill(9));
    await fs.rm(sidecar);
    await fs.symlink(target, sidecar);
    const escape = expect.objectContaining({ code: 'SYMLINK_OUTSIDE_ROOT' });
    for (const tt of [await (await connect(root)).openTable('s'), await (await connect(join(root, 's.lance', '..'))).openTable('s')]) {
      await expect(tt.fetchBlobs('img', [addr])).rejects.toEqual(escape);
      const [f] = await tt.fetchBlobFiles('img', [addr]);
      await expect(f!.readRange(0, 10)).rejects.toEqual(escape);
      await expect((async () => {
        for await (const _ of f!.stream()) void _;
      })()).rejects.toEqual(escape);
    }
    // The CLI opens the dataset directory itself: same refusal, one line, non-zero exit.
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    let out = 0;
    stdout.on('data', (d: Buffer) => (out += d.length));
    stderr.on('data', (d) => (err += d));
    const code = await runCli(['blob', 'cat', join(root, 's.lance'), '--column', 'img', '--row', String(addr)], { stdout, stderr, stdin: new PassThrough(), env: {} });
    expect(code).not.toBe(0);
    expect(err).toContain('SYMLINK_OUTSIDE_ROOT');
    expect(out).toBe(0);
  });

  it('a symlink that stays inside the root is still followed; whole-object reads are checked too', async () => {
    const root = mkdtempSync(join(tmp, 'inside-'));
    const s = new LocalStore(root);
    await s.put('real.bin', new Uint8Array([1, 2, 3]));
    await fs.symlink(join(root, 'real.bin'), join(root, 'link.bin'));
    expect(Array.from(await s.getRange('link.bin', 0, 3))).toEqual([1, 2, 3]);
    await fs.symlink(join(outside, 'secret.bin'), join(root, 'out.bin'));
    await expect(s.get('out.bin')).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_ROOT' });
    await expect(s.getRange('out.bin', 0, 1)).rejects.toMatchObject({ code: 'SYMLINK_OUTSIDE_ROOT' });
    const follow = new LocalStore(root, { followSymlinksOutsideRoot: true });
    expect((await follow.getRange('out.bin', 0, 2))[1]).toBe(2);
  });
});

describe('lancet blob cat on external blobs', () => {
  async function cat(args: string[]): Promise<{ code: number; bytes: Buffer; err: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    let err = '';
    stdout.on('data', (d: Buffer) => chunks.push(d));
    stderr.on('data', (d) => (err += d));
    const code = await runCli(['blob', 'cat', ...args], { stdout, stderr, stdin: new PassThrough(), env: {} });
    return { code, bytes: Buffer.concat(chunks), err };
  }

  it('refuses outside the dataset with a one-line hint, and reads with --external-root', async () => {
    const ds = join(dbRoot, 't.lance');
    const r = await cat([ds, '--column', 'img', '--row', String(addrs.get(3)!)]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('EXTERNAL_BLOB_OUTSIDE_DATASET');
    expect(r.err).toContain('--external-root');
    expect(r.bytes.length).toBe(0);
    const ok = await cat([ds, '--column', 'img', '--row', String(addrs.get(0)!), '--external-root', outside]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.bytes.equals(Buffer.from(secret))).toBe(true);
    const still = await cat([ds, '--column', 'img', '--row', String(addrs.get(2)!), '--external-root', outside]);
    expect(still.code).toBe(1);
  });
});
