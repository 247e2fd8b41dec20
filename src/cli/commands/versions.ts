import { toJson as pbToJson } from '@bufbuild/protobuf';
import type { Command } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { loadTransaction, loadVersion, listVersionEntries } from '../../dataset/versions.js';
import { ManifestSchema } from '../../format/proto/table_pb.js';
import { TransactionSchema } from '../../format/proto/transaction_pb.js';
import type { Manifest } from '../../format/proto/table_pb.js';

function liveRows(m: Manifest): number {
  return m.fragments.reduce((s, f) => s + Number(f.physicalRows - (f.deletionFile?.numDeletedRows ?? 0n)), 0);
}

function fileKeys(m: Manifest): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of m.fragments) {
    for (const d of f.files) out.set(`data/${d.path}`, Number(d.fileSizeBytes));
  }
  return out;
}

export const versionsCommand: Command = {
  path: ['versions'],
  usage: 'lancet versions DATASET [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {}, ['DATASET']);
    const ds = await openDatasetArg(positionals[0]!);
    const out: { version: number; timestamp: string; operation: string; rows: number; fragments: number; bytesAdded: number; manifestBytes: number }[] = [];
    let prev = new Map<string, number>();
    for (const e of await listVersionEntries(ds.loc)) {
      const loaded = await loadVersion(ds.loc, e.version);
      let operation = 'unknown';
      try {
        operation = (await loadTransaction(ds.loc, loaded))?.operation.case ?? 'unknown';
      } catch {
        operation = 'unreadable transaction';
      }
      const files = fileKeys(loaded.manifest);
      let added = 0;
      for (const [k, size] of files) if (!prev.has(k)) added += size;
      prev = files;
      const ts = loaded.manifest.timestamp;
      out.push({
        version: Number(e.version),
        timestamp: ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)).toISOString() : '',
        operation,
        rows: liveRows(loaded.manifest),
        fragments: loaded.manifest.fragments.length,
        bytesAdded: added,
        manifestBytes: loaded.size,
      });
    }
    if (values.json) {
      writeLine(io, toJson({ uri: ds.loc.uri, latest: ds.version, versions: out }));
      return 0;
    }
    writeLine(io, renderTable(['version', 'timestamp', 'operation', 'rows', 'fragments', 'data added'], out.map((v) => [v.version, v.timestamp, v.operation, v.rows, v.fragments, formatBytes(v.bytesAdded)]), io));
    return 0;
  },
};

export const manifestCommand: Command = {
  path: ['manifest'],
  usage: 'lancet manifest DATASET [--version N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { version: { type: 'string' } }, ['DATASET']);
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'));
    let transaction: unknown = null;
    try {
      const t = await loadTransaction(ds.loc, ds.loaded);
      if (t) transaction = pbToJson(TransactionSchema, t, { alwaysEmitImplicit: false });
    } catch (e) {
      transaction = { error: (e as Error).message };
    }
    const doc = {
      path: ds.loaded.path,
      bytes: ds.loaded.size,
      manifest: pbToJson(ManifestSchema, ds.manifest),
      transaction,
    };
    writeLine(io, values.json ? toJson(doc) : toJson(doc, 2));
    return 0;
  },
};
