// cleanup racing writers in other processes: a cleaner running cleanup({ olderThan: 0 }) and
// cleanup() back to back while (a) a compactor rewrites fragments and links their sidecars, and
// (b) three processes append rows with blob payloads. Files of a write in flight are referenced by
// no manifest yet; cleanup must leave them alone. Afterwards every version still listed reads back
// with its blobs intact, the latest holds exactly the committed rows, and Lance 12 agrees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { blobField } from '../../src/format/blob/blob-field.js';
import { connect } from '../../src/dataset/index.js';
import type { Table } from '../../src/dataset/table.js';
import { peerScan } from '../helpers/lance-peer.js';
import { runNode, type RunResult } from '../helpers/processes.js';
import { workerLibrary, type WorkerLibrary } from '../helpers/worker-build.js';

// Same as payload() in workers/race-worker.mjs.
function payload(w: number, seq: number): Uint8Array {
  const size = seq % 3 === 0 ? 6000 + seq : seq % 3 === 1 ? 1000 + seq : 40;
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (w * 131 + seq * 31 + j * 7) & 255;
  return b;
}

const schema = new arrow.Schema([
  new arrow.Field('worker', new arrow.Int32(), false),
  new arrow.Field('seq', new arrow.Int32(), false),
  blobField('payload', { inlineSizeThreshold: 100, dedicatedSizeThreshold: 4000 }),
]);

let lib: WorkerLibrary;
const dirs: string[] = [];
beforeAll(async () => {
  lib = await workerLibrary();
}, 200_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Report {
  role: string;
  worker: number;
  rows: number[];
  versions: number[];
  conflicts: number;
  cleanups: number;
  versionsRemoved: number;
  filesRemoved: number;
}

function worker(root: string, role: string, extra: Record<string, unknown>): Promise<RunResult> {
  return runNode(join(__dirname, 'workers/race-worker.mjs'), [JSON.stringify({ lib: lib.url(''), root, role, ...extra })], 150_000);
}

function parse(r: RunResult): Report {
  if (r.code !== 0) throw new Error(`worker failed (${r.code ?? r.signal}): ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Report;
}

/** Rows (worker, seq) of the checked-out version, each payload compared with its model. */
async function readIntact(t: Table): Promise<string[]> {
  const tb = await t.query().select(['worker', 'seq']).withRowAddress().toArrow();
  const workers = [...(tb.getChild('worker')!.toArray() as Int32Array)];
  const seqs = [...(tb.getChild('seq')!.toArray() as Int32Array)];
  const blobs = await t.fetchBlobs('payload', [...(tb.getChild('_rowaddr')!.toArray() as BigUint64Array)]);
  blobs.forEach((b, i) => {
    expect(b !== null && Buffer.from(b).equals(Buffer.from(payload(workers[i]!, seqs[i]!))), `payload of row (${workers[i]}, ${seqs[i]})`).toBe(true);
  });
  return workers.map((w, i) => `${w}:${seqs[i]}`);
}

/** Runs `writers` against a cleaner until they end; returns the reports and the cleaner's. */
async function race(root: string, writers: Promise<RunResult>[]): Promise<{ writers: Report[]; cleaner: Report }> {
  const stopFile = join(root, 'stop');
  const cleaner = worker(root, 'cleaner', { stopFile });
  const settled = await Promise.allSettled(writers);
  writeFileSync(stopFile, '');
  const c = parse(await cleaner);
  const reports = settled.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return parse(s.value);
  });
  return { writers: reports, cleaner: c };
}

async function checkAll(root: string, expected: Set<string>): Promise<{ versions: number }> {
  const t = await (await connect(root)).openTable('r');
  const versions = (await t.listVersions()).map((v) => v.version);
  for (const v of versions) {
    await t.checkout(v);
    const rows = await readIntact(t);
    expect(new Set(rows).size, `version ${v} has duplicate rows`).toBe(rows.length);
    for (const r of rows) expect(expected.has(r), `version ${v} has unknown row ${r}`).toBe(true);
  }
  await t.checkoutLatest();
  const latest = await readIntact(t);
  expect(latest.sort()).toEqual([...expected].sort());
  const peer = await peerScan(join(root, 'r.lance'), { columns: ['worker', 'seq'] });
  const peerRows = [...(peer.getChild('worker')!.toArray() as Int32Array)].map((w, i) => `${w}:${(peer.getChild('seq')!.toArray() as Int32Array)[i]}`);
  expect(peerRows.sort()).toEqual([...expected].sort());
  return { versions: versions.length };
}

describe('cleanup racing writers in other processes', () => {
  it('cleanup vs compaction: compacted fragments and their linked sidecars survive', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-race-compact-'));
    dirs.push(root);
    const db = await connect(root);
    const rows = (k: number) => Array.from({ length: 2 }, (_, i) => ({ worker: 9, seq: k * 10 + i, payload: payload(9, k * 10 + i) }));
    const t = await db.createTable('r', rows(0), { schema });
    for (let k = 1; k < 24; k++) await t.add(rows(k));
    const expected = new Set(Array.from({ length: 24 }, (_, k) => [`9:${k * 10}`, `9:${k * 10 + 1}`]).flat());
    const started = Date.now();
    const { writers, cleaner } = await race(root, [worker(root, 'compactor', { rounds: 6 })]);
    const { versions } = await checkAll(root, expected);
    console.log(
      `cleanup vs compaction: ${writers[0]!.versions.length} compactions, ${cleaner.cleanups} cleanups removed ${cleaner.versionsRemoved} versions and ${cleaner.filesRemoved} files; ${versions} versions left read back intact; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(writers[0]!.versions.length).toBeGreaterThan(0);
    expect(cleaner.cleanups).toBeGreaterThan(0);
  }, 240_000);

  it('cleanup vs three add() writers with blob payloads: every committed row and blob survives', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-race-add-'));
    dirs.push(root);
    const db = await connect(root);
    await db.createTable('r', [{ worker: -1, seq: 0, payload: payload(-1, 0) }], { schema });
    const started = Date.now();
    const { writers, cleaner } = await race(root, [0, 1, 2].map((w) => worker(root, 'adder', { worker: w, commits: 12 })));
    const expected = new Set(['-1:0', ...writers.flatMap((r) => r.rows.map((s) => `${r.worker}:${s}`))]);
    expect(expected.size).toBe(1 + 3 * 12 * 3);
    const { versions } = await checkAll(root, expected);
    console.log(
      `cleanup vs add(): ${writers.reduce((s, r) => s + r.versions.length, 0)} appends, ${cleaner.cleanups} cleanups removed ${cleaner.versionsRemoved} versions and ${cleaner.filesRemoved} files; ${versions} versions left read back intact; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(cleaner.versionsRemoved).toBeGreaterThan(0);
  }, 240_000);
});
