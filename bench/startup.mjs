// Start-up cost of the built package (dist/; run `npm run build` first): wall time of fresh
// processes, each scenario run LANCET_STARTUP_RUNS times (default 7) in interleaved rounds so that
// load from other processes on the machine hits every scenario alike. Bare `node -e 0` and Arrow's
// own import are measured in the same run as the baselines; the table shows medians.
// Usage: node bench/startup.mjs        (prints a table, then one JSON line per scenario)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.LANCET_STARTUP_RUNS ?? 7);
const node = process.execPath;
const esm = (code) => [node, ['--input-type=module', '-e', code]];

// 'lancet' resolves to this package through its own "exports" (self-reference).
const scenarios = [
  ['node -e 0', [node, ['-e', '0']]],
  ["import('apache-arrow')", esm("await import('apache-arrow')")],
  ["import('lancet')", esm("await import('lancet')")],
  ["import('lancet/format')", esm("await import('lancet/format')")],
  ["import('lancet/sql')", esm("await import('lancet/sql')")],
  ['lancet --help', [node, [join(repo, 'dist/cli/main.js'), '--help']]],
  // The first filter compiles the 3.5 MB SQL parser (on first use, not at import).
  [
    "import('lancet') + first filter",
    esm("const l = await import('lancet'); const t = await (await l.connect('memory://s')).createTable('t', [{ a: 1 }]); await t.countRows('a > 0');"),
  ],
];

function once([cmd, args]) {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const samples = scenarios.map(() => []);
for (let r = 0; r < runs; r++) scenarios.forEach((s, i) => samples[i].push(once(s[1])));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = scenarios.map(([name], i) => ({ name, median: median(samples[i]), min: Math.min(...samples[i]), max: Math.max(...samples[i]) }));
const base = rows[0].median;
const arrow = rows[1].median;
const width = Math.max(...rows.map((r) => r.name.length));
const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;
console.log(`start-up, median of ${runs} (min..max), same run; node ${process.version}`);
console.log(`${'scenario'.padEnd(width)}  ${'median'.padStart(9)}  ${'over node -e 0'.padStart(14)}  min..max`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${ms(r.median)}  ${ms(r.median - base).padStart(14)}  ${r.min.toFixed(0)}..${r.max.toFixed(0)}`);
const lancet = rows[2].median;
const help = rows.find((r) => r.name === 'lancet --help').median;
console.log(`import('lancet') - import('apache-arrow') = ${(lancet - arrow).toFixed(0)} ms (target <= 100 ms); lancet --help = ${help.toFixed(0)} ms (target <= 250 ms)`);
for (const r of rows) console.log(JSON.stringify({ bench: 'startup', scenario: r.name, runs, medianMs: +r.median.toFixed(1), minMs: +r.min.toFixed(1), maxMs: +r.max.toFixed(1), baselineMs: +base.toFixed(1) }));
