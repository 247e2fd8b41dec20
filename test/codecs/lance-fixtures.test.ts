// Real Lance 12 bytes through lancet's codecs: every fixture in test/fixtures/lance12 (one per
// default 2.2 encoding, see scripts/gen-fixtures.mjs) is walked page by page with a test-only
// framing helper and decoded by the compressive dispatcher, then compared with its golden JSON.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataFileOf, readColumns } from './helpers/lance-pages.js';
import { rowsOf, type Kind } from './helpers/canonical.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/lance12');

/** Per fixture: the physical columns in order, with the field they belong to. */
const COLUMNS: Record<string, Array<{ field: string; kind: Kind; child?: string }>> = {
  i64_seq: [{ field: 'v', kind: 'i64' }],
  i32_runs: [{ field: 'v', kind: 'i32' }],
  i64_const: [{ field: 'v', kind: 'i64' }],
  i64_const_nullable: [{ field: 'v', kind: 'i64' }],
  str_const: [{ field: 's', kind: 'utf8' }],
  f64_random: [{ field: 'v', kind: 'f64' }],
  f32_unit: [{ field: 'v', kind: 'f32' }],
  str_fsst: [
    { field: 's', kind: 'utf8' },
    { field: 'ls', kind: 'utf8' },
  ],
  str_dict: [{ field: 's', kind: 'utf8' }],
  str_40k: [{ field: 's', kind: 'utf8' }],
  lbin_300: [{ field: 'b', kind: 'hex' }],
  i64_nullable: [{ field: 'v', kind: 'i64' }],
  i32_null_runs: [{ field: 'v', kind: 'i32' }],
  struct_nullable: [
    { field: 'st', kind: 'i32', child: 'a' },
    { field: 'st', kind: 'f64', child: 'b' },
  ],
  fsl16: [{ field: 'e', kind: { fsl: 16 } }],
  fsl128: [{ field: 'e', kind: { fsl: 128 } }],
  i32_all_null: [{ field: 'v', kind: 'i32' }],
  bool_date_ts: [
    { field: 'b', kind: 'bool' },
    { field: 'd', kind: 'i32' },
    { field: 't', kind: 'i64' },
  ],
};

const fixtures = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

describe('Lance 12 default encodings decoded by lancet codecs', () => {
  it('has a fixture for every column spec and vice versa', () => {
    expect(fixtures).toEqual(Object.keys(COLUMNS).sort());
  });

  for (const name of fixtures) {
    const golden = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as {
      rows: number;
      columns: Record<string, unknown[]>;
      encodings: Record<string, string[]>;
    };
    const encoding = Object.values(golden.encodings).flat().join(' ; ');
    it(`${name}: ${encoding}`, () => {
      const cols = readColumns(dataFileOf(path.join(DIR, `${name}.lance`)));
      const spec = COLUMNS[name]!;
      expect(cols.length).toBe(spec.length);
      const got: Record<string, unknown[]> = {};
      const structRows: Record<string, Array<Record<string, unknown> | null>> = {};
      spec.forEach(({ field, kind, child }, c) => {
        const rows = rowsOf(cols[c]!, kind);
        expect(rows.length).toBe(golden.rows);
        if (!child) {
          got[field] = rows.map((r) => r.value);
          return;
        }
        // Struct child: level 1 = child null, level 2 = struct row null (innermost first).
        const acc = (structRows[field] ??= rows.map(() => ({})));
        rows.forEach((r, i) => {
          if (r.level === 2) acc[i] = null;
          else if (acc[i]) acc[i]![child] = r.value;
        });
        got[field] = acc;
      });
      expect(got).toEqual(golden.columns);
    });
  }
});
