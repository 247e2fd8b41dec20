import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

/** Runs the CLI in-process and captures its output and exit code. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli(args, { stdout, stderr, stdin: new PassThrough(), env });
  return { code, out, err };
}
