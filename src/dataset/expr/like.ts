// SQL LIKE patterns -> anchored regular expressions. `%` matches any run of characters,
// `_` exactly one character (code point), and the ESCAPE character makes the next one literal.
import { SqlError } from '../../errors.js';
import { exprToString, type Expr } from './ast.js';

// Only syntax characters: the `u` flag rejects identity escapes such as `\-`.
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

export function compileLike(pattern: string, escape: string | undefined, caseInsensitive: boolean, e: Expr): RegExp {
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (escape !== undefined && ch === escape) {
      const next = chars[++i];
      if (next === undefined) {
        throw new SqlError('INVALID_PATTERN', `LIKE pattern '${pattern}' ends with the escape character in ${exprToString(e)}`, { expr: exprToString(e) });
      }
      src += next.replace(REGEX_SPECIAL, '\\$&');
    } else if (ch === '%') src += '[^]*';
    else if (ch === '_') src += '.';
    else src += ch.replace(REGEX_SPECIAL, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'isu' : 'su');
}
