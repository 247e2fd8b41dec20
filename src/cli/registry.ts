// The table of subcommands. Each lives in its own module under src/cli/commands/ and is
// listed here once (add one import and one array entry per command).
import type { Command } from './command.js';
import { infoCommand } from './commands/info.js';
import { schemaCommand } from './commands/schema.js';
import { versionsCommand, manifestCommand } from './commands/versions.js';
import { fragmentsCommand } from './commands/fragments.js';
import { fileMetaCommand, pagesCommand } from './commands/file.js';
import { blobsCommand } from './commands/blobs.js';
import { blobCatCommand } from './commands/blob-cat.js';
import { verifyCommand } from './commands/verify.js';
import { demoCommand } from './commands/demo.js';
import { sqlCommand } from './commands/sql.js';

export const commands: Command[] = [infoCommand, schemaCommand, versionsCommand, manifestCommand, fragmentsCommand, fileMetaCommand, pagesCommand, blobsCommand, blobCatCommand, verifyCommand, demoCommand, sqlCommand];
