// One compiled copy of the library per test run, for tests that spawn worker processes (which
// need JavaScript). Test files run in separate fork processes of one vitest process, so the copy
// is keyed by the vitest process id (our parent): the first file to ask compiles it under a
// lock directory, the others wait for its "done" marker. Copies left by runs whose vitest
// process is gone are removed. The copy lives inside the repository so node_modules resolves.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = resolve(__dirname, '../..');
const buildRoot = join(repo, '.test-build');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeStale(): void {
  if (!existsSync(buildRoot)) return;
  for (const name of readdirSync(buildRoot)) {
    const m = /^lib-(\d+)(\.lock)?$/.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(join(buildRoot, name), { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkerLibrary {
  /** Directory of the compiled `src/` tree. */
  dir: string;
  /** file:// URL of a compiled module, e.g. url('dataset/index.js'). */
  url(module: string): string;
}

let cached: Promise<WorkerLibrary> | undefined;

async function build(): Promise<WorkerLibrary> {
  const key = process.ppid;
  const dir = join(buildRoot, `lib-${key}`);
  const lock = `${dir}.lock`;
  // The marker lives in the lock directory: written on failure too, so waiters stop waiting.
  const done = join(lock, 'status');
  const lib: WorkerLibrary = { dir, url: (m) => pathToFileURL(join(dir, m)).href };
  mkdirSync(buildRoot, { recursive: true });
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // another test file of this run is building it
  }
  if (owner) {
    removeStale();
    await new Promise<void>((res) => {
      // tsc emits even when files elsewhere fail to typecheck; the marker check below decides.
      execFile(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json'), '--outDir', dir, '--declaration', 'false', '--sourceMap', 'false'], () => res());
    });
    const ok = existsSync(join(dir, 'dataset/index.js'));
    writeFileSync(done, ok ? 'ok' : 'failed');
    if (!ok) throw new Error('library build for worker processes failed');
    return lib;
  }
  const deadline = Date.now() + 170_000;
  while (!existsSync(done) || readFileSync(done, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the worker library build in ${dir}`);
    await sleep(200);
  }
  if (readFileSync(done, 'utf8') !== 'ok') throw new Error('library build for worker processes failed (in another test file)');
  return lib;
}

/** The compiled library for worker processes (built at most once per vitest run). */
export function workerLibrary(): Promise<WorkerLibrary> {
  cached ??= build();
  return cached;
}
