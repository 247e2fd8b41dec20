// What users may hand to createTable/add: an Arrow Table, a RecordBatch, an (async) iterable of
// batches, or an array of row objects. Everything becomes a stream of RecordBatches whose
// columns follow one Arrow schema.
import * as arrow from 'apache-arrow';
import { blobStructFromColumn } from './blob/blob-columns.js';
import { InvalidInputError } from '../errors.js';
import { isRecordBatchLike, isTableLike, localBatch, localSchema, localTable, retypeData, sameLayout } from './arrow/adopt.js';
import { buildColumn } from './arrow/build-column.js';
import { columnData, dictionaryEncode, nullData, takeData } from './arrow/kernels.js';

export type RowObject = Record<string, unknown>;
export type TableData = arrow.Table | arrow.RecordBatch | RowObject[] | AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch>;

export interface NormalizedInput {
  /** Schema of the first batch (or the declared one). */
  schema: arrow.Schema;
  batches: AsyncIterable<arrow.RecordBatch>;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<arrow.RecordBatch> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

async function* fromIterable(first: arrow.RecordBatch | undefined, rest: AsyncIterator<arrow.RecordBatch> | Iterator<arrow.RecordBatch>): AsyncIterable<arrow.RecordBatch> {
  if (first) yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    if (!isRecordBatchLike(r.value)) throw new InvalidInputError('BAD_INPUT', 'iterables passed as table data must yield apache-arrow RecordBatches');
    yield localBatch(r.value);
  }
}

/** Lance has no dictionary columns in lancet: store their values (what apache-arrow builds for strings). */
function plainField(f: arrow.Field): arrow.Field {
  return arrow.DataType.isDictionary(f.type) ? new arrow.Field(f.name, (f.type as arrow.Dictionary).dictionary, f.nullable, f.metadata) : f;
}

export function plainSchema(s: arrow.Schema): arrow.Schema {
  return s.fields.some((f) => arrow.DataType.isDictionary(f.type)) ? new arrow.Schema(s.fields.map(plainField), s.metadata) : s;
}

function plainBatch(b: arrow.RecordBatch): arrow.RecordBatch {
  if (!b.schema.fields.some((f) => arrow.DataType.isDictionary(f.type))) return b;
  const schema = plainSchema(b.schema);
  const children = b.schema.fields.map((f, i) => {
    const col = b.getChildAt(i)!;
    if (!arrow.DataType.isDictionary(f.type)) return columnData(col);
    // Decoding is a take of the dictionary's rows at the indices (null indices give null rows).
    const d = columnData(col);
    const indices = Array.from({ length: d.length }, (_, k) => (d.getValid(k) ? Number(d.values[k]) : -1));
    return takeData(columnData(d.dictionary!), indices);
  });
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: b.numRows, nullCount: 0, children }));
}

async function* mapBatches(src: AsyncIterable<arrow.RecordBatch>): AsyncIterable<arrow.RecordBatch> {
  for await (const b of src) yield plainBatch(b);
}

/** Normalizes user data; `schema` is used for row objects (otherwise inferred) and when the input is empty. */
export async function normalizeInput(data: TableData, schema?: arrow.Schema): Promise<NormalizedInput> {
  const raw = await normalizeRaw(data, schema && localSchema(schema));
  return { schema: plainSchema(raw.schema), batches: mapBatches(raw.batches) };
}

async function normalizeRaw(data: TableData, schema?: arrow.Schema): Promise<NormalizedInput> {
  // Duck-typed: tables and batches of another apache-arrow copy (CommonJS, other version) are rebuilt over the same buffers.
  if (isTableLike(data)) {
    const t = localTable(data);
    return { schema: t.schema, batches: fromIterable(undefined, t.batches[Symbol.iterator]()) };
  }
  if (isRecordBatchLike(data)) {
    const b = localBatch(data);
    return { schema: b.schema, batches: fromIterable(b, [][Symbol.iterator]()) };
  }
  if (Array.isArray(data) && data.length > 0 && data.every((b) => isRecordBatchLike(b))) {
    const batches = (data as unknown[]).map(localBatch);
    return { schema: batches[0]!.schema, batches: fromIterable(undefined, batches[Symbol.iterator]()) };
  }
  if (Array.isArray(data)) {
    const s = schema ?? inferSchema(data as RowObject[]);
    return { schema: s, batches: fromIterable(rowsToBatch(data as RowObject[], s), [][Symbol.iterator]()) };
  }
  if (isAsyncIterable(data) || (typeof data === 'object' && data !== null && Symbol.iterator in data)) {
    const it = isAsyncIterable(data) ? data[Symbol.asyncIterator]() : (data as Iterable<arrow.RecordBatch>)[Symbol.iterator]();
    const first = await it.next();
    if (first.done) {
      if (!schema) throw new InvalidInputError('EMPTY_INPUT', 'an empty stream of batches needs an explicit schema');
      return { schema, batches: fromIterable(undefined, it) };
    }
    if (!isRecordBatchLike(first.value)) throw new InvalidInputError('BAD_INPUT', 'iterables passed as table data must yield apache-arrow RecordBatches');
    const b = localBatch(first.value);
    return { schema: b.schema, batches: fromIterable(b, it) };
  }
  throw new InvalidInputError('BAD_INPUT', 'table data must be an Arrow Table, RecordBatch, iterable of RecordBatches or an array of row objects');
}

/** Type of a JS value as LanceDB's makeArrowTable infers it (numbers are Float64). */
function inferType(values: unknown[], name: string): arrow.DataType {
  const v = values.find((x) => x !== null && x !== undefined);
  if (v === undefined) throw new InvalidInputError('CANNOT_INFER', `cannot infer the type of column "${name}": every value is null; pass a schema`, { column: name });
  if (typeof v === 'number') return new arrow.Float64();
  if (typeof v === 'bigint') return new arrow.Int64();
  if (typeof v === 'string') return new arrow.Utf8();
  if (typeof v === 'boolean') return new arrow.Bool();
  if (v instanceof Uint8Array) return new arrow.Binary();
  if (v instanceof Date) return new arrow.TimestampMillisecond();
  if (Array.isArray(v)) {
    const items = values.flatMap((x) => (Array.isArray(x) ? x : []));
    return new arrow.List(new arrow.Field('item', inferType(items, `${name}.item`), true));
  }
  if (typeof v === 'object') {
    const keys = [...new Set(values.flatMap((x) => (x && typeof x === 'object' ? Object.keys(x) : [])))];
    return new arrow.Struct(keys.map((k) => new arrow.Field(k, inferType(values.map((x) => (x as RowObject | null)?.[k]), `${name}.${k}`), true)));
  }
  throw new InvalidInputError('CANNOT_INFER', `cannot infer an Arrow type for column "${name}" from ${typeof v}`, { column: name });
}

export function inferSchema(rows: RowObject[]): arrow.Schema {
  if (rows.length === 0) throw new InvalidInputError('EMPTY_INPUT', 'cannot infer a schema from zero rows; pass a schema');
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return new arrow.Schema(names.map((n) => new arrow.Field(n, inferType(rows.map((r) => r[n]), n), true)));
}

/**
 * Builds one RecordBatch from row objects following `schema` (missing keys become null). Values
 * are checked against the column types: a value that does not fit is an InvalidInputError.
 */
export function rowsToBatch(rows: RowObject[], schema: arrow.Schema): arrow.RecordBatch {
  const names = new Set(schema.fields.map((f) => f.name));
  rows.forEach((r, row) => {
    for (const k in r) {
      if (!names.has(k)) throw new InvalidInputError('SCHEMA_MISMATCH', `row ${row} has column "${k}", which the table does not; columns: ${[...names].join(', ')}`, { column: k, row });
    }
  });
  const children = schema.fields.map((f) => buildColumn(rows.map((r) => r[f.name]), f.type, f.name));
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

/**
 * Puts a batch's columns in `schema` order, matching by name. Types must be identical: lancet
 * does not cast silently.
 */
export function conformBatch(batch: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  const byName = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  const extra = batch.schema.fields.filter((f) => !schema.fields.some((s) => s.name === f.name));
  if (extra.length) throw new InvalidInputError('SCHEMA_MISMATCH', `data has columns the table does not: ${extra.map((f) => f.name).join(', ')}`);
  const children = schema.fields.map((f) => {
    const i = byName.get(f.name);
    if (i === undefined) {
      if (!f.nullable) throw new InvalidInputError('SCHEMA_MISMATCH', `data lacks non-nullable column "${f.name}"`, { column: f.name });
      return nullData(f.type, batch.numRows);
    }
    const col = batch.getChildAt(i)!;
    // Input dictionaries are flattened to their values; a dictionary column of the table (one
    // Lance 12 wrote) takes them encoded again.
    if (arrow.DataType.isDictionary(f.type) && !arrow.DataType.isDictionary(col.type) && sameLayout(col.type, f.type.dictionary)) {
      if (!f.nullable && col.nullCount > 0) throw new InvalidInputError('SCHEMA_MISMATCH', `column "${f.name}" is not nullable but the data has nulls`, { column: f.name });
      return dictionaryEncode(columnData(col), f.type);
    }
    if (!sameLayout(col.type, f.type)) {
      // Binary / string columns for a Blob V2 column: bytes are payloads, strings external URIs.
      const blob = col.data.length === 1 ? blobStructFromColumn(col.data[0]!, f) : undefined;
      if (blob) {
        if (!f.nullable && blob.nullCount > 0) throw new InvalidInputError('SCHEMA_MISMATCH', `column "${f.name}" is not nullable but the data has nulls`, { column: f.name });
        return blob;
      }
      throw new InvalidInputError('SCHEMA_MISMATCH', `column "${f.name}" is ${String(col.type)} in the data but ${String(f.type)} in the table`, { column: f.name });
    }
    if (!f.nullable && col.nullCount > 0) throw new InvalidInputError('SCHEMA_MISMATCH', `column "${f.name}" is not nullable but the data has nulls`, { column: f.name });
    // The table's type objects label the data (the same layout may be spelled by another class).
    return retypeData(columnData(col), f.type);
  });
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
}
