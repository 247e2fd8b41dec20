// The one place lancet touches the SQL parser (datafusion-sqlparser-rs 0.62 compiled to wasm,
// dialect `spark`), so the parser can be swapped without touching the binder or executor.
//
// Initialisation: the small JS glue is imported with a top-level `await` when this module is
// first imported and the wasm module is compiled synchronously on the first parse
// (sql-parser-wasm.ts), so `parseSql`, `parseFilter` and `parseExpr` are synchronous for callers
// and importing lancet does not pay for the compile.
// `initSqlParser()` is kept as an explicit (idempotent) hook for code that wants to await the
// load at a chosen moment; it never needs to be called.
//
// AST shape relied on (serde JSON of the Rust enums; every node also carries `span`s we ignore):
// - statements: `[{ Query: { body: { Select: { projection, selection, from, ... } }, order_by, ... } }]`,
//   `{ Update: ... }`, `{ Delete: ... }`, `{ Merge: ... }`, `{ CreateTable: ... }` etc.
// - expressions are single-key objects `{ Variant: payload }`, e.g.
//   `{ Identifier: { value, quote_style } }`, `{ CompoundIdentifier: [ident, ident, ...] }`,
//   `{ Value: { value: { Number: ["1", false] } | { SingleQuotedString } | { DoubleQuotedString }
//      | { HexStringLiteral } | { Boolean } | "Null" } }`,
//   `{ BinaryOp: { left, op: "Eq"|"NotEq"|"Lt"|...|"And"|"Or"|"Plus"|"StringConcat"..., right } }`,
//   `{ UnaryOp: { op: "Not"|"Minus"|"Plus", expr } }`, `{ IsNull: expr }`, `{ IsNotNull: expr }`,
//   `{ InList: { expr, list, negated } }`, `{ Between: { expr, low, high, negated } }`,
//   `{ Like | ILike: { expr, pattern, escape_char?: { value: {SingleQuotedString} }, negated } }`,
//   `{ Case: { operand?, conditions: [{ condition, result }], else_result? } }`,
//   `{ Cast: { kind: "Cast"|"TryCast"|"DoubleColon", expr, data_type } }`,
//   `{ TypedString: { data_type: "Date" | { Timestamp: [...] }, value: { value: {SingleQuotedString} } } }`,
//   `{ Function: { name: [{ Identifier }], args: { List: { args: [{ Unnamed: { Expr } }] } } } }`,
//   `{ Substring: { expr, substring_from?, substring_for? } }`, `{ Trim: { expr, trim_where?, trim_what? } }`,
//   `{ Nested: expr }` for parentheses.
// - parameterless data types come back as `{ Int: undefined }` (so `Object.keys(dt)[0]` names them)
//   or as bare strings (`"Boolean"`, `"Date"`).
import type { Statement } from '@guanmingchiu/sqlparser-ts';
import { SqlError } from '../../errors.js';
import { checkExpressionDepth } from './sql-limits.js';
import { ParserSyntaxError, parserReady, wasmParse } from './sql-parser-wasm.js';

export type { Statement } from '@guanmingchiu/sqlparser-ts';

/** The dialect every lancet statement and filter is parsed with. */
export const SQL_DIALECT = 'spark';

/**
 * Idempotent: compiles the parser now instead of on the first parse. After an internal parser
 * failure, resolves once the replacement instance is ready.
 */
export async function initSqlParser(): Promise<void> {
  await parserReady();
}

/** Where the text handed to the parser differs from the text the user wrote. */
export interface SourceMapping {
  /** The text to show in error messages (what the user typed). */
  userText: string;
  /** Lines the wrapper prepended before the user's text (negative: the text starts further down). */
  lineOffset: number;
  /** Columns of the user's line that precede the parsed text's first line (a statement starting mid-line). */
  columnOffset?: number;
  /** Where the parsed text ends in the user's text (one statement of a script); default: its end. */
  textEnd?: number;
}

/** Parses one or more SQL statements (dialect `spark`); syntax errors become `SqlError('SQL_PARSE')`. */
export function parseSql(sql: string): Statement[] {
  return parseWrapped(sql, { userText: sql, lineOffset: 0 });
}

/** Parses `wrapped`, reporting errors against the user's text as described by `mapping`. */
export function parseWrapped(wrapped: string, mapping: SourceMapping): Statement[] {
  // Refused before parsing: a tree too deep for the parser traps it (see sql-limits.ts).
  checkExpressionDepth(wrapped);
  try {
    return wasmParse(SQL_DIALECT, wrapped);
  } catch (err) {
    if (err instanceof ParserSyntaxError) throw toSqlParseError(err, mapping);
    throw err;
  }
}

function toSqlParseError(err: unknown, mapping: SourceMapping): SqlError {
  const raw = err instanceof Error ? err.message : String(err);
  const text = raw.replace(/^sql parser error:\s*/, '');
  const m = /\s*at Line: (\d+), Column: (\d+)\s*$/.exec(text);
  const reason = m ? text.slice(0, m.index) : text;
  const lines = mapping.userText.split('\n');
  let line: number;
  let column: number;
  if (m) {
    line = Number(m[1]) - mapping.lineOffset;
    column = Number(m[2]) + (Number(m[1]) === 1 ? (mapping.columnOffset ?? 0) : 0);
    // An error reported inside the wrapper text (before the user's first line) points at the start.
    if (line < 1) {
      line = 1;
      column = 1;
    }
  } else {
    // No position (e.g. "found: EOF"): point just past the end of the parsed part of the user's text.
    const upTo = mapping.userText.slice(0, mapping.textEnd ?? mapping.userText.length).split('\n');
    line = upTo.length;
    column = (upTo[upTo.length - 1] ?? '').length + 1;
  }
  line = Math.min(line, lines.length);
  const message = `SQL parse error at line ${line}, column ${column}: ${reason}\n${caretSnippet(mapping.userText, line, column)}`;
  return new SqlError('SQL_PARSE', message, { line, column, reason }, { cause: err });
}

/** The offending source line followed by a caret under `column` (both 1-based). */
export function caretSnippet(text: string, line: number, column: number): string {
  const src = text.split('\n')[line - 1] ?? '';
  const pad = src.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  return `  ${src}\n  ${pad}^`;
}
