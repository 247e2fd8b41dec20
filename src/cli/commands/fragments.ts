import type { Command } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { DATA_DIR } from '../../format/table/file-names.js';
import { joinPath } from '../../io/object-store.js';
import { deletionFilePath } from '../../format/table/file-names.js';

export const fragmentsCommand: Command = {
  path: ['fragments'],
  usage: 'lancet fragments DATASET [--version N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { version: { type: 'string' } }, ['DATASET']);
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'));
    const frags = [];
    for (const f of ds.fragments) {
      const files = [];
      let sidecars = 0;
      let sidecarBytes = 0;
      for (const d of f.files) {
        const stem = d.path.replace(/\.lance$/, '');
        const side = (await ds.loc.store.list(joinPath(ds.loc.base, DATA_DIR, stem) + '/')).filter((m) => m.path.endsWith('.blob'));
        sidecars += side.length;
        sidecarBytes += side.reduce((s, m) => s + m.size, 0);
        files.push({ path: `data/${d.path}`, fields: d.fields, columnIndices: d.columnIndices, fileVersion: `${d.fileMajorVersion}.${d.fileMinorVersion}`, size: Number(d.fileSizeBytes), sidecars: side.length });
      }
      frags.push({
        id: Number(f.id),
        physicalRows: Number(f.physicalRows),
        deletedRows: Number(f.deletionFile?.numDeletedRows ?? 0n),
        deletionFile: f.deletionFile ? deletionFilePath(f.id, f.deletionFile) : null,
        files,
        sidecars,
        sidecarBytes,
      });
    }
    if (values.json) {
      writeLine(io, toJson({ uri: ds.loc.uri, version: ds.version, fragments: frags }));
      return 0;
    }
    const rows = frags.flatMap((f) =>
      f.files.map((d, i) => [i === 0 ? f.id : '', i === 0 ? f.physicalRows : '', i === 0 ? f.deletedRows : '', d.path, `[${d.fields.join(',')}]`, formatBytes(d.size), d.sidecars ? `${d.sidecars} (${formatBytes(f.sidecarBytes)})` : '']),
    );
    writeLine(io, renderTable(['fragment', 'rows', 'deleted', 'data file', 'fields', 'size', 'sidecars'], rows, io));
    return 0;
  },
};
