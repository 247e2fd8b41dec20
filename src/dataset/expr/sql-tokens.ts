// The tokens of SQL text that matter for its structure (brackets, separators, operators, words),
// found in one linear pass that skips string literals, quoted identifiers, comments and numbers.
// Used to bound and to split expressions before the parser sees them.

export type CodeToken =
  | { kind: 'open' | 'close' | 'separator' | 'symbol'; start: number; end: number }
  /** `word` is upper-cased. */
  | { kind: 'word'; start: number; end: number; word: string };

const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWord = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
const SYMBOLS = '=<>!+-*/%|&^~:';

export function* codeTokens(sql: string): Generator<CodeToken> {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const ch = sql[i]!;
    const start = i;
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < n && !(sql[i] === ch && sql[i + 1] !== ch)) i += sql[i] === ch ? 2 : sql[i] === '\\' && ch !== '`' ? 2 : 1;
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === '(' || ch === '[') {
      yield { kind: 'open', start, end: ++i };
    } else if (ch === ')' || ch === ']') {
      yield { kind: 'close', start, end: ++i };
    } else if (ch === ',' || ch === ';') {
      yield { kind: 'separator', start, end: ++i };
    } else if (SYMBOLS.includes(ch)) {
      while (i < n && SYMBOLS.includes(sql[i]!) && !(sql[i] === '-' && sql[i + 1] === '-') && !(sql[i] === '/' && sql[i + 1] === '*')) i++;
      yield { kind: 'symbol', start, end: i };
    } else if (isDigit(c) || (ch === '.' && isDigit(sql.charCodeAt(i + 1)))) {
      // A number, exponent sign included (`1e-5` holds no operator).
      i++;
      while (i < n && (isWord(sql.charCodeAt(i)) || sql[i] === '.' || ((sql[i] === '-' || sql[i] === '+') && /[eE]/.test(sql[i - 1]!) && isDigit(sql.charCodeAt(i + 1))))) i++;
    } else if (isWordStart(c)) {
      while (i < n && isWord(sql.charCodeAt(i))) i++;
      yield { kind: 'word', start, end: i, word: sql.slice(start, i).toUpperCase() };
    } else {
      i++;
    }
  }
}
