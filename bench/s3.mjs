// Issue 7 benchmark: Blob V2 ingest and 100 random blob reads on S3 (radosgw on loopback) next to
// the local file system, with request counts from store.counters. Uses LANCET_S3_ENDPOINT (+
// LANCET_S3_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) when set; otherwise starts a private
// radosgw with scripts/rgw/rgw-up.sh on its own ports (RGW 7491, MON 6791) and stops it at the
// end (a radosgw already started by rgw-up.sh at /tmp/lancet-rgw is used first, under a private
// prefix, with at most 400 rows since its memstore is shared). If no radosgw can be had, prints one JSON line saying so (no numbers).
// The memstore OSD of rgw-up.sh holds 2 GiB, so the S3 table is capped at 1000 rows (500 MB).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { BLOB_ROWS, BLOB_SIZE, MB, benchDir, blobTableFields, blobTableStream, log, median, peakRssMB, pickDistinct, r1, r3, report, timed } from './lib.mjs';

const NAME = 's3';
let ROWS = Math.min(BLOB_ROWS, 1000);
const SIZE = BLOB_SIZE;
let N = Math.min(100, ROWS);
const WARM = 5;
const RGW_DIR = '/tmp/lancet-bench-rgw';
const UP = join(process.cwd(), 'scripts/rgw/rgw-up.sh');
const DOWN = join(process.cwd(), 'scripts/rgw/rgw-down.sh');

/** S3 settings from the environment, or from a radosgw started here. */
function s3Env() {
  if (process.env.LANCET_S3_ENDPOINT) {
    return { started: false, endpoint: process.env.LANCET_S3_ENDPOINT, bucket: process.env.LANCET_S3_BUCKET ?? 'lancet-test', region: process.env.LANCET_S3_REGION ?? 'us-east-1', accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
  }
  // A radosgw another process already runs with rgw-up.sh (its env file), used under a private prefix.
  for (const f of ['/tmp/lancet-rgw/env', join(process.cwd(), '.rgw/env')]) {
    if (!existsSync(f)) continue;
    const v = Object.fromEntries([...readFileSync(f, 'utf8').matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    if (spawnSync('curl', ['-s', '-o', '/dev/null', v.LANCET_S3_ENDPOINT]).status === 0) {
      return { started: false, shared: f, endpoint: v.LANCET_S3_ENDPOINT, bucket: v.LANCET_S3_BUCKET, region: v.LANCET_S3_REGION, accessKeyId: v.AWS_ACCESS_KEY_ID, secretAccessKey: v.AWS_SECRET_ACCESS_KEY };
    }
  }
  if (!existsSync(UP)) return { error: 'scripts/rgw/rgw-up.sh not found and LANCET_S3_ENDPOINT not set' };
  const env = { ...process.env, RGW_PORT: '7491', MON_PORT: '6791', RGW_BUCKET: 'lancet-bench' };
  log(NAME, 'starting radosgw in', RGW_DIR);
  const r = spawnSync('bash', [UP, RGW_DIR], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0) return { error: `rgw-up.sh failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  const vars = Object.fromEntries([...readFileSync(join(RGW_DIR, 'env'), 'utf8').matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { started: true, endpoint: vars.LANCET_S3_ENDPOINT, bucket: vars.LANCET_S3_BUCKET, region: vars.LANCET_S3_REGION, accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY };
}

const cfg = s3Env();
if (cfg.error) {
  report({ bench: NAME, measured: false, reason: cfg.error });
  process.exit(0);
}

if (cfg.shared) {
  // someone else's memstore: keep our footprint small
  ROWS = Math.min(ROWS, 400);
  N = Math.min(100, ROWS);
}
const stopRgw = () => {
  if (cfg.started) spawnSync('bash', [DOWN, RGW_DIR], { stdio: 'ignore' });
};

try {
  const { LocalStore } = await import('../dist/io/local-store.js');
  const { S3Store } = await import('../dist/io/s3-store.js');
  const { connect } = await import('../dist/dataset/index.js');
  await import('../dist/dataset/blob/table-blobs.js');
  const { blobField } = await import('../dist/format/blob/blob-field.js');
  const fields = blobTableFields(arrow, (n) => blobField(n));
  const pick = pickDistinct(ROWS, N);

  async function run(kind, store) {
    const db = await connect(kind === 'local' ? store.root : `s3://${cfg.bucket}/${store.prefix ?? ''}`, { store });
    const w0 = { ...store.counters };
    const ingest = await timed(async () => {
      const t = await db.createTable('images', blobTableStream(arrow, fields, ROWS, SIZE), { fileVersion: '2.2' });
      if (kind === 'local') execFileSync('sync');
      return t;
    });
    const t = ingest.result;
    const writeRequests = store.counters.writeRequests - w0.writeRequests;
    const addrOf = new Map();
    for await (const b of t.query().select(['id']).withRowAddress()) {
      for (let k = 0; k < b.numRows; k++) addrOf.set(Number(b.getChild('id').get(k)), b.getChild('_rowaddr').get(k));
    }
    const addrs = pick.map((i) => addrOf.get(i));
    const read = async () => Promise.all((await t.fetchBlobFiles('image', addrs)).map((h) => h.read()));
    const first = await read();
    const verified = first.every((b, k) => b.length === SIZE && Buffer.from(b.buffer, b.byteOffset, 16).toString('latin1') === `<ROW${pick[k]}>`.padEnd(16, '='));
    const r0 = { ...store.counters };
    const warm = [];
    for (let r = 0; r < WARM; r++) warm.push((await timed(read)).s * 1e3);
    const out = {
      ingestS: r1(ingest.s),
      ingestMBps: r1((ROWS * SIZE) / MB / ingest.s),
      ingestWriteRequests: writeRequests,
      ingestBytesWritten: store.counters.bytesWritten - w0.bytesWritten,
      readWarmMs: r1(median(warm)),
      readMBps: r1((N * SIZE) / MB / (median(warm) / 1e3)),
      readRequestsPerRun: r1((store.counters.readRequests - r0.readRequests) / WARM),
      readBytesPerRun: Math.round((store.counters.bytesRead - r0.bytesRead) / WARM),
      verified,
    };
    log(NAME, kind, JSON.stringify(out));
    return out;
  }

  const dir = benchDir(NAME);
  const local = await run('local', new LocalStore(dir));
  rmSync(dir, { recursive: true, force: true });
  const prefix = `bench-${Date.now()}`;
  const s3store = new S3Store({ bucket: cfg.bucket, prefix, endpoint: cfg.endpoint, region: cfg.region, credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } });
  const s3 = await run('s3', s3store);
  // leave the bucket as found
  if (!cfg.started) for (const o of await s3store.list('')) await s3store.delete(o.path);
  report({
    bench: NAME,
    measured: true,
    endpoint: cfg.endpoint,
    radosgw: cfg.started ? 'started by the benchmark (memstore OSD)' : cfg.shared ? `already running (${cfg.shared}), private prefix, capped at 400 rows` : 'from LANCET_S3_ENDPOINT',
    rows: ROWS,
    payloadBytes: ROWS * SIZE,
    reads: N,
    local,
    s3,
    s3VsLocalIngest: r3(s3.ingestMBps / local.ingestMBps),
    s3VsLocalRead: r3(local.readWarmMs / s3.readWarmMs),
    ratioNote: 'ratios = S3 speed / local speed',
    peakRssMB: Math.round(peakRssMB()),
  });
} finally {
  stopRgw();
}
