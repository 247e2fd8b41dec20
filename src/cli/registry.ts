// The table of subcommands. Each lives in its own module under src/cli/commands/ and is listed
// here once with what `lancet --help` prints; the module is imported only when its command runs,
// so help and argument errors start without loading the dataset, SQL or S3 code.
import type { Command } from './command.js';

export interface CommandEntry {
  /** Words that select the command, e.g. ['file', 'meta']. */
  path: string[];
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { path: ['info'], summary: 'Overview of a dataset: versions, rows, fragments, files, bytes by blob kind, schema', load: async () => (await import('./commands/info.js')).infoCommand },
  { path: ['schema'], summary: 'Fields with ids, types, nullability, metadata and blob thresholds', load: async () => (await import('./commands/schema.js')).schemaCommand },
  { path: ['versions'], summary: 'Every version: timestamp, operation, rows, data bytes added', load: async () => (await import('./commands/versions.js')).versionsCommand },
  { path: ['manifest'], summary: 'The decoded manifest (and its transaction) of a version', load: async () => (await import('./commands/versions.js')).manifestCommand },
  { path: ['fragments'], summary: 'Per fragment: rows, deleted rows, data files with field ids and sizes, blob sidecars', load: async () => (await import('./commands/fragments.js')).fragmentsCommand },
  { path: ['file', 'meta'], summary: 'Footer, version, rows, schema and per-column encodings of one .lance data file', load: async () => (await import('./commands/file.js')).fileMetaCommand },
  { path: ['pages'], summary: 'Every page of a .lance data file: rows, layout, encodings, buffer offsets and sizes', load: async () => (await import('./commands/file.js')).pagesCommand },
  { path: ['blobs'], summary: 'Per row of a blob column: row address, kind, position, size, blob id, sidecar/URI/data file (descriptors only)', load: async () => (await import('./commands/blobs.js')).blobsCommand },
  { path: ['blob', 'cat'], summary: 'Stream the payload of one blob (or the byte range A:B of it) to stdout', load: async () => (await import('./commands/blob-cat.js')).blobCatCommand },
  { path: ['verify'], summary: 'Check files, sizes, footers, deletion vectors and blob descriptors of a version; report orphans (--deep reads every payload and column)', load: async () => (await import('./commands/verify.js')).verifyCommand },
  { path: ['demo'], summary: 'Build a products table with Blob V2 images and run SELECT/UPDATE/MERGE/INSERT…SELECT on it, with payload statistics', load: async () => (await import('./commands/demo.js')).demoCommand },
  { path: ['sql'], summary: 'Run Spark SQL (catalog lance) over the tables under a directory; blob columns as descriptors', load: async () => (await import('./commands/sql.js')).sqlCommand },
];
