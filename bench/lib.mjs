// Shared helpers for benchmarks. Benchmarks import the built library from dist/ and run one
// scenario per process so that peak RSS (maxRSS) belongs to that scenario alone.
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, readSync, fsyncSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const MB = 1e6;
/** Scale factor: LANCET_BENCH_SCALE=0.1 runs everything on a tenth of the data. */
export const SCALE = Number(process.env.LANCET_BENCH_SCALE ?? '1');

export function benchDir(name) {
  const base = process.env.LANCET_BENCH_DIR ?? join(process.cwd(), '.bench-data');
  return mkdtempSync(join(base.startsWith('/') ? base : join(process.cwd(), base), `${name}-`));
}

export function ensureBenchRoot() {
  const base = process.env.LANCET_BENCH_DIR ?? join(process.cwd(), '.bench-data');
  rmSync(base, { recursive: true, force: true });
  return import('node:fs').then((fs) => fs.mkdirSync(base, { recursive: true }));
}

export async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, result };
}

/** Drops the page cache when possible (root on Linux), so reads are cold; returns whether it did. */
export function dropCaches() {
  try {
    const fd = openSync('/proc/sys/vm/drop_caches', 'w');
    writeSync(fd, '3\n');
    closeSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Raw sequential write of `bytes` bytes in 4 MiB chunks (with fsync), and read back: the floor to compare against. */
export function rawSequential(dir, bytes) {
  const path = join(dir, 'raw.bin');
  const chunk = Buffer.alloc(4 << 20, 0x5a);
  const t0 = process.hrtime.bigint();
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
  fsyncSync(fd);
  closeSync(fd);
  const writeS = Number(process.hrtime.bigint() - t0) / 1e9;
  dropCaches();
  const t1 = process.hrtime.bigint();
  const rfd = openSync(path, 'r');
  let n;
  do n = readSync(rfd, chunk, 0, chunk.length, null);
  while (n > 0);
  closeSync(rfd);
  const readS = Number(process.hrtime.bigint() - t1) / 1e9;
  rmSync(path);
  return { writeMBps: bytes / MB / writeS, readMBps: bytes / MB / readS, writeS, readS };
}

export function peakRssMB() {
  return process.resourceUsage().maxRSS / 1024;
}

/** Deterministic PRNG (xorshift32) so runs are comparable. */
export function prng(seed = 0x9e3779b9) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

export function fillRandom(buf, rnd) {
  const u32 = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >> 2);
  for (let i = 0; i < u32.length; i++) u32[i] = (rnd() * 4294967296) >>> 0;
  return buf;
}

/** The Lance 12 peer (CommonJS, with its own apache-arrow copy). */
export function peer() {
  const require = createRequire(import.meta.url);
  return { lancedb: require('@lancedb/lancedb'), arrow: require('apache-arrow') };
}

export function report(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

export function dirSize(dir) {
  let total = 0;
  const walk = (d) => {
    for (const e of require_fs().readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += require_fs().statSync(p).size;
    }
  };
  walk(dir);
  return total;
}
let fsMod;
function require_fs() {
  return (fsMod ??= createRequire(import.meta.url)('node:fs'));
}

// ---------- shared by the dataset / blob / SQL benchmarks ----------
import { readdirSync as _readdir, statSync as _stat } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
export const r1 = (x) => Math.round(x * 10) / 10;
export const r3 = (x) => Math.round(x * 1000) / 1000;

/** path → {size, ino} of every file under dir. */
export function listFiles(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of _readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = _stat(p);
        out.set(p, { size: st.size, ino: st.ino });
      }
    }
  };
  try { walk(dir); } catch { /* absent */ }
  return out;
}
/**
 * Bytes of files that appeared or changed size since `before` (what an operation wrote). Hard
 * links to files that already existed (same inode) are counted apart, as linked bytes.
 */
export function bytesWrittenSince(dir, before) {
  return writtenSince(dir, before).written;
}
export function writtenSince(dir, before) {
  const inodes = new Set([...before.values()].map((f) => f.ino));
  let written = 0;
  let linked = 0;
  for (const [p, f] of listFiles(dir)) {
    const old = before.get(p);
    if (old && old.size === f.size) continue;
    if (!old && inodes.has(f.ino)) linked += f.size;
    else written += f.size;
  }
  return { written, linked };
}

/** The benchmarks' blob table: `rows` × `size` B random payloads (each starts with a `<ROWi>` tag). */
export const BLOB_SIZE = 500_000;
export const BLOB_ROWS = Math.max(100, Math.round(2000 * SCALE));
export function fillPayload(buf, i) {
  randomFillSync(buf);
  buf.write(`<ROW${i}>`.padEnd(16, '='), 0, 'latin1');
  return buf;
}
export const label = (i) => `label-${i}`;
export const category = (i) => `cat${i % 10}`;

/** Arrow column Data helpers for either arrow copy (ours ESM, or the peer's CJS). */
export function columns(arrow) {
  const enc = new TextEncoder();
  const utf8 = (strs) => {
    const parts = strs.map((s) => enc.encode(s));
    const offsets = new Int32Array(parts.length + 1);
    for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
    const data = new Uint8Array(offsets[parts.length]);
    parts.forEach((p, i) => data.set(p, offsets[i]));
    return arrow.makeData({ type: new arrow.Utf8(), length: parts.length, nullCount: 0, valueOffsets: offsets, data });
  };
  const nullUtf8 = (n) => arrow.makeData({ type: new arrow.Utf8(), length: n, nullCount: n, nullBitmap: new Uint8Array(Math.ceil(n / 8)), valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
  const int64 = (nums) => arrow.makeData({ type: new arrow.Int64(), length: nums.length, nullCount: 0, data: BigInt64Array.from(nums, (x) => BigInt(x)) });
  /** LargeBinary over one backing buffer, row k = backing[k*size, (k+1)*size). */
  const largeBinary = (backing, n, size) => {
    const offsets = new BigInt64Array(n + 1);
    for (let k = 0; k <= n; k++) offsets[k] = BigInt(k * size);
    return arrow.makeData({ type: new arrow.LargeBinary(), length: n, nullCount: 0, valueOffsets: offsets, data: backing.subarray(0, n * size) });
  };
  /** Blob v2 logical struct {data, uri} for a blob field. */
  const blob = (field, bin) => arrow.makeData({ type: field.type, length: bin.length, nullCount: 0, children: [bin, nullUtf8(bin.length)] });
  const batch = (fields, datas) => {
    const schema = new arrow.Schema(fields);
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: datas[0].length, nullCount: 0, children: datas }));
  };
  return { utf8, int64, largeBinary, blob, batch };
}

/** Row i of the blob table as column values (ids from `first`). */
export function blobTableFields(arrow, blobFieldFn) {
  return [
    new arrow.Field('id', new arrow.Int64(), false),
    new arrow.Field('category', new arrow.Utf8(), true),
    new arrow.Field('label', new arrow.Utf8(), true),
    blobFieldFn('image'),
  ];
}

/** One RecordBatch of blob-table rows [first, first+n) over `backing` (filled here). */
export function blobTableBatch(arrow, fields, first, n, size, backing) {
  const c = columns(arrow);
  const ids = Array.from({ length: n }, (_, k) => first + k);
  for (let k = 0; k < n; k++) fillPayload(backing.subarray(k * size, (k + 1) * size), first + k);
  return c.batch(fields, [c.int64(ids), c.utf8(ids.map(category)), c.utf8(ids.map(label)), c.blob(fields[3], c.largeBinary(backing, n, size))]);
}

/** Async stream of blob-table batches (bounded memory: one batch of payloads alive at a time). */
export async function* blobTableStream(arrow, fields, rows, size, batchRows = 16, first = 0) {
  for (let s = 0; s < rows; s += batchRows) {
    const n = Math.min(batchRows, rows - s);
    yield blobTableBatch(arrow, fields, first + s, n, size, Buffer.allocUnsafe(n * size));
  }
}

/** Is this process the Lance-peer child of a benchmark? */
export const IS_PEER_CHILD = process.argv.includes('--peer');

/**
 * Runs `script` again in a child process with `--peer` (and `args`), so the Lance 12 side has
 * its own peak RSS. Returns the last JSON line the child printed, or {error}.
 */
export function runPeerChild(script, args = []) {
  return runChild(script, ['--peer', ...args]);
}

/** Runs `script` with `args` in a child process; returns the last JSON line it printed, or {error}. */
export function runChild(script, args = []) {
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, env: process.env });
  const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{'));
  if (r.status !== 0 || lines.length === 0) return { error: `peer child exited ${r.status}${r.error ? ' ' + r.error.message : ''}` };
  return JSON.parse(lines.at(-1));
}

/** Seeded pick of k distinct integers below n. */
export function pickDistinct(n, k, seed = 777) {
  const rnd = prng(seed);
  const s = new Set();
  while (s.size < Math.min(k, n)) s.add(Math.floor(rnd() * n));
  return [...s];
}

/** Value after `--name` on the command line. */
export function argOf(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Resident set size now, in MiB (same unit as peakRssMB). */
export function rssNowMB() {
  return Math.round(process.memoryUsage().rss / 1048576);
}

/** Debug line on stderr. */
export function log(name, ...a) {
  process.stderr.write(`[${name}] ${a.join(' ')}\n`);
}

/**
 * One record batch of the mixed-column benchmark table (int64, float64, 24-byte utf8, 64-byte
 * binary) and its logical size in bytes.
 */
export async function mixedBatch(rows, rnd) {
  const arrow = await import('apache-arrow');
  const ids = new BigInt64Array(rows);
  const vals = new Float64Array(rows);
  const strOffsets = new Int32Array(rows + 1);
  const strData = new Uint8Array(rows * 24);
  const binOffsets = new Int32Array(rows + 1);
  const binData = fillRandom(new Uint8Array(rows * 64), rnd);
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(i);
    vals[i] = rnd();
    strOffsets[i + 1] = (i + 1) * 24;
    binOffsets[i + 1] = (i + 1) * 64;
  }
  for (let i = 0; i < strData.length; i++) strData[i] = 97 + ((rnd() * 26) | 0);
  const data = {
    id: arrow.makeData({ type: new arrow.Int64(), length: rows, data: ids }),
    value: arrow.makeData({ type: new arrow.Float64(), length: rows, data: vals }),
    name: arrow.makeData({ type: new arrow.Utf8(), length: rows, valueOffsets: strOffsets, data: strData }),
    payload: arrow.makeData({ type: new arrow.Binary(), length: rows, valueOffsets: binOffsets, data: binData }),
  };
  return { batch: new arrow.RecordBatch(data), bytes: rows * (8 + 8 + 24 + 64) };
}
