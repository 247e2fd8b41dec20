// Arbitrary text into the filter parser must fail only with SqlError, never crash or hang.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SqlError } from '../../src/errors.js';
import { parseFilter, parseExpr } from '../../src/dataset/expr/index.js';

const sqlish = fc.string({
  unit: fc.constantFrom('a', 'b', '1', '0', '.', ' ', "'", '"', '`', '(', ')', ',', '=', '<', '>', '!', '%', '_', '-', '+', '*', '/', '|', ';', '\n', 'X', 'é', '😀', '\\', 'AND ', 'OR ', 'NOT ', 'IN ', 'IS ', 'NULL ', 'LIKE ', 'CASE ', 'WHEN ', 'THEN ', 'END ', 'CAST(', ' AS ', 'INT', 'DATE ', "X'", 'BETWEEN ', '--', '/*', '*/', 'SELECT ', 'FROM '),
  maxLength: 40,
});

function onlySqlErrors(parse: (s: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof SqlError)) throw new Error(`non-SqlError for ${JSON.stringify(text)}: ${String(e)}`);
    expect(e.code).toMatch(/^[A-Z_]+$/);
  }
}

describe('parser fuzz', () => {
  it('random SQL-ish text raises only SqlError', () => {
    fc.assert(
      fc.property(sqlish, (text) => {
        onlySqlErrors(parseFilter, text);
        onlySqlErrors(parseExpr, text);
      }),
      { numRuns: 1000 },
    );
  });

  it('random unicode text raises only SqlError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => onlySqlErrors(parseFilter, text)),
      { numRuns: 500 },
    );
  });

  it('deep nesting fails cleanly instead of overflowing the stack', () => {
    onlySqlErrors(parseFilter, '('.repeat(5000) + 'a' + ')'.repeat(5000));
    onlySqlErrors(parseFilter, 'NOT '.repeat(5000) + 'a');
  });
});
