// Splits a script into statements and papers over the few Spark forms the parser's spark dialect
// rejects, without moving any character (so parse errors keep the user's line and column):
// `VERSION AS OF n` is blanked out and re-attached to its table, `CREATE NAMESPACE` is read as
// `CREATE DATABASE`, `DESCRIBE TABLE x` as `DESCRIBE x`.
import type { Statement } from '../../dataset/expr/sql-parser.js';
import { parseWrapped } from '../../dataset/expr/sql-parser.js';
import type { Obj } from './ast-util.js';

export interface ScriptStatement {
  /** The statement as the user wrote it (trimmed). */
  text: string;
  ast: Statement;
}

/** Character ranges of code outside quotes and comments, as a mask. */
function codeMask(s: string): Uint8Array {
  const m = new Uint8Array(s.length);
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const q = c;
      i++;
      while (i < s.length && !(s[i] === q && s[i + 1] !== q)) i += s[i] === q ? 2 : s[i] === '\\' && q !== '`' ? 2 : 1;
      i++;
    } else if (c === '-' && s[i + 1] === '-') {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
    } else {
      m[i] = 1;
      i++;
    }
  }
  return m;
}

interface Rewrite {
  text: string;
  /** VERSION AS OF n occurrences: where they started (line/column) and n. */
  versions: { line: number; column: number; version: number }[];
}

function lineCol(s: string, at: number): { line: number; column: number } {
  const before = s.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

/**
 * Rewrites one statement, `script[start, end)`, keeping its length and line breaks. Only the
 * statement's own text is handed on, so splitting stays linear in the script's length.
 */
function rewrite(script: string, start: number, end: number, mask: Uint8Array): Rewrite {
  let text = script.slice(start, end);
  const versions: Rewrite['versions'] = [];
  const codeAt = (i: number) => mask[start + i] === 1;
  // Every replacement has the length of what it replaces, so mask offsets stay valid.
  const sub = (re: RegExp, f: (m: RegExpExecArray) => string) => {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      if (!codeAt(m.index)) continue;
      const rep = f(m);
      text = text.slice(0, m.index) + rep + text.slice(m.index + m[0].length);
    }
  };
  sub(/\bVERSION\s+AS\s+OF\s+(\d+)\b/gi, (m) => {
    versions.push({ ...lineCol(text, m.index), version: Number(m[1]) });
    return m[0].replace(/[^\n]/g, ' ');
  });
  sub(/\bCREATE\s+NAMESPACE\b/gi, (m) => m[0].replace(/NAMESPACE$/i, 'DATABASE '));
  sub(/\b(DESCRIBE|DESC)\s+TABLE\b/gi, (m) => m[0].replace(/TABLE$/i, '     '));
  return { text, versions };
}

/** Parses a `;`-separated script; each statement keeps its own text for messages. */
export function parseScript(script: string): ScriptStatement[] {
  const mask = codeMask(script);
  const out: ScriptStatement[] = [];
  let start = 0;
  // Where `start` sits in the script, maintained incrementally (recounting from the top for
  // every statement made long scripts quadratic).
  let linesBefore = 0;
  let lineStart = 0;
  let scanned = 0;
  for (let i = 0; i <= script.length; i++) {
    if (i < script.length && !(script[i] === ';' && mask[i])) continue;
    const piece = script.slice(start, i);
    if (piece.trim().length > 0 && /\S/.test(stripComments(piece))) {
      for (; scanned < start; scanned++) {
        if (script.charCodeAt(scanned) === 10) {
          linesBefore++;
          lineStart = scanned + 1;
        }
      }
      const rw = rewrite(script, start, i, mask);
      const asts = parseWrapped(rw.text, { userText: script, lineOffset: -linesBefore, columnOffset: start - lineStart, textEnd: start + piece.trimEnd().length });
      for (const ast of asts) {
        attachVersions(ast, rw.versions);
        out.push({ text: piece.trim(), ast });
      }
    }
    start = i + 1;
  }
  return out;
}

function stripComments(s: string): string {
  return s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Each VERSION AS OF goes to the nearest table name that ends before it. */
function attachVersions(ast: unknown, versions: Rewrite['versions']): void {
  if (versions.length === 0) return;
  const tables: { end: { line: number; column: number }; node: Obj }[] = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    const o = n as Obj;
    const t = o.Table as Obj | undefined;
    if (t && Array.isArray(t.name)) {
      const last = t.name[t.name.length - 1] as Obj;
      const span = ((last.Identifier as Obj | undefined)?.span as Obj | undefined)?.end as { line: number; column: number } | undefined;
      if (span) tables.push({ end: span, node: t });
    }
    Object.values(o).forEach(visit);
  };
  visit(ast);
  const before = (a: { line: number; column: number }, b: { line: number; column: number }) => a.line < b.line || (a.line === b.line && a.column <= b.column);
  for (const v of versions) {
    let best: (typeof tables)[number] | undefined;
    for (const t of tables) if (before(t.end, v) && (!best || before(best.end, t.end))) best = t;
    if (best) best.node.version = { VersionAsOf: { Value: { value: { Number: [String(v.version), false] } } } };
  }
}
