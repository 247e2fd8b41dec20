#!/usr/bin/env node
// Regenerates test/fixtures/lance12/<name>.lance (written by real Lance 12 through
// @lancedb/lancedb 0.39.0, file format 2.2) and <name>.json (the values we gave it, in the
// canonical JSON form spec/file-format/lance-writes-defaults.test.ts compares against).
// Each fixture is shaped so Lance picks one particular default encoding; the script parses the
// page layouts of the written data file and fails if Lance chose something else.
//
//   node scripts/gen-fixtures.mjs            regenerate all
//   node scripts/gen-fixtures.mjs i64_seq    regenerate some
//   node scripts/gen-fixtures.mjs --check    only re-parse existing fixtures and print encodings
//
// @lancedb/lancedb is CommonJS and checks instanceof against its own require('apache-arrow'),
// so both are loaded through createRequire (see test/helpers/lance-peer.ts).
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const arrow = require('apache-arrow');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test/fixtures/lance12');

// ------------------------------------------------------------------------------------------
// Deterministic data

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['lance', 'arrow', 'column', 'vector', 'page', 'chunk', 'blob', 'table', 'index', 'fragment', 'schema', 'query'];

function validity(values) {
  const bm = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) bm[i >> 3] |= 1 << (i & 7);
  });
  return bm;
}

function prim(Type, Typed, values) {
  const type = new Type();
  const data = new Typed(values.length);
  values.forEach((v, i) => {
    if (v !== null) data[i] = v;
  });
  const nulls = values.some((v) => v === null);
  return arrow.makeVector(
    arrow.makeData({ type, length: values.length, data, nullCount: values.filter((v) => v === null).length, ...(nulls ? { nullBitmap: validity(values) } : {}) }),
  );
}

const vec = (values, type) => arrow.vectorFromArray(values, type);

function f32(x) {
  return Math.fround(x);
}

// Canonical JSON of one value of a column (what the spec test produces from lancet's output).
// int64/uint64/timestamp → decimal string, binary → hex, everything else as JSON.
function canon(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}

// ------------------------------------------------------------------------------------------
// Fixture definitions: columns as { name: [values, vector] } plus the expected encoding per column.

const FIXTURES = {
  i64_seq: () => {
    const v = Array.from({ length: 5000 }, (_, i) => BigInt(i));
    return { cols: { v: [v, prim(arrow.Int64, BigInt64Array, v)] }, expect: { v: /^mini-block values=InlineBitpacking\(64\)/ } };
  },
  i32_runs: () => {
    const r = rng(2);
    const v = [];
    while (v.length < 5000) {
      const x = Math.floor(r() * 1000) - 500;
      const n = 20 + Math.floor(r() * 300);
      for (let k = 0; k < n && v.length < 5000; k++) v.push(x);
    }
    return { cols: { v: [v, prim(arrow.Int32, Int32Array, v)] }, expect: { v: /^mini-block values=Rle\{Flat\(32\),Flat\(8\)\}/ } };
  },
  i64_const: () => {
    const v = Array.from({ length: 3000 }, () => -1234567890123n);
    return { cols: { v: [v, prim(arrow.Int64, BigInt64Array, v)] }, expect: { v: /^constant inline=8B/ } };
  },
  f64_random: () => {
    const r = rng(4);
    const v = Array.from({ length: 3000 }, () => (r() - 0.5) * 1e6);
    return { cols: { v: [v, prim(arrow.Float64, Float64Array, v)] }, expect: { v: /^mini-block values=Flat\(64\)/ } };
  },
  f32_unit: () => {
    const r = rng(5);
    const v = Array.from({ length: 3000 }, () => f32(r()));
    return { cols: { v: [v, prim(arrow.Float32, Float32Array, v)] }, expect: { v: /^mini-block values=InlineBitpacking\(32\)/ } };
  },
  str_fsst: () => {
    const r = rng(6);
    const v = Array.from({ length: 2000 }, (_, i) => `${WORDS[Math.floor(r() * WORDS.length)]}-${WORDS[Math.floor(r() * WORDS.length)]}-${i}-${Math.floor(r() * 1e6)}`);
    const lv = v.slice(0, 1600);
    return {
      cols: { s: [v, vec(v, new arrow.Utf8())] },
      extra: { ls: [lv.concat(v.slice(1600)), vec(lv.concat(v.slice(1600)), new arrow.LargeUtf8())] },
      expect: { s: /^mini-block values=Fsst\{Variable\{Flat\(32\)\}\}/, ls: /^mini-block values=Fsst\{Variable\{Flat\(64\)\}\}/ },
    };
  },
  str_dict: () => {
    const r = rng(7);
    const items = ['red', 'green', 'blue'];
    const v = Array.from({ length: 5000 }, () => items[Math.floor(r() * 3)]);
    return {
      cols: { s: [v, vec(v, new arrow.Utf8())] },
      expect: { s: /^mini-block values=InlineBitpacking\(32\) dict=General\(LZ4\)\{Variable\{Flat\(32\)\}\}/ },
    };
  },
  str_40k: () => {
    const r = rng(8);
    const v = Array.from({ length: 3 }, (_, i) => {
      let s = `row ${i}: `;
      while (s.length < 40000) s += WORDS[Math.floor(r() * WORDS.length)] + ' ';
      return s.slice(0, 40000);
    });
    v.splice(1, 0, null);
    return { cols: { s: [v, vec(v, new arrow.Utf8())] }, expect: { s: /^full-zip bits_per_offset=32 def=1 values=General\(ZSTD\)\{Variable\{Flat\(32\)\}\}/ } };
  },
  lbin_300: () => {
    const r = rng(9);
    const v = Array.from({ length: 60 }, () => {
      const b = new Uint8Array(300 + Math.floor(r() * 200));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
      return b;
    });
    return { cols: { b: [v, vec(v, new arrow.LargeBinary())] }, expect: { b: /^full-zip bits_per_offset=64 values=Variable\{Flat\(64\)\}/ } };
  },
  i64_nullable: () => {
    const r = rng(10);
    const v = Array.from({ length: 5000 }, (_, i) => (r() < 0.2 ? null : BigInt(i * 3)));
    return {
      cols: { v: [v, prim(arrow.Int64, BigInt64Array, v)] },
      expect: { v: /^mini-block values=InlineBitpacking\(64\) def=OutOfLineBitpacking\(16,Flat\(1\)\)/ },
    };
  },
  i32_null_runs: () => {
    const v = Array.from({ length: 5000 }, (_, i) => (Math.floor(i / 700) % 2 === 1 ? null : (i * 7) % 1000));
    return { cols: { v: [v, prim(arrow.Int32, Int32Array, v)] }, expect: { v: /def=Rle\{Flat\(16\),Flat\(8\)\}/ } };
  },
  struct_nullable: () => {
    const r = rng(12);
    const v = Array.from({ length: 3000 }, (_, i) =>
      r() < 0.1 ? null : { a: r() < 0.2 ? null : Math.floor(r() * 1e5) - 5e4, b: r() < 0.2 ? null : (r() - 0.5) * 100 + i },
    );
    const type = new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Float64(), true)]);
    return { cols: { st: [v, vec(v, type)] }, expect: { st: /def=OutOfLineBitpacking\(16,Flat\(2\)\).*layers=\[NULLABLE_ITEM,NULLABLE_ITEM\]/ } };
  },
  i64_const_nullable: () => {
    // Constant value with nulls: ConstantLayout inline value plus raw u16 def levels in buffer 1.
    const v = Array.from({ length: 3000 }, (_, i) => (i % 7 === 3 ? null : 42n));
    return { cols: { v: [v, prim(arrow.Int64, BigInt64Array, v)] }, expect: { v: /^constant inline=8B layers=\[NULLABLE_ITEM\]/ } };
  },
  str_const: () => {
    // All-equal strings: ConstantLayout without inline_value, the value in page buffer 0.
    const v = Array.from({ length: 2000 }, (_, i) => (i % 11 === 5 ? null : 'the same string'));
    return { cols: { s: [v, vec(v, new arrow.Utf8())] }, expect: { s: /^constant null layers=\[NULLABLE_ITEM\] buffers=3/ } };
  },
  fsl16: () => {
    const r = rng(13);
    const v = Array.from({ length: 400 }, () => Array.from({ length: 16 }, () => f32((r() - 0.5) * 10)));
    const type = new arrow.FixedSizeList(16, new arrow.Field('item', new arrow.Float32(), true));
    return { cols: { e: [v, vec(v, type)] }, expect: { e: /^mini-block values=FixedSizeList\(16,Flat\(32\)\)/ } };
  },
  fsl128: () => {
    const r = rng(14);
    const v = Array.from({ length: 80 }, () => Array.from({ length: 128 }, () => f32(r() * 2 - 1)));
    const type = new arrow.FixedSizeList(128, new arrow.Field('item', new arrow.Float32(), true));
    return { cols: { e: [v, vec(v, type)] }, expect: { e: /^full-zip bits_per_value=4096 values=FixedSizeList\(128,Flat\(32\)\)/ } };
  },
  i32_all_null: () => {
    const v = Array.from({ length: 2000 }, () => null);
    return { cols: { v: [v, prim(arrow.Int32, Int32Array, v)] }, expect: { v: /^constant null layers=\[NULLABLE_ITEM\]/ } };
  },
  bool_date_ts: () => {
    const r = rng(16);
    const b = Array.from({ length: 3000 }, () => (r() < 0.1 ? null : r() < 0.5));
    const d = Array.from({ length: 3000 }, () => 18000 + Math.floor(r() * 3000));
    const t = Array.from({ length: 3000 }, (_, i) => 1700000000000000n + BigInt(i) * 1000003n);
    const bv = vec(b, new arrow.Bool());
    const dv = prim(arrow.DateDay, Int32Array, d);
    const tv = prim(class extends arrow.Timestamp { constructor() { super(arrow.TimeUnit.MICROSECOND, null); } }, BigInt64Array, t);
    return {
      cols: { b: [b, bv], d: [d, dv], t: [t, tv] },
      expect: { b: /values=Flat\(1\)/, d: /^mini-block values=InlineBitpacking\(32\)/, t: /^mini-block values=InlineBitpacking\(64\)/ },
    };
  },
};

// ------------------------------------------------------------------------------------------
// A tiny protobuf wire reader, enough to walk ColumnMetadata → Page → Any → PageLayout.

function readPb(buf) {
  const fields = new Map();
  let p = 0;
  const varint = () => {
    let v = 0n;
    let s = 0n;
    for (;;) {
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << s;
      if (b < 0x80) return v;
      s += 7n;
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wt = key & 7;
    let val;
    if (wt === 0) val = varint();
    else if (wt === 1) (val = buf.subarray(p, p + 8)), (p += 8);
    else if (wt === 5) (val = buf.subarray(p, p + 4)), (p += 4);
    else if (wt === 2) {
      const n = Number(varint());
      val = buf.subarray(p, p + n);
      p += n;
    } else throw new Error(`wire type ${wt}`);
    if (!fields.has(no)) fields.set(no, []);
    fields.get(no).push(val);
  }
  return { get: (no) => fields.get(no)?.[0], all: (no) => fields.get(no) ?? [], has: (no) => fields.has(no) };
}

function packedVarints(vals) {
  // repeated enums/uint64 may be packed (one bytes field) or not
  const out = [];
  for (const v of vals) {
    if (typeof v === 'bigint') out.push(v);
    else {
      let p = 0;
      while (p < v.length) {
        let x = 0n;
        let s = 0n;
        for (;;) {
          const b = v[p++];
          x |= BigInt(b & 0x7f) << s;
          if (b < 0x80) break;
          s += 7n;
        }
        out.push(x);
      }
    }
  }
  return out;
}

const LAYERS = ['UNSPECIFIED', 'ALL_VALID_ITEM', 'ALL_VALID_LIST', 'NULLABLE_ITEM', 'NULLABLE_LIST', 'EMPTYABLE_LIST', 'NULL_AND_EMPTY_LIST'];
const SCHEMES = ['?', 'LZ4', 'ZSTD'];

function describeEnc(bytes) {
  if (!bytes) return 'none';
  const m = readPb(bytes);
  const [no] = [...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].filter((n) => m.has(n))];
  const b = m.get(no);
  const s = readPb(b);
  const u = (n) => Number(s.get(n) ?? 0n);
  switch (no) {
    case 1:
      return `Flat(${u(1)})${s.has(2) ? '+compressed' : ''}`;
    case 2:
      return `Variable{${describeEnc(s.get(1))}}`;
    case 3:
      return `Constant(${s.has(1) ? s.get(1).length + 'B' : 'null'})`;
    case 4:
      return `OutOfLineBitpacking(${u(1)},${describeEnc(s.get(3))})`;
    case 5:
      return `InlineBitpacking(${u(1)})`;
    case 6:
      return `Fsst{${describeEnc(s.get(2))}}`;
    case 7:
      return `Dictionary{${describeEnc(s.get(1))},${describeEnc(s.get(2))}}`;
    case 8:
      return `Rle{${describeEnc(s.get(1))},${describeEnc(s.get(2))}}`;
    case 9:
      return `ByteStreamSplit{${describeEnc(s.get(1))}}`;
    case 10: {
      const c = s.get(1) ? readPb(s.get(1)) : undefined;
      return `General(${SCHEMES[Number(c?.get(1) ?? 0n)]}){${describeEnc(s.get(3))}}`;
    }
    case 11:
      return `FixedSizeList(${u(1)},${describeEnc(s.get(2))}${s.get(3) ? ',validity' : ''})`;
    case 12:
      return `PackedStruct(${describeEnc(s.get(2))})`;
    case 13:
      return 'VariablePackedStruct';
    default:
      return `unknown(${no})`;
  }
}

function describeLayout(bytes, numBuffers) {
  const pl = readPb(bytes);
  const layers = (m, no) => `layers=[${packedVarints(m.all(no)).map((x) => LAYERS[Number(x)]).join(',')}]`;
  if (pl.has(1)) {
    const m = readPb(pl.get(1));
    const parts = [`mini-block values=${describeEnc(m.get(3))}`];
    if (m.has(4)) parts.push(`dict=${describeEnc(m.get(4))} items=${Number(m.get(5) ?? 0n)}`);
    if (m.has(1)) parts.push(`rep=${describeEnc(m.get(1))}`);
    if (m.has(2)) parts.push(`def=${describeEnc(m.get(2))}`);
    parts.push(layers(m, 6));
    return parts.join(' ');
  }
  if (pl.has(2)) {
    const m = readPb(pl.get(2));
    const parts = [`constant ${m.has(6) ? `inline=${m.get(6).length}B` : 'null'}`, layers(m, 5), `buffers=${numBuffers}`];
    if (m.has(8)) parts.push(`def=${describeEnc(m.get(8))}`);
    return parts.join(' ');
  }
  if (pl.has(3)) {
    const m = readPb(pl.get(3));
    const parts = ['full-zip'];
    if (m.has(3)) parts.push(`bits_per_value=${Number(m.get(3))}`);
    if (m.has(4)) parts.push(`bits_per_offset=${Number(m.get(4))}`);
    if (m.has(2)) parts.push(`def=${Number(m.get(2))}`);
    parts.push(`values=${describeEnc(m.get(7))}`, layers(m, 8));
    return parts.join(' ');
  }
  return pl.has(4) ? 'blob-layout' : 'unknown-layout';
}

/** Page layout summaries per column of the dataset's single data file. */
export function describeDataset(dir) {
  const dataDir = path.join(dir, 'data');
  const files = fs.readdirSync(dataDir).filter((f) => f.endsWith('.lance'));
  if (files.length !== 1) throw new Error(`${dir}: expected one data file, found ${files.length}`);
  const buf = new Uint8Array(fs.readFileSync(path.join(dataDir, files[0])));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const f = buf.length - 40;
  const cmo = Number(dv.getBigUint64(f + 8, true));
  const ncols = dv.getUint32(f + 28, true);
  const cols = [];
  for (let c = 0; c < ncols; c++) {
    const pos = Number(dv.getBigUint64(cmo + c * 16, true));
    const len = Number(dv.getBigUint64(cmo + c * 16 + 8, true));
    const cm = readPb(buf.subarray(pos, pos + len));
    cols.push(
      cm.all(2).map((pageBytes) => {
        const page = readPb(pageBytes);
        const direct = readPb(readPb(page.get(4)).get(2));
        const any = readPb(direct.get(1));
        return describeLayout(any.get(2), page.all(1).length ? packedVarints(page.all(1)).length : 0);
      }),
    );
  }
  return { file: files[0], columns: cols };
}

// ------------------------------------------------------------------------------------------

async function generate(name) {
  const spec = FIXTURES[name]();
  const all = { ...spec.cols, ...(spec.extra ?? {}) };
  const names = Object.keys(all);
  const table = new arrow.Table(Object.fromEntries(names.map((n) => [n, all[n][1]])));
  const lancedb = require('@lancedb/lancedb');
  const db = await lancedb.connect(OUT);
  fs.rmSync(path.join(OUT, `${name}.lance`), { recursive: true, force: true });
  await db.createTable(name, table, { mode: 'create', storageOptions: { newTableDataStorageVersion: '2.2' } });
  const golden = {
    rows: table.numRows,
    columns: Object.fromEntries(names.map((n) => [n, all[n][0].map(canon)])),
  };
  return { spec, golden, names };
}

function check(name, spec, names) {
  const { columns } = describeDataset(path.join(OUT, `${name}.lance`));
  // Struct children occupy one column each; match columns to fields in schema order.
  const summaries = {};
  let c = 0;
  for (const n of names) {
    const width = n === 'st' ? 2 : 1;
    summaries[n] = columns.slice(c, c + width).map((pages) => pages.join(' | '));
    c += width;
  }
  let ok = true;
  for (const [n, re] of Object.entries(spec.expect)) {
    const got = summaries[n].join(' ; ');
    const pass = summaries[n].every((s) => re.test(s));
    ok &&= pass;
    console.log(`${pass ? 'ok  ' : 'FAIL'} ${name}.${n}: ${got}${pass ? '' : `   (wanted ${re})`}`);
  }
  return { ok, summaries };
}

async function main() {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const names = args.filter((a) => !a.startsWith('--'));
  const todo = names.length ? names : Object.keys(FIXTURES);
  fs.mkdirSync(OUT, { recursive: true });
  let failed = 0;
  for (const name of todo) {
    if (!FIXTURES[name]) throw new Error(`unknown fixture ${name}; known: ${Object.keys(FIXTURES).join(', ')}`);
    if (checkOnly) {
      const spec = FIXTURES[name]();
      const golden = JSON.parse(fs.readFileSync(path.join(OUT, `${name}.json`), 'utf8'));
      if (!check(name, spec, Object.keys(golden.columns)).ok) failed++;
      continue;
    }
    const { spec, golden, names: cols } = await generate(name);
    const { ok, summaries } = check(name, spec, cols);
    if (!ok) failed++;
    golden.encodings = summaries;
    fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(golden) + '\n');
  }
  if (failed) {
    console.error(`${failed} fixture(s) did not get the intended encoding`);
    process.exit(1);
  }
}

await main();
