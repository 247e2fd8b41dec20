import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli/main.js';
import { renderTable, toJson } from '../src/cli/output.js';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => out, err: () => err };
}

describe('cli framework', () => {
  it('prints help, version and usage errors with the right exit codes', async () => {
    const a = io();
    expect(await runCli(['--help'], a.io)).toBe(0);
    expect(a.out()).toContain('Usage: lancet <command>');
    const b = io();
    expect(await runCli(['--version'], b.io)).toBe(0);
    expect(b.out()).toMatch(/^lancet \d+\.\d+\.\d+/);
    const c = io();
    expect(await runCli(['no-such-command'], c.io)).toBe(2);
    expect(c.err()).toContain('unknown command');
  });

  it('keeps 64-bit numbers exact in JSON and aligns tables', () => {
    expect(toJson({ a: 1n, b: 18446744073709551615n })).toBe('{"a":1,"b":"18446744073709551615"}');
    const t = renderTable(['name', 'n'], [['x', 1], ['long', 100]]);
    expect(t.split('\n')[2]).toBe('x       1');
    expect(t.split('\n')[3]).toBe('long  100');
  });
});
