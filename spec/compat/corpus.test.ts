// Lance's own compatibility corpus (test/fixtures/lance-compat, datasets written by Lance 0.5.9 to
// 0.36): every version of every dataset, and every index file that is a Lance data file, read by
// Lance 12 and by lancet and compared on schema, row count and every value. An entry counts only
// when Lance 12 opens it. What lancet cannot read yet is listed in KNOWN_GAPS with the reason: the
// test fails when an unlisted entry fails AND when a listed one starts passing, so the list only
// ever shrinks and stays true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as arrow from 'apache-arrow';
import { openDataset } from '../../src/dataset/index.js';
import { scanDataset, countRows } from '../../src/dataset/scanner.js';
import { peerOpen, fromPeerTable, plainRows } from '../../test/helpers/lance-peer.js';
import { columnLayout, openStandalone, standaloneFiles, wrapAsDataset, wrappedName, type StandaloneFile } from './standalone.js';

const CORPUS = join(import.meta.dirname, '../../test/fixtures/lance-compat');

/** Entry name -> why lancet cannot read it yet. Remove a line when its entry starts passing. */
const KNOWN_GAPS: Record<string, string> = {};

interface Outcome {
  entry: string;
  /** Lance 12 could not open it: not part of the figure. */
  peerError?: string;
  /** Why lancet disagrees with Lance 12, or cannot read it. */
  failure?: string;
}

function datasetDirs(dir: string): string[] {
  if (existsSync(join(dir, '_versions'))) return [dir];
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory())
    .flatMap(datasetDirs);
}

const slug = (rel: string) => rel.replace(/[^A-Za-z0-9_-]/g, '_');

function schemaOf(s: arrow.Schema): string[] {
  return s.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '' : ' not null'}`);
}

function message(e: unknown): string {
  const s = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  return s.split('\n')[0]!.slice(0, 300);
}

/** First difference between two row lists, or undefined. */
function firstRowDiff(ours: Record<string, unknown>[], theirs: Record<string, unknown>[]): string | undefined {
  if (ours.length !== theirs.length) return `lancet returned ${ours.length} rows, Lance 12 ${theirs.length}`;
  for (let i = 0; i < ours.length; i++) {
    const a = JSON.stringify(ours[i]);
    const b = JSON.stringify(theirs[i]);
    if (a !== b) return `row ${i}: lancet ${a.slice(0, 200)} vs Lance 12 ${b.slice(0, 200)}`;
  }
  return undefined;
}

async function lancetTable(uri: string, version: number): Promise<{ schema: arrow.Schema; table: arrow.Table; count: number }> {
  const ds = await openDataset(uri, { version });
  const batches: arrow.RecordBatch[] = [];
  for await (const b of scanDataset(ds, {})) batches.push(b);
  const table = batches.length > 0 ? new arrow.Table(batches) : new arrow.Table(ds.arrowSchema);
  // The schema rows come back with (a legacy blob column scans as descriptors), as on the Lance 12 side.
  return { schema: batches.length > 0 ? table.schema : ds.arrowSchema, table, count: await countRows(ds) };
}

async function checkDatasetVersion(path: string, version: number, entry: string): Promise<Outcome> {
  let theirs: { schema: arrow.Schema; rows: Record<string, unknown>[]; count: number };
  try {
    const t = await peerOpen(path, version);
    const table = fromPeerTable(await t.query().toArrow());
    // The peer's toArrow() of an empty result has no schema; ask the table.
    const schema = table.numCols > 0 ? table.schema : fromPeerTable(await t.query().limit(0).toArrow()).schema;
    theirs = { schema, rows: plainRows(table), count: await t.countRows() };
  } catch (e) {
    return { entry, peerError: message(e) };
  }
  try {
    const ours = await lancetTable(path, version);
    const s1 = schemaOf(ours.schema);
    const s2 = schemaOf(theirs.schema);
    if (theirs.rows.length > 0 || s2.length > 0) {
      if (JSON.stringify(s1) !== JSON.stringify(s2)) return { entry, failure: `schema: lancet [${s1.join(', ')}] vs Lance 12 [${s2.join(', ')}]` };
    }
    if (ours.count !== theirs.count) return { entry, failure: `countRows: lancet ${ours.count} vs Lance 12 ${theirs.count}` };
    const diff = firstRowDiff(plainRows(ours.table), theirs.rows);
    return diff ? { entry, failure: diff } : { entry };
  } catch (e) {
    return { entry, failure: message(e) };
  }
}

describe('Lance compatibility corpus', () => {
  let work: string;
  const outcomes: Outcome[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'lancet-compat-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('lancet reads every dataset version and index file that Lance 12 reads, except the known gaps', async () => {
    for (const dir of datasetDirs(CORPUS)) {
      const rel = relative(CORPUS, dir);
      // Lance 12 opens tables as <root>/<name>.lance; a private copy also keeps the fixtures untouched.
      const path = join(work, `${slug(rel)}.lance`);
      cpSync(dir, path, { recursive: true });
      let versions: number[];
      try {
        versions = ((await (await peerOpen(path)).listVersions()) as { version: number }[]).map((v) => Number(v.version));
      } catch (e) {
        outcomes.push({ entry: rel, peerError: message(e) });
        continue;
      }
      for (const v of versions) outcomes.push(await checkDatasetVersion(path, v, `${rel}@v${v}`));
    }
    for (const file of standaloneFiles(CORPUS)) outcomes.push(await checkStandalone(file, work));

    const counted = outcomes.filter((o) => !o.peerError);
    const passing = counted.filter((o) => !o.failure);
    console.log(`compat: lancet opens ${passing.length} of ${counted.length} entries Lance 12 opens`);
    for (const o of outcomes) if (o.peerError) console.log(`  not opened by Lance 12: ${o.entry}: ${o.peerError}`);
    for (const o of counted) if (o.failure) console.log(`  gap: ${o.entry}: ${o.failure}`);

    const unexpected = counted.filter((o) => o.failure && !(o.entry in KNOWN_GAPS)).map((o) => `${o.entry}: ${o.failure}`);
    const nowPassing = passing.filter((o) => o.entry in KNOWN_GAPS).map((o) => o.entry);
    const stale = Object.keys(KNOWN_GAPS).filter((k) => !counted.some((o) => o.entry === k));
    expect({ unexpected, nowPassing, stale }).toEqual({ unexpected: [], nowPassing: [], stale: [] });
    expect(counted.length).toBeGreaterThan(0);
  });
});


/**
 * A standalone file: lancet reads its schema and rows; Lance 12 reads the same bytes wrapped as a
 * one-file dataset. When lancet cannot read the file there is nothing to wrap; the entry still
 * counts (Lance 12 reads these files through its index code, which the dataset entries open).
 */
async function checkStandalone(file: StandaloneFile, work: string): Promise<Outcome> {
  const entry = file.rel;
  let reader;
  let ours: arrow.Table;
  try {
    reader = await openStandalone(file);
    const batch = await reader.read(reader.schema.fields, columnOfStandalone(reader));
    const named = reader.schema.fields.map((f) => wrappedName(f.name));
    const schema = new arrow.Schema(batch.schema.fields.map((f, i) => f.clone({ name: named[i]! })));
    ours = new arrow.Table(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children })));
  } catch (e) {
    return { entry, failure: message(e) };
  }
  let theirs: { schema: arrow.Schema; rows: Record<string, unknown>[] };
  try {
    const path = wrapAsDataset(file, reader, work, `file_${slug(file.rel)}`);
    const t = await peerOpen(path);
    const table = fromPeerTable(await t.query().toArrow());
    theirs = { schema: table.numCols > 0 ? table.schema : fromPeerTable(await t.query().limit(0).toArrow()).schema, rows: plainRows(table) };
  } catch (e) {
    return { entry, peerError: message(e) };
  }
  if (theirs.rows.length > 0) {
    const s1 = schemaOf(ours.schema);
    const s2 = schemaOf(theirs.schema);
    if (JSON.stringify(s1) !== JSON.stringify(s2)) return { entry, failure: `schema: lancet [${s1.join(', ')}] vs Lance 12 [${s2.join(', ')}]` };
  }
  const diff = firstRowDiff(plainRows(ours), theirs.rows);
  return diff ? { entry, failure: diff } : { entry };
}

function columnOfStandalone(reader: Parameters<typeof columnLayout>[0]): (id: number) => number | undefined {
  const { fieldIds, columnIndices } = columnLayout(reader);
  return (id) => {
    const i = fieldIds.indexOf(id);
    return i < 0 ? undefined : columnIndices[i];
  };
}
