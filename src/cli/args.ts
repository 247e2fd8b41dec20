// Argument parsing for subcommands on node:util.parseArgs, with usage errors instead of throws.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `args` with `--json` always allowed; requires exactly `positionals` positional args. */
export function parseCommandArgs(args: string[], options: Options, positionals: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new UsageError(
      parsed.positionals.length < positionals.length
        ? `missing ${positionals.slice(parsed.positionals.length).join(', ')}`
        : `unexpected argument "${parsed.positionals[positionals.length]}"`,
    );
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** A non-negative integer option, or undefined when absent. */
export function intOption(values: Parsed['values'], name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`--${name} takes a non-negative integer, got "${String(v)}"`);
  return Number(v);
}
