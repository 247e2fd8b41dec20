// `lancet demo`: the README's main job on a fresh machine. Builds a products table with a Blob V2
// image column (inline, packed and dedicated images), runs a metadata-only SELECT, an UPDATE,
// a MERGE and an INSERT … SELECT through SQL (or the dataset API), reports the payload bytes each
// statement read, wrote and linked, and ends with `lancet info` and `lancet blobs` of the table.
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { UsageError, type Command, type CliIo } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { colours, formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { progress } from '../progress.js';
import { InvalidInputError } from '../../errors.js';
import { connect } from '../../dataset/connection.js';
import '../../dataset/blob/table-blobs.js';
import { DEMO_ROWS, labelFixes, labelFixSchema, productRows, productSchema } from '../inspect/demo-data.js';
import { demoSteps, loadSql, runStep, type StepResult } from '../inspect/demo-steps.js';
import { kindName } from '../inspect/blob-rows.js';
import { infoCommand } from './info.js';
import { blobsCommand } from './blobs.js';

export const DEMO_MARKER = '.lancet-demo';

/** Creates `dir`, wiping it only when it holds a previous demo (never someone's files). */
async function prepareDir(dir: string): Promise<void> {
  let entries: string[] | undefined;
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InvalidInputError('DEMO_DIR', `cannot use ${dir}: ${(e as Error).message}`, { dir });
  }
  if (entries && entries.length > 0) {
    if (!entries.includes(DEMO_MARKER)) throw new InvalidInputError('DEMO_DIR_IN_USE', `${dir} is not empty and holds no previous demo (${DEMO_MARKER}); pick another DIR`, { dir });
    await fs.rm(dir, { recursive: true, force: true });
  }
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(nodePath.join(dir, DEMO_MARKER), 'created by `lancet demo`; the next run wipes this directory\n');
}

function statsLine(r: StepResult): string {
  return `payload read ${formatBytes(r.payloadBytesRead)}, written ${formatBytes(r.payloadBytesWritten)}, linked ${formatBytes(r.payloadBytesLinked)}; store wrote ${formatBytes(r.bytesWritten)}`;
}

function printStep(io: CliIo, i: number, r: StepResult): void {
  const c = colours(io);
  const what = r.rows !== undefined ? `${r.rowsAffected} rows returned` : `${r.rowsAffected} rows affected`;
  writeLine(io, `${c.bold(`${i}. ${r.step}`)}  ${c.dim(`[${r.via}${r.version !== null ? `, version ${r.version}` : ''}, ${Math.round(r.ms)} ms]`)}`);
  writeLine(io, `   ${c.cyan(r.statement)}`);
  if (r.note) writeLine(io, `   ${c.yellow(r.note)}`);
  writeLine(io, `   ${what}; ${statsLine(r)}`);
  if (r.rows && r.rows.length > 0) {
    const headers = Object.keys(r.rows[0]!);
    // Descriptor kinds come back as numbers; name them for the reader.
    const cell = (h: string, v: unknown) => (h === 'kind' && (typeof v === 'number' || typeof v === 'bigint') ? `${v} ${kindName(Number(v))}` : v);
    const table = renderTable(headers, r.rows.map((row) => headers.map((h) => cell(h, row[h]))), io);
    writeLine(io, table.split('\n').map((l) => `   ${l}`).join('\n'));
  }
  writeLine(io);
}

export const demoCommand: Command = {
  path: ['demo'],
  usage: 'lancet demo [DIR] [--api] [--json]   (DIR defaults to ./lancet-demo; a previous demo there is wiped)',
  async run(args, io) {
    const positional = args.filter((a) => !a.startsWith('-'));
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    const { values, positionals } = parseCommandArgs(args, { api: { type: 'boolean' } }, positional.length ? ['DIR'] : []);
    const dir = nodePath.resolve(positionals[0] ?? 'lancet-demo');
    const t0 = performance.now();
    const steps = demoSteps(labelFixes());
    const bar = progress(io, 'demo', steps.length + 2);
    const results: StepResult[] = [];
    let sqlNote: string | undefined;
    try {
      await prepareDir(dir);
      const db = await connect(dir);

      // Binary payloads have no SQL literal worth typing: the load goes through the API.
      const loadStart = performance.now();
      const products = await db.createTable('products', productRows(), { schema: productSchema() });
      const store = (await products.dataset()).loc.store;
      const loadWritten = store.counters.bytesWritten;
      await db.createTable('label_fixes', labelFixes(), { schema: labelFixSchema() });
      await db.createTable('products_archive', [], { schema: productSchema() });
      const w = products.lastBlobWrite;
      results.push({
        step: `load ${DEMO_ROWS} products with images`,
        statement: `connect('${dir}').createTable('products', rows, { schema })`,
        via: 'api',
        rowsAffected: DEMO_ROWS,
        version: await products.version(),
        payloadBytesRead: w?.payloadBytesRead ?? 0,
        payloadBytesWritten: w?.payloadBytesWritten ?? 0,
        payloadBytesLinked: w?.payloadBytesLinked ?? 0,
        bytesWritten: loadWritten,
        ms: performance.now() - loadStart,
        note: `images: ${w?.values.inline ?? 0} inline, ${w?.values.packed ?? 0} packed, ${w?.values.dedicated ?? 0} dedicated, ${w?.values.null ?? 0} null (binary payloads are loaded through the API)`,
      });
      bar.tick(1, 'load');

      const sql = values.api ? 'forced by --api' : await loadSql(dir);
      if (typeof sql === 'string') sqlNote = sql;
      for (const step of steps) {
        results.push(await runStep(step, sql, db));
        bar.tick(1, step.step);
      }
    } finally {
      bar.done();
    }
    const table = nodePath.join(dir, 'products.lance');
    const totalMs = performance.now() - t0;
    if (values.json) {
      writeLine(io, toJson({ dir, via: sqlNote === undefined ? 'sql' : 'api', ...(sqlNote ? { sqlUnavailable: sqlNote } : {}), table, archive: nodePath.join(dir, 'products_archive.lance'), steps: results, totalMs: Math.round(totalMs) }));
      return 0;
    }
    const c = colours(io);
    writeLine(io, c.bold(`lancet demo in ${dir}`));
    writeLine(io, sqlNote === undefined ? 'statements run through SQL (sqlSession)' : c.yellow(`statements run through the dataset API: ${sqlNote}`));
    writeLine(io);
    results.forEach((r, i) => printStep(io, i + 1, r));
    const total = results.reduce((s, r) => ({ read: s.read + r.payloadBytesRead, written: s.written + r.payloadBytesWritten, linked: s.linked + r.payloadBytesLinked }), { read: 0, written: 0, linked: 0 });
    writeLine(io, `${c.bold('total')}: payload read ${formatBytes(total.read)}, written ${formatBytes(total.written)}, linked ${formatBytes(total.linked)} in ${(totalMs / 1000).toFixed(1)} s`);
    writeLine(io);
    writeLine(io, c.dim(`$ lancet info ${table}`));
    await infoCommand.run([table], io);
    writeLine(io);
    writeLine(io, c.dim(`$ lancet blobs ${table} --column image --where "id % 10 = 0"`));
    await blobsCommand.run([table, '--column', 'image', '--where', 'id % 10 = 0'], io);
    return 0;
  },
};
