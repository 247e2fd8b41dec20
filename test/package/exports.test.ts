// The published surface: subpath exports with types, the optional AWS SDK, a tarball that builds
// itself, and `lancet/format` loading nothing of the dataset, SQL or remote-store layers.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

interface Pkg {
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  scripts: Record<string, string>;
  files: string[];
}

const pkg = async (): Promise<Pkg> => JSON.parse(await fs.readFile(nodePath.join(repo, 'package.json'), 'utf8')) as Pkg;

test('every subpath export has types and code, built from an entry module in src/', async () => {
  const { exports } = await pkg();
  expect(Object.keys(exports)).toEqual(expect.arrayContaining(['.', './format', './dataset', './sql', './stores']));
  for (const [sub, target] of Object.entries(exports)) {
    if (sub === './package.json') continue;
    expect(typeof target, sub).toBe('object');
    const { types, default: code } = target as { types: string; default: string };
    expect(types, sub).toBe(code.replace(/\.js$/, '.d.ts'));
    const src = nodePath.join(repo, code.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
    await expect(fs.access(src), `${sub} -> ${src}`).resolves.toBeUndefined();
  }
});

test('the AWS SDK is an optional peer (dev dependency for the tests) and packing builds dist/', async () => {
  const p = await pkg();
  expect(p.dependencies['@aws-sdk/client-s3']).toBeUndefined();
  expect(p.peerDependencies?.['@aws-sdk/client-s3']).toBeDefined();
  expect(p.peerDependenciesMeta?.['@aws-sdk/client-s3']?.optional).toBe(true);
  expect(p.devDependencies['@aws-sdk/client-s3']).toBeDefined();
  expect(p.scripts.prepack).toMatch(/build/);
  expect(p.files).toContain('dist');
  // The maps point at src/, which is not published.
  expect(p.files).toContain('!dist/**/*.map');
});

/**
 * The exports of each src/ module in `entries` and the module URLs a child process resolved while
 * importing it (after those of the entries before it), one child for all.
 */
async function modulesLoadedBy(entries: string[]): Promise<{ exports: string[]; urls: string[] }[]> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-modules-'));
  const log = nodePath.join(dir, 'log');
  try {
    const script = [
      `import { appendFileSync } from 'node:fs';`,
      `for (const entry of ${JSON.stringify(entries.map((e) => new URL(e, `file://${repo}`).href))}) {`,
      `  console.log(JSON.stringify(Object.keys(await import(entry))));`,
      `  appendFileSync(process.env.LANCET_MODULE_LOG, '--\\n');`,
      `}`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', './test/helpers/ts-module-register.mjs', '--input-type=module', '-e', script], {
      cwd: repo,
      env: { ...process.env, LANCET_MODULE_LOG: log },
      timeout: 150_000,
    });
    const exports = stdout.trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const urls = (await fs.readFile(log, 'utf8')).split('--\n').map((part) => [...new Set(part.split('\n').filter(Boolean))]);
    return entries.map((_, i) => ({ exports: exports[i]!, urls: urls[i]! }));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const heavy = /\/src\/(dataset|query|cli)\/|\/src\/io\/(s3-|http-store|open-store)|@aws-sdk|sqlparser/;

test('lancet/format loads no dataset, SQL, S3 or HTTP code; the CLI loads commands only to run them', async () => {
  const [format, cli, opener] = await modulesLoadedBy(['src/format/index.ts', 'src/cli/main.ts', 'src/io/open-store.ts']);
  // `lancet --help` needs the command table only, not the modules behind the commands.
  expect(cli!.exports).toContain('runCli');
  expect(cli!.urls.filter((u) => /\/src\/(dataset|query|cli\/commands)\/|sqlparser/.test(u))).toEqual([]);
  expect(format!.exports).toEqual(expect.arrayContaining(['openLanceFile', 'createFileWriter', 'registerCodec', 'BlobKind']));
  expect(format!.urls.filter((u) => u.includes('/src/format/')).length).toBeGreaterThan(20);
  expect(format!.urls.filter((u) => heavy.test(u))).toEqual([]);
  // The check sees what it looks for: the store opener, imported next, does load the S3 store module.
  expect(opener!.urls.some((u) => u.endsWith('/src/io/s3-store.ts'))).toBe(true);
}, 300_000);
