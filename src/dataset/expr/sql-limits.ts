// A cheap bound on how deep the parser's expression tree for a piece of SQL can get, checked
// before the text reaches the wasm parser. The parser builds long operator chains (`a OR b OR
// ...`) iteratively but converts the resulting left-deep tree recursively on a fixed wasm stack:
// sqlparser-rs 0.62 (the build lancet pins) traps at a chain about 724 operators deep (683 under
// 40 parentheses), and a trapped instance fails every later parse. Parenthesis nesting is
// recursion the parser bounds itself (about 50 levels), but only after reading all of it.
import { SqlError } from '../../errors.js';
import { codeTokens } from './sql-tokens.js';

/** The deepest expression accepted: well above hand-written SQL, well below the parser's trap. */
export const MAX_EXPRESSION_DEPTH = 400;

/** The deepest parser tree the AST conversion walks (its input is already bounded by the parser). */
export const MAX_AST_DEPTH = 1000;

// Clause keywords end the expression before them, like a comma does.
const SEPARATORS = new Set(['SELECT', 'FROM', 'WHERE', 'HAVING', 'BY', 'LIMIT', 'OFFSET', 'SET', 'VALUES', 'ON', 'USING', 'JOIN', 'UNION', 'INTERSECT', 'EXCEPT', 'WHEN', 'THEN', 'ELSE', 'MATCHED', 'INTO']);
const OTHER_OPERATORS = new Set(['NOT', 'IS', 'IN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'BETWEEN', 'DIV', 'COLLATE', 'ESCAPE']);

/**
 * One parenthesised group (or CASE ... END) being scanned. Operators are counted in precedence
 * classes: OR binds loosest, then AND, then everything else. The tree of one comma-separated
 * segment is an OR chain of AND chains of other-operator trees over atoms and groups, so its
 * depth is at most the longest OR run + the longest AND run between two ORs + the longest run of
 * other operators between two ANDs/ORs + the deepest group inside it.
 */
interface Frame {
  kind: 'paren' | 'case';
  or: number;
  and: number;
  other: number;
  maxAnd: number;
  maxOther: number;
  child: number;
  best: number;
}

const frame = (kind: Frame['kind']): Frame => ({ kind, or: 0, and: 0, other: 0, maxAnd: 0, maxOther: 0, child: 0, best: 0 });

function endSegment(f: Frame): void {
  f.best = Math.max(f.best, f.or + f.maxAnd + f.maxOther + f.child);
  f.or = f.and = f.other = f.maxAnd = f.maxOther = f.child = 0;
}

function operator(f: Frame, cls: 'or' | 'and' | 'other'): void {
  if (cls === 'or') {
    f.or++;
    f.and = 0;
    f.other = 0;
  } else if (cls === 'and') {
    f.and++;
    f.maxAnd = Math.max(f.maxAnd, f.and);
    f.other = 0;
  } else {
    f.other++;
    f.maxOther = Math.max(f.maxOther, f.other);
  }
}

/** Closes `f`; its depth (one more than what is inside) becomes a candidate operand of `parent`. */
function close(stack: Frame[]): void {
  const f = stack.pop()!;
  endSegment(f);
  const parent = stack[stack.length - 1]!;
  parent.child = Math.max(parent.child, f.best + 1);
}

/**
 * An upper bound on the expression-tree depth of `sql`, in one linear pass that skips string
 * literals, quoted identifiers and comments.
 */
export function expressionDepthBound(sql: string): number {
  const stack: Frame[] = [frame('paren')];
  for (const t of codeTokens(sql)) {
    const top = stack[stack.length - 1]!;
    if (t.kind === 'open') stack.push(frame('paren'));
    else if (t.kind === 'close') {
      if (stack.length > 1 && top.kind === 'paren') close(stack);
    } else if (t.kind === 'separator') endSegment(top);
    else if (t.kind === 'symbol') operator(top, 'other');
    else if (t.kind === 'word') {
      const word = t.word;
      if (word === 'OR' || word === 'XOR') operator(top, 'or');
      else if (word === 'AND') operator(top, 'and');
      else if (OTHER_OPERATORS.has(word)) operator(top, 'other');
      else if (word === 'CASE') stack.push(frame('case'));
      else if (word === 'END' && stack.length > 1 && top.kind === 'case') close(stack);
      else if (SEPARATORS.has(word)) endSegment(top);
    }
  }
  while (stack.length > 1) close(stack);
  endSegment(stack[0]!);
  return stack[0]!.best;
}

/** Refuses SQL whose expression trees could be deeper than MAX_EXPRESSION_DEPTH. */
export function checkExpressionDepth(sql: string): void {
  const depth = expressionDepthBound(sql);
  if (depth > MAX_EXPRESSION_DEPTH) {
    throw new SqlError(
      'EXPRESSION_TOO_COMPLEX',
      `expression too complex: operators and parentheses nest about ${depth} levels deep; the limit is ${MAX_EXPRESSION_DEPTH}. ` +
        'Write long OR chains of equalities as `col IN (v1, v2, ...)`, or split the condition across statements',
      { depth, limit: MAX_EXPRESSION_DEPTH },
    );
  }
}

/** Raised by recursive walks over parser trees that exceed MAX_AST_DEPTH. */
export function astTooDeep(): SqlError {
  return new SqlError('EXPRESSION_TOO_COMPLEX', `expression too complex: its tree is more than ${MAX_AST_DEPTH} levels deep; simplify it (IN (...) lists instead of OR chains, fewer nested parentheses)`, { limit: MAX_AST_DEPTH });
}
