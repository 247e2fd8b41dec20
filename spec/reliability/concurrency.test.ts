// Reliability: 8 writer processes × 50 commits each (appends of their own rows, deletes of
// sub-ranges of their own live rows) on one dataset. Every commit lands exactly once (a version
// of its own, its rows present once) or fails with CommitConflictError; the final rows are the
// union of every worker's model; Lance 12 reads the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { LocalStore } from '../../src/io/local-store.js';
import type { ObjectStore } from '../../src/io/object-store.js';
import { randomUUID } from 'node:crypto';
import { S3Store } from '../../src/io/s3-store.js';
import { fromPeerTable, lancedb, peerScan } from '../../test/helpers/lance-peer.js';
import { rgwEnv } from '../../test/s3/s3-env.js';
import { runNode } from '../../test/helpers/processes.js';
import { workerLibrary, type WorkerLibrary } from '../../test/helpers/worker-build.js';

const WORKERS = 8;
const COMMITS = 50;
// Every S3 commit is a dozen round trips to radosgw; LANCET_S3_COMMITS lowers the count for quick local runs.
const S3_COMMITS = Number(process.env.LANCET_S3_COMMITS ?? 50);

interface Op {
  op: 'append' | 'delete';
  ok: boolean;
  version?: number;
  rows?: number;
  error?: string;
  code?: string;
}
interface WorkerReport {
  worker: number;
  ops: Op[];
  retries: number;
  live: number[];
}

let lib: WorkerLibrary;
const dirs: string[] = [];
beforeAll(async () => {
  lib = await workerLibrary();
}, 180_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type StoreSpec = { kind: 'local'; root: string } | { kind: 's3'; options: Record<string, unknown> };

async function hammer(label: string, store: ObjectStore, spec: StoreSpec, connectUri: string, COMMITS: number, workerTimeoutMs = 240_000): Promise<{ reports: WorkerReport[]; latest: number }> {
  const db = await connect(connectUri, { store });
  await db.createTable('r', arrow.tableFromArrays({ worker: Int32Array.from([-1]), seq: Int32Array.from([-1]) }));
  const started = Date.now();
  const runs = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) =>
      runNode(join(__dirname, 'workers/writer.mjs'), [JSON.stringify({ lib: lib.url(''), store: spec, worker: w, commits: COMMITS, seed: 1000 + w })], workerTimeoutMs),
    ),
  );
  for (const r of runs) if (r.code !== 0) throw new Error(`writer failed (${r.code ?? r.signal}): ${r.stderr.slice(-3000)}`);
  const reports = runs.map((r) => JSON.parse(r.stdout.trim()) as WorkerReport);

  const ops = reports.flatMap((r) => r.ops);
  expect(ops.length).toBe(WORKERS * COMMITS);
  // The only failure allowed is a typed commit conflict.
  for (const o of ops.filter((o) => !o.ok)) expect(o.error).toBe('CommitConflictError');
  const landed = ops.filter((o) => o.ok);
  // Each landed commit has a version of its own, and no version exists that no writer reported.
  const versions = landed.map((o) => o.version!).sort((a, b) => a - b);
  expect(versions).toEqual(Array.from({ length: landed.length }, (_, i) => i + 2));
  const t = await db.openTable('r');
  const latest = await t.version();
  expect(latest).toBe(1 + landed.length);
  // Each version's transaction is the operation its writer says landed there.
  const ds = await t.dataset();
  const kinds = new Map(landed.map((o) => [o.version!, o.op]));
  for (const v of [2, Math.floor(latest / 2), latest]) {
    const at = await ds.atVersion(v);
    expect(at.loaded.transaction?.operation.case).toBe(kinds.get(v));
  }

  const appended = landed.filter((o) => o.op === 'append').reduce((s, o) => s + o.rows!, 0);
  const deleted = landed.filter((o) => o.op === 'delete').reduce((s, o) => s + o.rows!, 0);
  const expectedRows = 1 + appended - deleted;
  expect(await t.countRows()).toBe(expectedRows);
  const all = await t.query().select(['worker', 'seq']).toArrow();
  const key = (tb: arrow.Table) => {
    const w = tb.getChild('worker')!.toArray() as Int32Array;
    const s = tb.getChild('seq')!.toArray() as Int32Array;
    return Array.from(w, (x, i) => `${x}:${s[i]}`).sort();
  };
  const expectedKeys = ['-1:-1', ...reports.flatMap((r) => r.live.map((s) => `${r.worker}:${s}`))].sort();
  const got = key(all);
  expect(got.length).toBe(expectedRows);
  expect(got).toEqual(expectedKeys);
  const retries = reports.reduce((s, r) => s + r.retries, 0);
  const failed = ops.length - landed.length;
  console.log(
    `reliability: ${label}: ${WORKERS} writers x ${COMMITS} commits: ${landed.length} landed (${landed.filter((o) => o.op === 'append').length} appends, ${landed.filter((o) => o.op === 'delete').length} deletes), ${retries} retries, ${failed} CommitConflictError, 0 lost; ${expectedRows} rows; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { reports, latest };
}

describe('reliability: concurrent writer processes', () => {
  it(`${WORKERS} local writers x ${COMMITS} commits: each lands once or fails typed; rows match the model; Lance 12 agrees`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-rel-conc-'));
    dirs.push(root);
    const { reports, latest } = await hammer('local', new LocalStore(root), { kind: 'local', root }, root, COMMITS);
    const path = join(root, 'r.lance');
    const peer = await peerScan(path, { columns: ['worker', 'seq'] });
    const w = peer.getChild('worker')!.toArray() as Int32Array;
    const s = peer.getChild('seq')!.toArray() as Int32Array;
    const peerKeys = Array.from(w, (x, i) => `${x}:${s[i]}`).sort();
    const expectedKeys = ['-1:-1', ...reports.flatMap((r) => r.live.map((q) => `${r.worker}:${q}`))].sort();
    expect(peerKeys).toEqual(expectedKeys);
    const peerAtLatest = await peerScan(path, { version: latest, columns: ['seq'] });
    expect(peerAtLatest.numRows).toBe(expectedKeys.length);
  }, 300_000);

  // radosgw: .ci/run starts it and exports LANCET_S3_ENDPOINT (rgwEnv throws under CI without it).
  const env = rgwEnv();
  it.runIf(env !== undefined)(`${WORKERS} S3 (radosgw) writers x ${S3_COMMITS} commits: each lands once or fails typed; rows match the model; Lance 12 agrees`, async () => {
    const e = env!;
    const options = { endpoint: e.endpoint, bucket: e.bucket, region: e.region, credentials: e.credentials, prefix: `lancet-tests/reliability-${randomUUID()}` };
    const store = new S3Store(options);
    const { reports } = await hammer('s3 (radosgw)', store, { kind: 's3', options }, `s3://${e.bucket}/${options.prefix}`, S3_COMMITS, 540_000);
    const db = await lancedb.connect(`s3://${e.bucket}/${options.prefix}`, {
      storageOptions: { aws_endpoint: e.endpoint, aws_region: e.region, aws_access_key_id: e.credentials.accessKeyId, aws_secret_access_key: e.credentials.secretAccessKey, allow_http: 'true', aws_virtual_hosted_style_request: 'false' },
    });
    const peer = fromPeerTable(await (await db.openTable('r')).query().select(['worker', 'seq']).toArrow());
    const w = peer.getChild('worker')!.toArray() as Int32Array;
    const s = peer.getChild('seq')!.toArray() as Int32Array;
    const peerKeys = Array.from(w, (x, i) => `${x}:${s[i]}`).sort();
    expect(peerKeys).toEqual(['-1:-1', ...reports.flatMap((r) => r.live.map((q) => `${r.worker}:${q}`))].sort());
    for (const o of await store.list('')) await store.delete(o.path);
  }, 600_000);
});

