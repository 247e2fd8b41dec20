import type { Command } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { colours, formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { datasetStats, schemaSummary } from '../inspect/dataset-stats.js';

export const infoCommand: Command = {
  path: ['info'],
  usage: 'lancet info DATASET [--version N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { version: { type: 'string' } }, ['DATASET']);
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'));
    const stats = await datasetStats(ds);
    const schema = schemaSummary(ds);
    if (values.json) {
      writeLine(io, toJson({ ...stats, schema }));
      return 0;
    }
    const c = colours(io);
    const kv: [string, unknown][] = [
      ['uri', stats.uri],
      ['version', `${stats.version} (of ${stats.versions})`],
      ['rows', `${stats.rows}${stats.deletedRows ? ` (+${stats.deletedRows} deleted)` : ''}`],
      ['fragments', stats.fragments],
      ['data files', `${stats.dataFiles} (${formatBytes(stats.dataFileBytes)})`],
      ['deletion files', stats.deletionFiles],
      ['blob sidecars', `${stats.sidecarFiles} (${formatBytes(stats.sidecarBytes)})`],
      ['file format', stats.fileFormat],
      ['reader flags', stats.readerFlags.join(', ') || 'none'],
      ['writer flags', stats.writerFlags.join(', ') || 'none'],
    ];
    const w = Math.max(...kv.map(([k]) => k.length));
    for (const [k, v] of kv) writeLine(io, `${c.bold(k.padEnd(w))}  ${String(v)}`);
    for (const [col, t] of Object.entries(stats.blobColumns)) {
      writeLine(io);
      writeLine(io, c.bold(`blob column ${col}`) + `: ${t.rows} rows, ${t.nulls} null`);
      const rows = Object.entries(t.kinds).map(([k, v]) => [k, v.values, formatBytes(v.bytes)]);
      writeLine(io, renderTable(['kind', 'values', 'payload'], rows, io));
    }
    writeLine(io);
    writeLine(io, renderTable(['column', 'type', 'nullable', 'blob'], schema.map((f) => [f.name, f.type, f.nullable ? 'yes' : 'no', f.blob ? 'v2' : '']), io));
    return 0;
  },
};
