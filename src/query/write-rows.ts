// The write boundary: a relation becomes rows for a target schema. Blob references become the
// blob layer's zero-copy references (one copyBlobs call per source column, each distinct row
// address once, so a one-to-many join never reads or links a source blob twice); binary values
// are written as bytes; anything else aimed at a blob column is an error, never descriptor bytes.
import * as arrow from 'apache-arrow';
import { SqlError } from '../errors.js';
import type { QueryTable, WriteRow } from './catalog.js';
import { isBlobField } from './sql/bind-query.js';
import type { Col, Relation } from './relation.js';
import { ArrowCell } from '../dataset/arrow/build-column.js';
import { sameLayout } from '../dataset/arrow/adopt.js';
import { columnData } from '../dataset/arrow/kernels.js';

/** Values of one relation column converted for one target field, row by row. */
export async function columnValues(rel: Relation, col: Col, target: arrow.Field, what: string): Promise<unknown[]> {
  const i = rel.cols.indexOf(col);
  const v = rel.vectors[i]!;
  const n = rel.numRows;
  if (isBlobField(target)) {
    if (col.blob) {
      const addrVec = rel.vectors[rel.cols.findIndex((c) => c.id === col.blob!.rowAddr)]!;
      const addrs: (bigint | null)[] = [];
      const distinct = new Map<bigint, number>();
      for (let r = 0; r < n; r++) {
        // A null descriptor is a null blob: nothing to copy.
        const a = v.get(r) === null ? null : (addrVec.get(r) as bigint | null);
        addrs.push(a);
        if (a !== null && !distinct.has(a)) distinct.set(a, distinct.size);
      }
      const refs = distinct.size ? await (col.blob.table as QueryTable).copyBlobs(col.blob.column, [...distinct.keys()]) : [];
      return addrs.map((a) => (a === null ? null : refs[distinct.get(a)!] ?? null));
    }
    const t = v.type;
    if (t.typeId === arrow.Type.Null) return new Array(n).fill(null);
    if (t.typeId === arrow.Type.Binary || t.typeId === arrow.Type.LargeBinary || t.typeId === arrow.Type.FixedSizeBinary) {
      return Array.from({ length: n }, (_, r) => (v.get(r) as Uint8Array | null) ?? null);
    }
    const hint = t.typeId === arrow.Type.Struct ? ' (a blob descriptor struct is not a reference once transformed: write a bare blob column, binary bytes or NULL)' : '';
    throw new SqlError('BLOB_TYPE_MISMATCH', `cannot write ${typeLabel(t)} into blob column ${target.name} (${what}); blob columns accept BINARY values, NULL, or a bare blob column reference${hint}`, {
      column: target.name,
    });
  }
  if (col.blob) throw new SqlError('TYPE_MISMATCH', `cannot write blob column ${col.name} into non-blob column ${target.name} (${what}); use blob_bytes(${col.name}) or ${col.name}.size`);
  const out = new Array(n);
  if (sameLayout(v.type, target.type)) {
    // Same type: cells point into the relation's Arrow data and are written by buffer copy
    // (get() values would lose vectors, sub-millisecond timestamps, decimals).
    const d = columnData(v);
    for (let r = 0; r < n; r++) {
      if (d.getValid(r)) out[r] = new ArrowCell(d, r);
      else if (!target.nullable) throw new SqlError('NULL_VIOLATION', `column ${target.name} is NOT NULL but ${what} produces NULL`, { column: target.name });
      else out[r] = null;
    }
    return out;
  }
  const conv = converter(v.type, target, what);
  for (let r = 0; r < n; r++) {
    const x = v.get(r);
    if (x === null || x === undefined) {
      if (!target.nullable) throw new SqlError('NULL_VIOLATION', `column ${target.name} is NOT NULL but ${what} produces NULL`, { column: target.name });
      out[r] = null;
    } else out[r] = conv(x);
  }
  return out;
}

/** Rows for `target`: `mapping[i]` is the relation column feeding target field i (or undefined = NULL). */
export async function writeRows(rel: Relation, target: arrow.Schema, mapping: (Col | undefined)[], what: string): Promise<WriteRow[]> {
  const rows: WriteRow[] = Array.from({ length: rel.numRows }, () => ({}));
  for (let f = 0; f < target.fields.length; f++) {
    const field = target.fields[f]!;
    const col = mapping[f];
    let vals: unknown[];
    if (!col) {
      if (!field.nullable) throw new SqlError('NULL_VIOLATION', `column ${field.name} is NOT NULL and has no value in ${what}`, { column: field.name });
      vals = new Array(rel.numRows).fill(null);
    } else vals = await columnValues(rel, col, field, what);
    for (let r = 0; r < rel.numRows; r++) rows[r]![field.name] = vals[r];
  }
  return rows;
}

export function typeLabel(t: arrow.DataType): string {
  switch (t.typeId) {
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'STRING';
    case arrow.Type.Int:
      return (t as arrow.Int).bitWidth === 64 ? 'BIGINT' : 'INT';
    case arrow.Type.Float:
      return 'DOUBLE';
    case arrow.Type.Bool:
      return 'BOOLEAN';
    case arrow.Type.Struct:
      return 'STRUCT';
    default:
      return String(t);
  }
}

type Family = 'int' | 'float' | 'string' | 'binary' | 'bool' | 'other';
function family(t: arrow.DataType): Family {
  switch (t.typeId) {
    case arrow.Type.Int:
      return 'int';
    case arrow.Type.Float:
    case arrow.Type.Decimal:
      return 'float';
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'string';
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
      return 'binary';
    case arrow.Type.Bool:
      return 'bool';
    default:
      return 'other';
  }
}

/** Store-assignment conversion (numbers widen/narrow with range checks; no string<->number). */
function converter(from: arrow.DataType, to: arrow.Field, what: string): (x: unknown) => unknown {
  const ff = family(from);
  const tf = family(to.type);
  const bad = () => new SqlError('TYPE_MISMATCH', `cannot write ${typeLabel(from)} into ${typeLabel(to.type)} column ${to.name} (${what})`, { column: to.name });
  if (from.typeId === arrow.Type.Null) return (x) => x;
  if (tf === 'int') {
    if (ff !== 'int') throw bad();
    const t = to.type as arrow.Int;
    const big = t.bitWidth === 64;
    const lo = t.isSigned ? -(2n ** BigInt(t.bitWidth - 1)) : 0n;
    const hi = t.isSigned ? 2n ** BigInt(t.bitWidth - 1) - 1n : 2n ** BigInt(t.bitWidth) - 1n;
    return (x) => {
      const b = BigInt(x as number | bigint);
      if (b < lo || b > hi) throw new SqlError('OUT_OF_RANGE', `value ${b} does not fit ${typeLabel(to.type)} column ${to.name} (${what})`);
      return big ? b : Number(b);
    };
  }
  if (tf === 'float') {
    if (ff !== 'int' && ff !== 'float') throw bad();
    return (x) => Number(x);
  }
  if (tf !== ff && tf !== 'other') throw bad();
  return (x) => x;
}
