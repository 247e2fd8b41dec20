// The table of subcommands. Each lives in its own module under src/cli/commands/ and is
// listed here once (add one import and one array entry per command).
import type { Command } from './command.js';

export const commands: Command[] = [];
