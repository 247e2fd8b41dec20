// Reliability: a writer process that commits in a loop (appends with a Blob V2 column, some
// deletes) is SIGKILLed at random points, 200 times (two datasets in parallel). After each kill
// the dataset opens at a committed version with exactly that version's rows (the worker's log
// says which: the last committed version, or the one it was committing), blob payloads read
// back intact, and the verifier reports nothing but orphans. At the end every logged version
// still opens with its rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, type Table } from '../../src/dataset/index.js';
import '../../src/dataset/blob/table-blobs.js';
import { blobField } from '../../src/format/blob/index.js';
import { verifyDataset, type VerifyReport } from '../../src/cli/inspect/verify-dataset.js';
import { seededRandom } from '../../src/io/faulty-store.js';
import { spawnNode } from '../../test/helpers/processes.js';
import { workerLibrary, type WorkerLibrary } from '../../test/helpers/worker-build.js';

const KILLS = Number(process.env.LANCET_REL_KILLS ?? 200);
const LANES = 2;

let lib: WorkerLibrary;
const dirs: string[] = [];
beforeAll(async () => {
  lib = await workerLibrary();
}, 180_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function payload(id: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (id * 31 + j * 7) & 255;
  return b;
}

interface State {
  version: number;
  rows: number;
  sum: number;
}

/** Row count and id sum of a version (or the latest). */
async function observe(t: Table): Promise<{ rows: number; sum: number; ids: Int32Array; addrs: BigUint64Array }> {
  const tb = await t.query().select(['id']).withRowAddress().toArrow();
  const ids = tb.getChild('id')!.toArray() as Int32Array;
  const addrs = tb.getChild('_rowaddr')!.toArray() as BigUint64Array;
  return { rows: tb.numRows, sum: ids.reduce((a, b) => a + b, 0), ids, addrs };
}

interface LaneFigures {
  kills: number;
  commits: number;
  killedMidCommit: number;
  orphans: number;
  cleaned: number;
  blobsChecked: number;
  logged: State[];
}

async function lane(n: number): Promise<LaneFigures> {
  const root = mkdtempSync(join(tmpdir(), `lancet-rel-crash-${n}-`));
  dirs.push(root);
  const random = seededRandom(7700 + n);
  const db = await connect(root);
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 100, dedicatedSizeThreshold: 4000 })]);
  await db.createTable('c', [{ id: 0, payload: payload(0, 3000) }], { schema });
  let state: State = { version: 1, rows: 1, sum: 0 };
  const fig: LaneFigures = { kills: 0, commits: 0, killedMidCommit: 0, orphans: 0, cleaned: 0, blobsChecked: 0, logged: [state] };
  const spawnWorker = () => spawnNode(join(__dirname, 'workers/crash-writer.mjs'), [JSON.stringify({ lib: lib.url(''), root })]);
  let next = spawnWorker();
  for (let k = 0; k < KILLS / LANES; k++) {
    const log = join(root, `log-${k}.txt`);
    const { child, exited, waitFor } = next;
    await waitFor('loaded', 60_000);
    child.stdin!.write(JSON.stringify({ log, seed: n * 100_000 + k }) + '\n');
    await waitFor('ready', 60_000);
    await new Promise((r) => setTimeout(r, 5 + Math.floor(random() * 196)));
    child.kill('SIGKILL');
    const res = await exited;
    // The next worker loads the library while this kill is checked.
    if (k + 1 < KILLS / LANES) next = spawnWorker();
    if (res.signal !== 'SIGKILL') throw new Error(`crash writer ended by itself (${res.code}): ${res.stderr.slice(-3000)}`);
    fig.kills++;

    // The model: committed versions from the log, and the commit in flight, if any.
    const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(0, -1) : []; // a torn last line is dropped
    let pending: State | undefined;
    for (const line of lines) {
      const [tag, a, b, c] = line.split(' ');
      if (tag === 'P') pending = { version: state.version + 1, rows: Number(a), sum: Number(b) };
      else {
        const s = { version: Number(a), rows: Number(b), sum: Number(c) };
        expect(s.version).toBe(state.version + 1);
        state = s;
        fig.logged.push(s);
        fig.commits++;
        pending = undefined;
      }
    }
    const t = await (await connect(root)).openTable('c');
    const v = await t.version();
    const seen = await observe(t);
    if (v === state.version) {
      expect({ rows: seen.rows, sum: seen.sum }).toEqual({ rows: state.rows, sum: state.sum });
    } else {
      // Killed after the manifest was written but before the worker logged it.
      expect(pending, `version ${v} is neither the logged ${state.version} nor the one in flight`).toBeDefined();
      expect(v).toBe(pending!.version);
      expect({ rows: seen.rows, sum: seen.sum }).toEqual({ rows: pending!.rows, sum: pending!.sum });
      state = pending!;
      fig.logged.push(state);
      fig.commits++;
      fig.killedMidCommit++;
    }
    // Payloads of a few live rows read back intact (null rows are allowed to be null).
    const picks = Array.from({ length: Math.min(4, seen.rows) }, () => Math.floor(random() * seen.rows));
    const got = await t.fetchBlobs('payload', picks.map((i) => seen.addrs[i]!));
    got.forEach((g, j) => {
      if (g === null) return;
      expect(Buffer.from(g).equals(Buffer.from(payload(seen.ids[picks[j]!]!, g.length)))).toBe(true);
      fig.blobsChecked++;
    });
    // Every ~10th kill (and the last) the whole dataset is verified: nothing but orphans.
    if (k % 10 === 9 || k === KILLS / LANES - 1) {
      const report: VerifyReport = await verifyDataset(await t.dataset());
      const errors = report.findings.filter((f) => f.severity !== 'orphan');
      expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    }
  }
  // Every version the model knows still opens with its rows.
  const t = await (await connect(root)).openTable('c');
  for (const s of fig.logged) {
    await t.checkout(s.version);
    const seen = await observe(t);
    expect({ v: s.version, rows: seen.rows, sum: seen.sum }).toEqual({ v: s.version, rows: s.rows, sum: s.sum });
  }
  await t.checkoutLatest();
  const deep = await verifyDataset(await t.dataset(), { deep: true });
  expect(deep.findings.filter((f) => f.severity !== 'orphan')).toEqual([]);
  fig.orphans = deep.findings.length;
  // cleanup keeping every version (all are among the newest N) removes exactly the orphans: they
  // are minutes old, so only with deleteUnverified (no writer is running any more).
  const cleaned = await t.cleanup({ olderThan: 0, retainVersions: 1_000_000, deleteUnverified: true });
  expect(cleaned.versionsRemoved).toBe(0);
  fig.cleaned = cleaned.filesRemoved;
  const after = await verifyDataset(await t.dataset(), { deep: true });
  expect(after.findings).toEqual([]);
  expect((await t.listVersions()).length).toBe(fig.logged.length);
  const last = fig.logged[fig.logged.length - 1]!;
  const seen = await observe(t);
  expect({ rows: seen.rows, sum: seen.sum }).toEqual({ rows: last.rows, sum: last.sum });
  return fig;
}

describe('reliability: crash injection', () => {
  it(`${KILLS} SIGKILLs of a committing writer: the dataset always opens at a committed version with its rows; only orphans remain`, async () => {
    const started = Date.now();
    const figs = await Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
    const sum = (f: (x: LaneFigures) => number) => figs.reduce((s, x) => s + f(x), 0);
    console.log(
      `reliability: crash injection: ${sum((f) => f.kills)} SIGKILLs survived, ${sum((f) => f.commits)} commits landed (${sum((f) => f.killedMidCommit)} killed between commit and log), ${sum((f) => f.logged.length)} versions re-read intact, ${sum((f) => f.blobsChecked)} blobs checked, ${sum((f) => f.orphans)} orphans reported, 0 errors; cleanup removed ${sum((f) => f.cleaned)} files, then 0 findings; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(sum((f) => f.kills)).toBe(KILLS);
  }, 900_000);
});
