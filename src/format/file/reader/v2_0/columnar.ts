// Decoded 2.0 values before they become Arrow: one small tree per column piece that can be
// concatenated across pages and cut to row ranges, then turned into Arrow Data once.
import * as arrow from 'apache-arrow';
import { LanceFormatError } from '../../../../errors.js';

/** Per-row validity, 1 = valid; null when every row is valid. */
export type Validity = Uint8Array | null;

export type Col =
  | { kind: 'null'; n: number }
  | { kind: 'bool'; n: number; values: Uint8Array; valid: Validity }
  | { kind: 'fixed'; n: number; width: number; bytes: Uint8Array; valid: Validity }
  | { kind: 'var'; n: number; offsets: Float64Array; bytes: Uint8Array; valid: Validity }
  | { kind: 'fsl'; n: number; dim: number; child: Col; valid: Validity }
  | { kind: 'list'; n: number; offsets: Float64Array; child: Col; valid: Validity }
  | { kind: 'struct'; n: number; children: Col[]; valid: Validity };

export function withValidity(c: Col, valid: Validity): Col {
  if (c.kind === 'null' || valid === null) return c;
  if (c.valid) {
    const v = new Uint8Array(c.n);
    for (let i = 0; i < c.n; i++) v[i] = c.valid[i]! & valid[i]!;
    return { ...c, valid: v };
  }
  return { ...c, valid };
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concatValidity(cols: Col[]): Validity {
  if (cols.every((c) => c.kind !== 'null' && c.valid === null)) return null;
  return concatBytes(cols.map((c) => (c.kind === 'null' ? new Uint8Array(c.n) : (c.valid ?? new Uint8Array(c.n).fill(1)))));
}

function concatOffsets(cols: Array<{ offsets: Float64Array }>): Float64Array {
  const n = cols.reduce((a, c) => a + c.offsets.length - 1, 0);
  const out = new Float64Array(n + 1);
  let at = 0;
  let base = 0;
  for (const c of cols) {
    const o = c.offsets;
    for (let i = 1; i < o.length; i++) out[at + i] = base + o[i]! - o[0]!;
    at += o.length - 1;
    base = out[at]!;
  }
  return out;
}

/** An all-null piece shaped like `like` (so null pages concatenate with real ones). */
function nullLike(like: Col, n: number): Col {
  const valid = new Uint8Array(n);
  switch (like.kind) {
    case 'null':
      return { kind: 'null', n };
    case 'bool':
      return { kind: 'bool', n, values: new Uint8Array(n), valid };
    case 'fixed':
      return { kind: 'fixed', n, width: like.width, bytes: new Uint8Array(n * like.width), valid };
    case 'var':
      return { kind: 'var', n, offsets: new Float64Array(n + 1), bytes: new Uint8Array(0), valid };
    case 'fsl':
      return { kind: 'fsl', n, dim: like.dim, child: nullLike(like.child, n * like.dim), valid };
    case 'list':
      return { kind: 'list', n, offsets: new Float64Array(n + 1), child: nullLike(like.child, 0), valid };
    case 'struct':
      return { kind: 'struct', n, children: like.children.map((c) => nullLike(c, n)), valid };
  }
}

export function concatCols(cols: Col[]): Col {
  const shaped = cols.find((c) => c.kind !== 'null');
  if (!shaped) return { kind: 'null', n: cols.reduce((a, c) => a + c.n, 0) };
  const parts = cols.map((c) => (c.kind === 'null' ? nullLike(shaped, c.n) : c));
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((a, c) => a + c.n, 0);
  const valid = concatValidity(parts);
  switch (shaped.kind) {
    case 'bool':
      return { kind: 'bool', n, values: concatBytes(parts.map((c) => (c as Extract<Col, { kind: 'bool' }>).values)), valid };
    case 'fixed':
      return { kind: 'fixed', n, width: shaped.width, bytes: concatBytes(parts.map((c) => (c as Extract<Col, { kind: 'fixed' }>).bytes)), valid };
    case 'var': {
      const vs = parts as Array<Extract<Col, { kind: 'var' }>>;
      return { kind: 'var', n, offsets: concatOffsets(vs), bytes: concatBytes(vs.map((c) => c.bytes.subarray(c.offsets[0]!, c.offsets[c.n]!))), valid };
    }
    case 'fsl':
      return { kind: 'fsl', n, dim: shaped.dim, child: concatCols(parts.map((c) => (c as Extract<Col, { kind: 'fsl' }>).child)), valid };
    case 'list': {
      const ls = parts as Array<Extract<Col, { kind: 'list' }>>;
      return { kind: 'list', n, offsets: concatOffsets(ls), child: concatCols(ls.map((c) => sliceCol(c.child, c.offsets[0]!, c.offsets[c.n]!))), valid };
    }
    case 'struct': {
      const ss = parts as Array<Extract<Col, { kind: 'struct' }>>;
      return { kind: 'struct', n, children: shaped.children.map((_, k) => concatCols(ss.map((c) => c.children[k]!))), valid };
    }
  }
}

/** Rows [start, end) of a piece. */
export function sliceCol(c: Col, start: number, end: number): Col {
  const n = end - start;
  const valid = c.kind !== 'null' && c.valid ? c.valid.subarray(start, end) : null;
  switch (c.kind) {
    case 'null':
      return { kind: 'null', n };
    case 'bool':
      return { kind: 'bool', n, values: c.values.subarray(start, end), valid };
    case 'fixed':
      return { kind: 'fixed', n, width: c.width, bytes: c.bytes.subarray(start * c.width, end * c.width), valid };
    case 'var':
      return { kind: 'var', n, offsets: c.offsets.subarray(start, end + 1), bytes: c.bytes, valid };
    case 'fsl':
      return { kind: 'fsl', n, dim: c.dim, child: sliceCol(c.child, start * c.dim, end * c.dim), valid };
    case 'list':
      return { kind: 'list', n, offsets: c.offsets.subarray(start, end + 1), child: c.child, valid };
    case 'struct':
      return { kind: 'struct', n, children: c.children.map((k) => sliceCol(k, start, end)), valid };
  }
}

/** The rows of `ranges` (sorted, half-open) as one piece. */
export function selectRanges(c: Col, ranges: ReadonlyArray<readonly [number, number]>): Col {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === c.n) return c;
  return concatCols(ranges.map(([a, b]) => sliceCol(c, a, b)));
}

function bitmapOf(valid: Validity, n: number): { nullBitmap: Uint8Array | null; nullCount: number } {
  if (!valid) return { nullBitmap: null, nullCount: 0 };
  const bm = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bm[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls ? { nullBitmap: bm, nullCount: nulls } : { nullBitmap: null, nullCount: 0 };
}

function typedView(type: arrow.DataType, bytes: Uint8Array, n: number, width: number): ArrayBufferView {
  // Copy into an aligned buffer: Arrow JS views require element alignment.
  const own = new Uint8Array(n * width);
  own.set(bytes.subarray(0, n * width));
  const ctor = (type as unknown as { ArrayType: new (b: ArrayBufferLike, o: number, l: number) => ArrayBufferView }).ArrayType;
  if (arrow.DataType.isFixedSizeBinary(type) || arrow.DataType.isDecimal(type)) return own;
  const elemBytes = (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new ctor(own.buffer, 0, (n * width) / elemBytes);
}

/** The piece as Arrow Data of `type` (the type the 2.1 reader returns for the same field). */
export function toArrowData(c: Col, type: arrow.DataType, where: { path: string; offset: number }): arrow.Data {
  const n = c.n;
  if (c.kind === 'null') {
    if (arrow.DataType.isNull(type)) return arrow.makeData({ type, length: n, nullCount: n });
    return arrow.vectorFromArray(new Array(n).fill(null), type).data[0]!;
  }
  const { nullBitmap, nullCount } = bitmapOf(c.valid, n);
  const mismatch = (): never => {
    throw new LanceFormatError('SCHEMA_MISMATCH', `2.0 page decodes to ${c.kind} values but the schema says ${String(type)}`, where);
  };
  switch (c.kind) {
    case 'bool': {
      if (!arrow.DataType.isBool(type)) return mismatch();
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (c.values[i]) bits[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, data: bits });
    }
    case 'fixed': {
      if (arrow.DataType.isBool(type) || arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type) || arrow.DataType.isStruct(type) || arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) return mismatch();
      const data = typedView(type, c.bytes, n, c.width);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, data } as never);
    }
    case 'var': {
      const base = c.offsets[0]!;
      const total = c.offsets[n]! - base;
      const bytes = c.bytes.slice(base, base + total);
      if (arrow.DataType.isLargeUtf8(type) || arrow.DataType.isLargeBinary(type)) {
        const off = new BigInt64Array(n + 1);
        for (let i = 0; i <= n; i++) off[i] = BigInt(c.offsets[i]! - base);
        return arrow.makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: off, data: bytes } as never);
      }
      if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
        const off = new Int32Array(n + 1);
        for (let i = 0; i <= n; i++) off[i] = c.offsets[i]! - base;
        return arrow.makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: off, data: bytes } as never);
      }
      return mismatch();
    }
    case 'fsl': {
      if (!arrow.DataType.isFixedSizeList(type)) return mismatch();
      const child = toArrowData(c.child, type.children[0]!.type, where);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, child });
    }
    case 'list': {
      if (!arrow.DataType.isList(type)) return mismatch();
      const base = c.offsets[0]!;
      const off = new Int32Array(n + 1);
      for (let i = 0; i <= n; i++) off[i] = c.offsets[i]! - base;
      const child = toArrowData(sliceCol(c.child, base, c.offsets[n]!), type.children[0]!.type, where);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: off, child });
    }
    case 'struct': {
      if (!arrow.DataType.isStruct(type)) return mismatch();
      const children = c.children.map((k, i) => toArrowData(k, type.children[i]!.type, where));
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, children });
    }
  }
}
