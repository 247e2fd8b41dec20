// Splitting a script is linear: each statement is handed to the parser with its own text only,
// and parse errors still point at the user's line and column in the whole script.
import { describe, expect, it, vi } from 'vitest';
import { SqlError } from '../../src/errors.js';

const handed = { chars: 0, calls: 0 };
vi.mock('../../src/dataset/expr/sql-parser.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/dataset/expr/sql-parser.js')>();
  return {
    ...orig,
    parseWrapped: (text: string, mapping: Parameters<typeof orig.parseWrapped>[1]) => {
      handed.chars += text.length;
      handed.calls++;
      return orig.parseWrapped(text, mapping);
    },
  };
});

const { parseScript } = await import('../../src/query/sql/split.js');
const { sqlSession } = await import('../../src/query/session.js');

describe('parseScript', () => {
  it('hands the parser no more characters than the script has (4,000 statements)', () => {
    const script = Array.from({ length: 4000 }, (_, i) => `SELECT a FROM t${i % 7}`).join(';\n');
    handed.chars = 0;
    handed.calls = 0;
    const t0 = performance.now();
    const out = parseScript(script);
    const ms = performance.now() - t0;
    expect(out).toHaveLength(4000);
    expect(handed.calls).toBe(4000);
    expect(handed.chars).toBeLessThanOrEqual(script.length);
    // Generous (the wasm parser costs ~0.1-0.3 ms a statement on a loaded CI machine); the
    // quadratic splitter took 5 s for 2,000 statements and did not finish 20,000 in 5 minutes.
    expect(ms).toBeLessThan(20_000);
  }, 30_000);

  it('keeps line and column of a parse error deep in a long script', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `SELECT a FROM t WHERE id = ${i};`);
    lines.push("  UPDATE t SETT label = 'x';", 'SELECT 1');
    const err = (() => {
      try {
        parseScript(lines.join('\n'));
      } catch (e) {
        return e as SqlError;
      }
      throw new Error('expected a parse error');
    })();
    expect(err).toBeInstanceOf(SqlError);
    expect(err.code).toBe('SQL_PARSE');
    expect([err.details.line, err.details.column]).toEqual([1001, 17]);
    expect(err.message).toContain(`  UPDATE t SETT label = 'x';\n  ${' '.repeat(16)}^`);
  });

  it('keeps the column of an error in a statement that starts mid-line', () => {
    const err = (() => {
      try {
        parseScript('SELECT a FROM t;   SELEC b FROM t');
      } catch (e) {
        return e as SqlError;
      }
      throw new Error('expected a parse error');
    })();
    expect([err.details.line, err.details.column]).toEqual([1, 20]);
  });

  it('points an error at the end of its own statement when the parser gives no position', () => {
    const err = (() => {
      try {
        parseScript('SELECT a FROM t WHERE  ;\nSELECT b FROM u;\nSELECT c FROM v');
      } catch (e) {
        return e as SqlError;
      }
      throw new Error('expected a parse error');
    })();
    expect(err.code).toBe('SQL_PARSE');
    expect([err.details.line, err.details.column]).toEqual([1, 22]);
  });

  it('VERSION AS OF still attaches to its table in a later statement', () => {
    const out = parseScript('SELECT a FROM t;\nSELECT b FROM u VERSION AS OF 3 JOIN v ON u.id = v.id');
    expect(JSON.stringify(out[1]!.ast)).toContain('"VersionAsOf"');
    expect(out[1]!.text).toBe('SELECT b FROM u VERSION AS OF 3 JOIN v ON u.id = v.id');
  });
});

/** A catalog for statements that touch no table (USE). */
function stubCatalog() {
  const zero = { bytesRead: 0, bytesWritten: 0, bytesLinked: 0, payloadBytesRead: 0, payloadBytesWritten: 0, payloadBytesLinked: 0 };
  const cat = { forStatement: () => cat, counters: () => zero };
  return cat;
}

describe('a session running a long script', () => {
  it('runs 8,000 statements', async () => {
    const db = sqlSession({ root: '/nonexistent-lancet-root', catalog: stubCatalog() as never });
    const script = Array.from({ length: 8000 }, (_, i) => (i % 2 ? 'USE lance.db' : 'USE lance.other')).join(';\n');
    const out = await db.sql(script);
    expect(out).toHaveLength(8000);
    expect(db.namespace).toEqual(['db']);
  }, 60_000);
});
