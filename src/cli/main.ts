#!/usr/bin/env node
// lancet: inspect Lance datasets, data files and blobs; run SQL; run the demo.
import { LancetError } from '../errors.js';
import { UsageError, type CliIo } from './command.js';
import { commands, type CommandEntry } from './registry.js';

const VERSION = '0.1.0';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'lancet — Lance datasets with Blob V2, in TypeScript',
    '',
    'Usage: lancet <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json. Exit codes: 0 ok, 1 problems found or runtime error, 2 usage error.',
    'Add --debug to print stack traces.',
  ].join('\n');
}

/** Picks the command whose path is the longest prefix of argv. */
function selectCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  let best: { command: CommandEntry; rest: string[] } | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.command.path.length)) {
      best = { command: c, rest: argv.slice(c.path.length) };
    }
  }
  return best;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.stdout.write(helpText() + '\n');
    return args.length === 0 ? 2 : 0;
  }
  if (args[0] === '--version' || args[0] === '-V') {
    io.stdout.write(`lancet ${VERSION}\n`);
    return 0;
  }
  const sel = selectCommand(args);
  if (!sel) {
    io.stderr.write(`lancet: unknown command "${args.join(' ')}" (try lancet --help)\n`);
    return 2;
  }
  const command = await sel.command.load();
  if (sel.rest.includes('--help') || sel.rest.includes('-h')) {
    io.stdout.write(`${sel.command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(sel.rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`lancet ${sel.command.path.join(' ')}: ${e.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (e instanceof LancetError) {
      io.stderr.write(`lancet ${sel.command.path.join(' ')}: error ${e.code}: ${e.message}\n`);
    } else if (e instanceof Error && (e as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.stderr.write(`lancet ${sel.command.path.join(' ')}: ${e.message}\nUsage: ${command.usage}\n`);
      return 2;
    } else {
      io.stderr.write(`lancet ${sel.command.path.join(' ')}: error: ${(e as Error).message ?? String(e)}\n`);
    }
    if (debug && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain || process.argv[1]?.endsWith('/lancet') || process.argv[1]?.endsWith('cli/main.js')) {
  // A reader that goes away (`lancet info … | head`) closes the pipe: that ends the output, not the
  // program with an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
