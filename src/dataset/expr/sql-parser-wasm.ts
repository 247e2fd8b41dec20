// The wasm instance behind the SQL parser, and its replacement after a trap. A trap inside the
// module (stack overflow, `unreachable`) leaves its linear memory and stack pointer wherever they
// were, and every later call on that instance fails; so a trapped instance is dropped and the
// next one is instantiated from the compiled module at once. wasm-bindgen keeps the instance in
// module-level state of its JS glue, so each instance needs its own copy of the glue: one copy
// is kept imported ahead of time (importing is asynchronous, instantiating is not).
//
// The 3.5 MB module itself is read and compiled on the first parse, synchronously (Node allows a
// synchronous compile of any size), so importing lancet costs only the small glue imports and
// programs that never parse SQL never pay for the compile.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Statement } from '@guanmingchiu/sqlparser-ts';
import { SqlError } from '../../errors.js';

/** The part of the wasm-bindgen glue lancet calls. */
interface Glue {
  initSync(opts: { module: CompiledModule }): unknown;
  parse_sql(dialect: string, sql: string): unknown;
}

/** A syntax error reported by the parser (not a failure of the parser itself). */
export class ParserSyntaxError extends Error {}

const entry = pathToFileURL(createRequire(import.meta.url).resolve('@guanmingchiu/sqlparser-ts'));
const GLUE_URL = new URL('../wasm/sqlparser_rs_wasm.js', entry).href;
/** A compiled WebAssembly.Module (the ES2022 lib this project builds with does not declare it). */
type CompiledModule = object;
// The global exists in every runtime lancet supports.
const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => CompiledModule } }).WebAssembly;
let compiledModule: CompiledModule | undefined;
function compiled(): CompiledModule {
  return (compiledModule ??= new wasmApi.Module(readFileSync(new URL('../wasm/sqlparser_rs_wasm_bg.wasm', entry))));
}

let copies = 0;
/** A fresh, not yet instantiated copy of the glue (the query string makes it a new module). */
async function importGlue(): Promise<Glue> {
  return (await import(/* @vite-ignore */ `${GLUE_URL}?instance=${copies++}`)) as Glue;
}

function instantiate(glue: Glue): Glue {
  glue.initSync({ module: compiled() });
  return glue;
}

// Two copies in stock, so that two traps in a row with no chance to import in between (a
// synchronous loop of bad filters) still find a replacement.
const STOCK = 2;
/** The instance in use; instantiated from `fresh` on the first parse. */
let current: Glue | undefined;
let fresh: Glue | undefined = await importGlue();
const spares: Glue[] = [];
let refilling: Promise<void> | undefined;

function refill(): Promise<void> {
  if (!refilling) {
    // Cleared in a later microtask, after the assignment, even when there is nothing to import.
    refilling = (async () => {
      while (spares.length < STOCK) spares.push(await importGlue());
    })().finally(() => {
      refilling = undefined;
    });
  }
  return refilling;
}
await refill();

/** Replaces the trapped instance with a spare (synchronously) and restocks in the background. */
function replace(): void {
  const next = spares.shift();
  current = next ? instantiate(next) : undefined;
  void refill().catch(() => undefined);
}

/** Resolves once an instance is ready and the stock of spares is full again. */
export async function parserReady(): Promise<void> {
  await refill();
  if (!current) activate();
  await refill();
}

/** Makes an instance current: the first one (compiling the module), else a spare. */
function activate(): void {
  if (fresh) {
    current = instantiate(fresh);
    fresh = undefined;
  } else if (spares.length > 0) replace();
}

/**
 * Parses `sql` with `dialect`. A syntax error throws ParserSyntaxError; a failure of the wasm
 * module itself throws SqlError('SQL_PARSER_FAILED') and replaces the instance.
 */
export function wasmParse(dialect: string, sql: string): Statement[] {
  if (!current) {
    activate();
    if (!current) throw new SqlError('SQL_PARSER_UNAVAILABLE', 'the SQL parser is being re-created after an internal failure; await initSqlParser() and retry the statement');
  }
  try {
    return current!.parse_sql(dialect, sql) as Statement[];
  } catch (e) {
    // The parser reports syntax errors as plain values; anything thrown as an Error came from
    // the wasm machine (a trap) or the glue, and the instance can no longer be trusted.
    if (!(e instanceof Error)) throw new ParserSyntaxError(typeof e === 'string' ? e : String((e as { message?: unknown })?.message ?? e));
    replace();
    throw new SqlError(
      'SQL_PARSER_FAILED',
      `the SQL parser failed internally (${e.message}) on ${sql.length} characters of SQL; it has been re-created and later statements are unaffected. Simplify the statement: shorter AND/OR chains, IN (...) lists instead of OR chains of equalities`,
      { reason: e.message },
      { cause: e },
    );
  }
}
