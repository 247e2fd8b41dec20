// Filters too deep for the parser in one piece (`id = 1 OR id = 2 OR ...` with hundreds of
// terms, as generated filters often are) are parsed term by term and joined as a balanced tree.
// OR binds loosest and AND next, so the text between two top-level ORs (or ANDs, in a part
// without ORs) is exactly one operand; OR and AND are associative under SQL's three-valued
// logic, so the balanced tree means the same as the parser's left-deep chain, and its depth is
// logarithmic instead of linear.
import type { Expr } from './ast.js';
import { codeTokens } from './sql-tokens.js';

/**
 * The parts of `sql` between occurrences of `op` outside brackets and CASE ... END; undefined
 * when there are none, or when `op` is AND and a top-level BETWEEN owns one of them.
 */
export function splitTopLevel(sql: string, op: 'OR' | 'AND'): string[] | undefined {
  const cuts: { start: number; end: number }[] = [];
  let depth = 0;
  for (const t of codeTokens(sql)) {
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') depth = Math.max(0, depth - 1);
    else if (t.kind === 'word') {
      if (t.word === 'CASE') depth++;
      else if (t.word === 'END') depth = Math.max(0, depth - 1);
      else if (depth === 0 && op === 'AND' && t.word === 'BETWEEN') return undefined;
      else if (depth === 0 && t.word === op) cuts.push(t);
    }
  }
  if (cuts.length === 0) return undefined;
  const parts: string[] = [];
  let from = 0;
  for (const c of cuts) {
    parts.push(sql.slice(from, c.start));
    from = c.end;
  }
  parts.push(sql.slice(from));
  return parts;
}

/** `parts` joined by `op` as a balanced binary tree. */
export function balancedChain(parts: Expr[], op: 'or' | 'and'): Expr {
  if (parts.length === 1) return parts[0]!;
  const mid = parts.length >> 1;
  return { kind: 'binary', op, left: balancedChain(parts.slice(0, mid), op), right: balancedChain(parts.slice(mid), op) };
}

/** Operands per parse: each parser call costs far more than its text, so operands are parsed in runs. */
const OPERANDS_PER_PARSE = 64;

/**
 * `parts` regrouped into runs of up to OPERANDS_PER_PARSE operands re-joined by `op` (a run that
 * is still too deep is split again when parsed); single operands once there are few.
 */
export function chunkOperands(parts: string[], op: 'OR' | 'AND'): string[] {
  if (parts.length <= OPERANDS_PER_PARSE) return parts;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += OPERANDS_PER_PARSE) out.push(parts.slice(i, i + OPERANDS_PER_PARSE).join(` ${op} `));
  return out;
}
