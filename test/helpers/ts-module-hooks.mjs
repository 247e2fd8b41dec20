// Module hooks for child processes that import lancet's TypeScript sources directly: `.js`
// specifiers resolve to the `.ts` next to them, `.ts` is transpiled per file (as vitest does),
// and every resolved URL is appended to the file named by LANCET_MODULE_LOG, so a test can see
// which modules an import really loaded (ESM has no process.moduleLoadList).
import { appendFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const log = process.env.LANCET_MODULE_LOG;

export async function resolve(specifier, context, next) {
  let url;
  if (context.parentURL?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const candidate = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(candidate))) url = candidate.href;
  }
  const result = url ? { url, format: 'module', shortCircuit: true } : await next(specifier, context);
  if (log) appendFileSync(log, result.url + '\n');
  return result;
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.split('?')[0].endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
