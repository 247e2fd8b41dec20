// lancet sql: run SQL statements against the Lance tables under a root directory.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type * as arrow from 'apache-arrow';
import { LancetError } from '../../errors.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { parseArgs } from 'node:util';
import { colours, renderTable, toJson, writeLine } from '../output.js';
import { sqlSession, type SqlSession, type StatementResult } from '../../query/session.js';

const USAGE = 'lancet sql --root DIR [--namespace NS] [--json] [--stats] ["STATEMENTS" | -f FILE]   (statements from stdin when neither is given; an interactive prompt on a terminal)';

function cell(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && 'toJSON' in v) return (v as { toJSON(): unknown }).toJSON();
  return v;
}

function rowsOf(t: arrow.Table): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const f of t.schema.fields) row[f.name] = cell(t.getChild(f.name)!.get(i));
    out.push(row);
  }
  return out;
}

export function statsOf(r: StatementResult): Record<string, unknown> {
  const { table, ...stats } = r;
  return { ...stats, ...(table ? { rows: table.numRows } : {}) };
}

function print(r: StatementResult, io: CliIo, opts: { json: boolean; stats: boolean }): void {
  if (r.table) {
    const rows = rowsOf(r.table);
    if (opts.json) for (const row of rows) writeLine(io, toJson(row));
    else {
      const headers = r.table.schema.fields.map((f) => f.name);
      writeLine(io, renderTable(headers, rows.map((row) => headers.map((h) => row[h])), io));
      writeLine(io, colours(io).dim(`(${rows.length} row${rows.length === 1 ? '' : 's'})`));
    }
  } else if (!opts.json) {
    const c = colours(io);
    writeLine(io, `${c.bold(r.kind)}: ${r.rowsAffected} row${r.rowsAffected === 1 ? '' : 's'}${r.version !== null ? `, version ${r.version}` : ''}`);
  } else if (!opts.stats && r.version !== null) writeLine(io, toJson(statsOf(r)));
  if (opts.stats) writeLine(io, toJson(statsOf(r)));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function runText(db: SqlSession, text: string, io: CliIo, opts: { json: boolean; stats: boolean }): Promise<void> {
  for (const r of await db.sql(text)) print(r, io, opts);
}

/** Reads statements line by line until `;`, runs each, reports errors and carries on. */
async function interactive(db: SqlSession, io: CliIo, opts: { json: boolean; stats: boolean }): Promise<number> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, prompt: 'lancet> ' });
  let buf = '';
  rl.prompt();
  for await (const line of rl) {
    buf += (buf ? '\n' : '') + line;
    if (!/;\s*$/.test(line)) {
      rl.setPrompt(buf.trim() ? '   ...> ' : 'lancet> ');
      rl.prompt();
      continue;
    }
    try {
      await runText(db, buf, io, opts);
    } catch (e) {
      io.stderr.write(e instanceof LancetError ? `error ${e.code}: ${e.message}\n` : `error: ${(e as Error).message}\n`);
    }
    buf = '';
    rl.setPrompt('lancet> ');
    rl.prompt();
  }
  return 0;
}

export const sqlCommand: Command = {
  path: ['sql'],
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: { json: { type: 'boolean' }, root: { type: 'string' }, namespace: { type: 'string' }, stats: { type: 'boolean' }, file: { type: 'string', short: 'f' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1) throw new UsageError('pass all statements as one argument (separate them with ;)');
    if (typeof values.root !== 'string') throw new UsageError('--root DIR is required');
    if (values.file !== undefined && positionals.length) throw new UsageError('give statements or -f FILE, not both');
    const namespace = typeof values.namespace === 'string' ? values.namespace.split('.').filter((p, i) => !(i === 0 && p === 'lance')) : undefined;
    const db = sqlSession({ root: values.root, ...(namespace ? { namespace } : {}) });
    const opts = { json: Boolean(values.json), stats: Boolean(values.stats) };
    let text: string;
    if (typeof values.file === 'string') text = await readFile(values.file, 'utf8');
    else if (positionals.length) text = positionals[0]!;
    else if (io.stdin.isTTY) return interactive(db, io, opts);
    else text = await readAll(io.stdin);
    await runText(db, text, io, opts);
    return 0;
  },
};
