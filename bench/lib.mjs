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
