// DataFusion's simplifier folds NULL through operators before anything runs: `x < NULL`,
// `NULL + i`, `-NULL`, `CAST(NULL AS INT)` become NULL without evaluating `x` or `i`. That matters
// when `x` would fail (a CAST of text, a division by zero): Lance 12 answers NULL, so the
// DataFusion dialect does not evaluate what the simplifier removes.
import type { Expr } from './ast.js';

/** Whether DataFusion's simplifier reduces `e` to a NULL literal. */
export function foldsToNull(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value.type === 'null';
    case 'binary':
      // AND / OR keep three-valued logic (NULL AND FALSE is FALSE), and `s || NULL` is left to
      // run (Lance 12 still fails on an error in `s`): no folding for those.
      if (e.op === 'and' || e.op === 'or' || e.op === '||') return false;
      return foldsToNull(e.left) || foldsToNull(e.right);
    case 'unary':
      return foldsToNull(e.arg);
    case 'cast':
      return foldsToNull(e.arg);
    case 'like':
      return foldsToNull(e.arg) || foldsToNull(e.pattern);
    default:
      return false;
  }
}
