// The contract every CLI subcommand follows.
import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface Command {
  /** Words that select the command, e.g. ['file', 'meta']. */
  path: string[];
  /** The one-line summary lives in registry.ts, so `lancet --help` needs no command module. */
  usage: string;
  /** Returns the process exit code: 0 ok, 1 problems or runtime error, 2 usage error. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad arguments; the dispatcher prints the usage line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
