// Terminal-only output: the progress bar appears on a TTY stderr and nowhere else; colour only
// on a TTY stdout without NO_COLOR.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import { progress } from '../../src/cli/progress.js';
import { lancetBlobDataset, type BlobFixture } from './fixtures.js';

function ttyIo(opts: { stdoutTty: boolean; stderrTty: boolean; env?: Record<string, string> }) {
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.stdoutTty });
  const stderr = Object.assign(new PassThrough(), { isTTY: opts.stderrTty });
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: opts.env ?? {} }, out: () => out, err: () => err };
}

let fx: BlobFixture;
beforeAll(async () => {
  fx = await lancetBlobDataset(mkdtempSync(join(tmpdir(), 'lancet-cli-tty-')));
}, 60_000);

describe('terminal output', () => {
  it('progress draws on a TTY stderr, erases itself, and stays silent otherwise', () => {
    const tty = ttyIo({ stdoutTty: false, stderrTty: true });
    const p = progress(tty.io, 'work', 2);
    p.tick(1, 'a');
    p.tick(1, 'b');
    p.done();
    expect(tty.err()).toMatch(/work \[#+\.*\] \d\/2/);
    expect(tty.err().endsWith('\r\x1b[2K')).toBe(true);
    const pipe = ttyIo({ stdoutTty: false, stderrTty: false });
    const q = progress(pipe.io, 'work', 2);
    q.tick(2);
    q.done();
    expect(pipe.err()).toBe('');
  });

  it('verify shows progress on a TTY stderr but keeps stdout JSON clean', async () => {
    const t = ttyIo({ stdoutTty: false, stderrTty: true });
    expect(await runCli(['verify', fx.path, '--json', '--external-root', dirname(fx.path)], t.io)).toBe(0);
    expect(t.err()).toContain('verify [');
    expect(JSON.parse(t.out()).healthy).toBe(true);
    const p = ttyIo({ stdoutTty: false, stderrTty: false });
    await runCli(['verify', fx.path], p.io);
    expect(p.err()).toBe('');
  });

  it('colour on a TTY stdout, none with NO_COLOR', async () => {
    const c = ttyIo({ stdoutTty: true, stderrTty: false });
    await runCli(['blobs', fx.path, '--column', 'img'], c.io);
    expect(c.out()).toContain('\x1b[');
    const n = ttyIo({ stdoutTty: true, stderrTty: false, env: { NO_COLOR: '1' } });
    await runCli(['blobs', fx.path, '--column', 'img'], n.io);
    expect(n.out()).not.toContain('\x1b[');
    expect(n.out()).toMatch(/row address/);
  });
});

describe('blob cat progress', () => {
  it('a large blob streams to stdout intact while a byte bar goes to a TTY stderr only', async () => {
    const { connect, blobField } = await import('../../src/index.js');
    const arrow = await import('apache-arrow');
    const root = mkdtempSync(join(tmpdir(), 'lancet-cli-cat-'));
    const db = await connect(root);
    const big = new Uint8Array(9 << 20).map((_, i) => (i * 13) & 0xff);
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img')]);
    await db.createTable('t', [{ id: 1, img: big }], { schema });
    const ds = join(root, 't.lance');
    const tty = ttyIo({ stdoutTty: false, stderrTty: true });
    const chunks: Buffer[] = [];
    tty.io.stdout.removeAllListeners('data');
    tty.io.stdout.on('data', (d: Buffer) => chunks.push(d));
    expect(await runCli(['blob', 'cat', ds, '--column', 'img', '--row', '0'], tty.io)).toBe(0);
    expect(Buffer.concat(chunks).equals(Buffer.from(big))).toBe(true);
    expect(tty.err()).toContain('blob cat (KiB) [');
    const pipe = ttyIo({ stdoutTty: false, stderrTty: false });
    pipe.io.stdout.removeAllListeners('data');
    pipe.io.stdout.on('data', () => undefined);
    expect(await runCli(['blob', 'cat', ds, '--column', 'img', '--row', '0'], pipe.io)).toBe(0);
    expect(pipe.err()).toBe('');
  });
});
