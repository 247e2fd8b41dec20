// The executor's operators on in-memory relations, checked against a row-at-a-time reference.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { execute, type ExecContext } from '../../src/query/execute.js';
import { colRef, type Plan } from '../../src/query/plan.js';
import { vectorOf } from '../../src/query/exec/values.js';
import type { Col, Relation } from '../../src/query/relation.js';

const noEval: ExecContext = {
  evaluator: {
    evalExpr: () => {
      throw new Error('only bare columns in these tests');
    },
    evalPredicate: () => {
      throw new Error('only bare columns in these tests');
    },
  },
  scan: async () => {
    throw new Error('no scans');
  },
  fetchBlobs: async () => [],
  planPayloadBytes: 0,
};

type Row = { k: number | null; v: number | null };

function rel(prefix: string, rows: Row[]): Plan & { op: 'values' } {
  const cols: Col[] = [
    { id: `${prefix}.k`, name: 'k', qualifier: prefix, type: new arrow.Int32(), nullable: true },
    { id: `${prefix}.v`, name: 'v', qualifier: prefix, type: new arrow.Int32(), nullable: true },
  ];
  const r: Relation = { cols, vectors: [vectorOf(cols[0]!.type, rows.map((x) => x.k)), vectorOf(cols[1]!.type, rows.map((x) => x.v))], numRows: rows.length };
  return { op: 'values', rows: [], rel: r, cols };
}

function rowsOf(r: Relation): unknown[][] {
  return Array.from({ length: r.numRows }, (_, i) => r.vectors.map((v) => v.get(i)));
}

const rowArb = fc.record({ k: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }), v: fc.option(fc.integer({ min: -100, max: 100 }), { nil: null }) });

describe('hash join', () => {
  it('matches a nested-loop join (inner and left, with one-to-many fan-out)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 25 }), fc.array(rowArb, { maxLength: 25 }), fc.constantFrom('inner' as const, 'left' as const), async (L, R, kind) => {
        const l = rel('l', L);
        const r = rel('r', R);
        const plan: Plan = { op: 'join', kind, left: l, right: r, leftKeys: [colRef('l.k')], rightKeys: [colRef('r.k')], cols: [...l.cols, ...r.cols] };
        const out = rowsOf(await execute(plan, noEval));
        const expected: unknown[][] = [];
        for (const a of L) {
          let hit = false;
          for (const b of R) if (a.k !== null && a.k === b.k) expected.push([a.k, a.v, b.k, b.v]), (hit = true);
          if (!hit && kind === 'left') expected.push([a.k, a.v, null, null]);
        }
        expect(out).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('fans one left row out to every matching right row', async () => {
    const l = rel('l', [{ k: 1, v: 10 }]);
    const r = rel('r', [{ k: 1, v: 1 }, { k: 2, v: 2 }, { k: 1, v: 3 }, { k: 1, v: 4 }]);
    const out = await execute({ op: 'join', kind: 'inner', left: l, right: r, leftKeys: [colRef('l.k')], rightKeys: [colRef('r.k')], cols: [...l.cols, ...r.cols] }, noEval);
    expect(rowsOf(out).map((x) => x[3])).toEqual([1, 3, 4]);
  });
});

describe('aggregate', () => {
  it('count/sum/min/max/avg with GROUP BY match a reference', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), fc.boolean(), async (rows, grouped) => {
        const input = rel('t', rows);
        const mk = (id: string, type: arrow.DataType): Col => ({ id, name: id, type, nullable: true });
        const aggs = [
          { col: mk('n', new arrow.Int64()), fn: 'count' as const, arg: null, distinct: false },
          { col: mk('nv', new arrow.Int64()), fn: 'count' as const, arg: colRef('t.v'), distinct: false },
          { col: mk('s', new arrow.Int64()), fn: 'sum' as const, arg: colRef('t.v'), distinct: false },
          { col: mk('mn', new arrow.Int32()), fn: 'min' as const, arg: colRef('t.v'), distinct: false },
          { col: mk('mx', new arrow.Int32()), fn: 'max' as const, arg: colRef('t.v'), distinct: false },
          { col: mk('a', new arrow.Float64()), fn: 'avg' as const, arg: colRef('t.v'), distinct: false },
          { col: mk('dv', new arrow.Int64()), fn: 'count' as const, arg: colRef('t.v'), distinct: true },
        ];
        const groups = grouped ? [{ col: mk('g', new arrow.Int32()), expr: colRef('t.k') }] : [];
        const out = rowsOf(await execute({ op: 'aggregate', input, groups, aggs, cols: [...groups.map((g) => g.col), ...aggs.map((a) => a.col)] }, noEval));
        const byKey = new Map<string, Row[]>();
        if (!grouped) byKey.set('', []);
        for (const r of rows) {
          const k = grouped ? String(r.k) : '';
          byKey.set(k, [...(byKey.get(k) ?? []), r]);
        }
        const expected = [...byKey.values()].map((g) => {
          const vs = g.map((r) => r.v).filter((v): v is number => v !== null);
          const agg = [
            BigInt(g.length),
            BigInt(vs.length),
            vs.length ? BigInt(vs.reduce((a, b) => a + b, 0)) : null,
            vs.length ? Math.min(...vs) : null,
            vs.length ? Math.max(...vs) : null,
            vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null,
            BigInt(new Set(vs).size),
          ];
          return grouped ? [g[0]!.k, ...agg] : agg;
        });
        expect(out).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sort and limit', () => {
  it('ORDER BY k DESC, v ASC with LIMIT/OFFSET matches Array.sort', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), fc.nat(10), fc.option(fc.nat(10), { nil: undefined }), async (rows, offset, limit) => {
        const input = rel('t', rows);
        const sorted: Plan = { op: 'sort', input, keys: [{ expr: colRef('t.k'), descending: true }, { expr: colRef('t.v'), descending: false }], cols: input.cols };
        const out = rowsOf(await execute({ op: 'limit', input: sorted, limit, offset, cols: input.cols }, noEval));
        // Spark defaults: ASC puts nulls first, DESC puts them last.
        const cmp = (a: number | null, b: number | null, desc: boolean) => {
          if (a === b) return 0;
          if (a === null) return desc ? 1 : -1;
          if (b === null) return desc ? -1 : 1;
          return desc ? b - a : a - b;
        };
        const exp = rows
          .map((r, i) => ({ r, i }))
          .sort((x, y) => cmp(x.r.k, y.r.k, true) || cmp(x.r.v, y.r.v, false) || x.i - y.i)
          .map(({ r }) => [r.k, r.v]);
        expect(out).toEqual(exp.slice(offset, limit === undefined ? undefined : offset + limit));
      }),
      { numRuns: 200 },
    );
  });
});
