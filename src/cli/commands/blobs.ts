// `lancet blobs`: one line per row of a blob column: where its payload lives and how big it is.
// JSON form is NDJSON: one {"type":"blob",...} object per row, then one {"type":"summary",...}
// object with per-kind counts, bytes and a power-of-two size histogram. Reads descriptors only.
import { UsageError, type Command, type CliIo } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { colours, formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { guardPipe } from '../inspect/stdout-pipe.js';
import { blobRows, HistogramBuilder, type BlobRow, type SizeHistogram } from '../inspect/blob-rows.js';

function rowJson(r: BlobRow) {
  return { type: 'blob', rowAddress: r.rowAddress, fragment: r.fragment, offset: r.offset, kind: r.kind, position: r.position, size: r.size, blobId: r.blobId, location: r.location };
}

/** The histogram as text: one bar per (kind, bucket), scaled to the largest bucket. */
export function renderHistogram(h: SizeHistogram, io: CliIo): string {
  const c = colours(io);
  const lines: string[] = [];
  const max = Math.max(1, ...Object.values(h).flatMap((k) => k.buckets.map((b) => b.count)));
  const kindW = Math.max(4, ...Object.keys(h).map((k) => k.length));
  for (const [kind, k] of Object.entries(h)) {
    lines.push(`${c.bold(kind.padEnd(kindW))}  ${k.values} values, ${formatBytes(k.bytes)}`);
    for (const b of k.buckets) {
      const label = b.upTo === 0 ? 'empty' : `≤ ${formatBytes(b.upTo)}`;
      lines.push(`${''.padEnd(kindW)}  ${label.padStart(10)}  ${c.cyan('█'.repeat(Math.max(1, Math.round((b.count / max) * 30))))} ${b.count}`);
    }
  }
  return lines.join('\n');
}

export const blobsCommand: Command = {
  path: ['blobs'],
  usage: 'lancet blobs DATASET --column C [--where SQL] [--limit N] [--version N] [--json]  (JSON: NDJSON rows {"type":"blob"} then one {"type":"summary"})',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { column: { type: 'string' }, where: { type: 'string' }, limit: { type: 'string' }, version: { type: 'string' } }, ['DATASET']);
    if (typeof values.column !== 'string') throw new UsageError('--column is required');
    const limit = intOption(values, 'limit');
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'));
    const hist = new HistogramBuilder();
    const opts = { ...(typeof values.where === 'string' ? { where: values.where } : {}), ...(limit !== undefined ? { limit } : {}) };
    const summary = () => ({ type: 'summary', uri: ds.loc.uri, version: ds.version, column: values.column, rows: rowsSeen, nulls: hist.nulls, kinds: hist.result() });
    let rowsSeen = 0;
    if (values.json) {
      const pipe = guardPipe(io);
      try {
        for await (const r of blobRows(ds, values.column, opts)) {
          if (pipe.closed) break;
          rowsSeen++;
          hist.add(r.kind, r.size);
          writeLine(io, toJson(rowJson(r)));
        }
        if (!pipe.closed) writeLine(io, toJson(summary()));
        // Let a pending EPIPE surface before deciding how the listing ended.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        pipe.release();
      }
      return 0;
    }
    const table: unknown[][] = [];
    for await (const r of blobRows(ds, values.column, opts)) {
      rowsSeen++;
      hist.add(r.kind, r.size);
      table.push([r.rowAddress, r.kind ?? 'null', r.position, r.size, r.blobId, r.location ?? '']);
    }
    const pipe = guardPipe(io);
    try {
      writeLine(io, renderTable(['row address', 'kind', 'position', 'size', 'blob id', 'location'], table, io));
      writeLine(io);
      writeLine(io, `${rowsSeen} rows, ${hist.nulls} null (column ${values.column}, version ${ds.version})`);
      const h = hist.result();
      if (Object.keys(h).length > 0) writeLine(io, renderHistogram(h, io));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      pipe.release();
    }
    return 0;
  },
};
