// Runs every benchmark in its own process (so peak RSS is per scenario) and prints a summary.
// Usage: npm run bench [-- name ...]     LANCET_BENCH_SCALE=0.1 for a quick pass.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run-all.mjs'].includes(f))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
mkdirSync(join(process.cwd(), '.bench-data'), { recursive: true });
const results = [];
for (const s of scripts) {
  process.stderr.write(`bench ${s} ...\n`);
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', join(here, s)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    for (const line of out.trim().split('\n')) {
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line);
      results.push(r);
      process.stdout.write(JSON.stringify(r) + '\n');
    }
  } catch (e) {
    results.push({ bench: s, error: String(e.message ?? e).split('\n')[0] });
    process.stdout.write(JSON.stringify(results.at(-1)) + '\n');
  }
}
const outPath = join(process.cwd(), '.bench-data', 'results.json');
writeFileSync(outPath, JSON.stringify(results, null, 2));
process.stderr.write(`results written to ${outPath}\n`);
