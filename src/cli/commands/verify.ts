// `lancet verify`: exit 0 when the version is healthy, 1 when anything is found (orphans
// included, marked severity "orphan"), 2 on usage errors. --json prints one report object.
import * as nodePath from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { colours, formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { progress } from '../progress.js';
import { verifyDataset } from '../inspect/verify-dataset.js';

export const verifyCommand: Command = {
  path: ['verify'],
  usage: 'lancet verify DATASET [--version N] [--deep] [--json] [--external-root DIR]...',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { version: { type: 'string' }, deep: { type: 'boolean' }, 'external-root': { type: 'string', multiple: true } }, ['DATASET']);
    // External blobs outside the dataset are checked only under the roots named here (as blob cat
    // reads them); any other is a finding, never opened.
    const roots = values['external-root'] as unknown as string[] | undefined;
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'), roots ? { externalBlobRoots: roots.map((r) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(r) ? r : nodePath.resolve(r))) } : {});
    const bar = progress(io, values.deep ? 'verify --deep' : 'verify', 0);
    let report;
    try {
      report = await verifyDataset(ds, { deep: Boolean(values.deep), hooks: { plan: (n) => bar.grow(n), step: (item) => bar.tick(1, item) } });
    } finally {
      bar.done();
    }
    if (values.json) {
      writeLine(io, toJson(report));
      return report.healthy ? 0 : 1;
    }
    const c = colours(io);
    const k = report.checked;
    writeLine(io, `${report.uri} version ${report.version}${report.deep ? ' (deep)' : ''}: ${k.fragments} fragments, ${k.dataFiles} data files, ${k.deletionFiles} deletion files, ${k.descriptors} blob descriptors, ${k.sidecars} sidecars, ${k.versions} versions`);
    if (report.deep) writeLine(io, `read ${formatBytes(k.payloadBytesRead)} of payloads and ${k.rowsRead} rows of every column`);
    if (report.healthy) {
      writeLine(io, c.green('healthy: no problems found'));
      return 0;
    }
    const errors = report.findings.filter((f) => f.severity === 'error').length;
    const orphans = report.findings.length - errors;
    writeLine(io);
    writeLine(io, renderTable(['severity', 'code', 'path', 'problem'], report.findings.map((f) => [f.severity === 'error' ? c.red(f.severity) : c.yellow(f.severity), f.code, f.path, f.message]), io));
    writeLine(io);
    writeLine(io, c.bold(`${errors} problems, ${orphans} orphans`));
    return 1;
  },
};
