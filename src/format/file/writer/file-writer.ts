// Streaming .lance (2.1/2.2) writer. Rows are buffered per column up to `pageSizeBytes`, then
// encoded into a page whose buffers go straight to the store writer (64-byte aligned). The
// tail — FileDescriptor global buffer, column metadata, offset tables, footer — is written by
// finish() in the order Lance's reader expects (LANCE-FORMAT §6.2).
import * as arrow from 'apache-arrow';
import { create, toBinary } from '@bufbuild/protobuf';
import { ColumnMetadataSchema, ColumnMetadata_PageSchema, type ColumnMetadata_Page } from '../../proto/file2_pb.js';
import { FileDescriptorSchema } from '../../proto/file_pb.js';
import { PageLayoutSchema } from '../../proto/encodings_v2_1_pb.js';
import { arrowTypeOf, columnOwners, isBlobV2Field, isLegacyBlobField, toPbFields, type LanceField, type LanceSchema } from '../../schema.js';
import type { ObjectStore, ObjectWriter } from '../../../io/object-store.js';
import { InvalidInputError, LancetError } from '../../../errors.js';
import { columnEncodingAny, packAny } from '../any.js';
import { BUFFER_ALIGNMENT, encodeFooter, encodeOffsetTable, footerVersion, PAD_BYTE, type FileVersion } from '../footer.js';
import { leafKindOf, type LeafKind } from '../leaf-kind.js';
import { buildPageInput, segmentBytes, splitSegment, type LeafSegment } from './page-input.js';
import { encodePage } from './encode-page.js';
import { buildNestedPageInput, maxRepOf, nestedSegment, nestedSegmentBytes, splitNested, type NestedSegment, type NodeKind } from './nested-input.js';
import { encodeNestedPage } from './nested-page.js';
import { expandDictionary } from '../dictionary-data.js';
import { attachDictionary, dictionaryParts } from './dictionary-page.js';
import { encodingParams, shouldDictionaryEncode, type EncodingParams } from './encoding-choice.js';
import { isListLogical } from '../reader/nested-build.js';

export interface FileWriterOptions {
  /** File format version; default '2.2'. */
  version?: FileVersion;
  /** Buffered bytes per column before a page is flushed; default 8 MiB. */
  pageSizeBytes?: number;
}

export interface FileWriteResult {
  numRows: number;
  fileSize: number;
  version: FileVersion;
  /** DataFile.fields: ids of the column-owning fields, in column order. */
  fieldIds: number[];
  /** DataFile.column_indices. */
  columnIndices: number[];
}

export interface LanceFileWriter {
  /** Appends rows; batch columns are matched to the schema's top-level fields by name. */
  write(batch: arrow.RecordBatch): Promise<void>;
  /** Writes bytes into the data region at a 64-byte aligned offset and returns that offset. */
  appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint>;
  finish(): Promise<FileWriteResult>;
  abort(): Promise<void>;
  readonly bytesWritten: number;
}

interface ColumnState {
  field: LanceField;
  /** Names from the top-level field down to the owner. */
  path: string[];
  kind: LeafKind;
  /** Compression parameters from the field metadata (lance-encoding:*). */
  params: EncodingParams;
  /** Node kinds from the top-level field down to the owner, when a list is among them. */
  nested?: NodeKind[];
  segments: LeafSegment[];
  buffered: number;
  rowsFlushed: number;
  pages: ColumnMetadata_Page[];
}

const DEFAULT_PAGE_SIZE = 8 * 1024 * 1024;
const PAD = new Uint8Array(BUFFER_ALIGNMENT).fill(PAD_BYTE);

function columnPaths(fields: readonly LanceField[]): Map<LanceField, string[]> {
  const out = new Map<LanceField, string[]>();
  const owners = new Set(columnOwners(fields));
  const visit = (f: LanceField, prefix: string[]) => {
    const path = [...prefix, f.name];
    if (owners.has(f)) out.set(f, path);
    else f.children.forEach((c) => visit(c, path));
  };
  fields.forEach((f) => visit(f, []));
  return out;
}

/** Blob v1 columns (`lance-encoding:blob`) are refused on write: lancet writes no BlobLayout pages (Lance 12 rejects them at 2.2). */
export function legacyBlobError(name: string, version: string): InvalidInputError {
  return new InvalidInputError(
    'LEGACY_BLOB_COLUMN',
    `column "${name}" carries legacy blob metadata (lance-encoding:blob = true): lancet reads legacy blob columns but does not write ` +
      `their BlobLayout pages (file version ${version} requested; Lance 12 writes them only in 2.0/2.1 files and rejects them at 2.2); ` +
      `declare it as a Blob V2 column instead (blobField("${name}") or the ARROW:extension:name = lance.blob.v2 struct) and drop the lance-encoding:blob key`,
    { column: name },
  );
}

export async function createFileWriter(store: ObjectStore, path: string, schema: LanceSchema, opts: FileWriterOptions = {}): Promise<LanceFileWriter> {
  const version = opts.version ?? '2.2';
  if (version !== '2.1' && version !== '2.2') throw new InvalidInputError('BAD_VERSION', `file version must be '2.1' or '2.2', got ${String(version)}`);
  const pageSize = Math.max(1, opts.pageSizeBytes ?? DEFAULT_PAGE_SIZE);
  const paths = columnPaths(schema.fields);
  const columns: ColumnState[] = columnOwners(schema.fields).map((field) => {
    if (isBlobV2Field(field) && version === '2.1') {
      throw new InvalidInputError('BAD_VERSION', `blob v2 field "${field.name}" needs file version 2.2`);
    }
    if (isLegacyBlobField(field)) throw legacyBlobError(field.name, version);
    const nested = nestedKinds(schema.fields, field, version);
    const params = encodingParams(field.metadata, paths.get(field)!.join('.'));
    return { field, path: paths.get(field)!, kind: leafKindOf(field), params, ...(nested ? { nested } : {}), segments: [], buffered: 0, rowsFlushed: 0, pages: [] };
  });
  const out: ObjectWriter = await store.createWriter(path);
  let numRows = 0;
  let state: 'open' | 'done' | 'failed' = 'open';

  const align = async () => {
    const pad = (BUFFER_ALIGNMENT - (out.position % BUFFER_ALIGNMENT)) % BUFFER_ALIGNMENT;
    if (pad) await out.write(PAD.subarray(0, pad));
  };

  const writeBuffer = async (bytes: Uint8Array): Promise<number> => {
    await align();
    const at = out.position;
    if (bytes.length) await out.write(bytes);
    return at;
  };

  const flushPage = async (col: ColumnState, segs: LeafSegment[]) => {
    const input = col.nested ? buildNestedPageInput(segs as unknown as NestedSegment[], col.nested, col.kind) : buildPageInput(segs, col.kind);
    if (input.numRows === 0) return;
    const dictBits = dictionaryIndexBits(col.field);
    const nested = 'rep' in input;
    // Lance dictionary-encodes low-cardinality string pages on its own (32-bit indices).
    const autoDict = !dictBits && !nested && !input.allNull && shouldDictionaryEncode(input.values, col.params);
    const dict = dictBits ? dictionaryParts(input.values, dictBits) : autoDict ? dictionaryParts(input.values, 32) : undefined;
    if (dict) input.values = dict.indices;
    const encoded = nested ? encodeNestedPage(input, version) : encodePage(input, version, col.params);
    const page = dict ? attachDictionary(encoded, dict) : encoded;
    const offsets: bigint[] = [];
    const sizes: bigint[] = [];
    for (const b of page.buffers) {
      offsets.push(BigInt(await writeBuffer(b)));
      sizes.push(BigInt(b.length));
    }
    col.pages.push(
      create(ColumnMetadata_PageSchema, {
        bufferOffsets: offsets,
        bufferSizes: sizes,
        length: BigInt(input.numRows),
        priority: BigInt(col.rowsFlushed),
        encoding: { location: { case: 'direct', value: { encoding: packAny(PageLayoutSchema, page.layout) } } },
      }),
    );
    col.rowsFlushed += input.numRows;
  };

  /** Flushes pages of about `pageSize` bytes while the column holds at least that much. */
  const drain = async (col: ColumnState, all: boolean) => {
    while (col.segments.length && (all || col.buffered >= pageSize)) {
      const take: LeafSegment[] = [];
      let budget = pageSize;
      while (col.segments.length && (budget > 0 || take.length === 0)) {
        const seg = col.segments[0]!;
        const bytes = bytesOfSegment(seg, col);
        if (bytes <= budget || seg.length === 1) {
          take.push(col.segments.shift()!);
          budget -= bytes;
          col.buffered -= bytes;
        } else {
          const rows = Math.max(1, Math.floor((seg.length * budget) / Math.max(1, bytes)));
          const [head, tail] = col.nested ? (splitNested(seg as unknown as NestedSegment, rows, maxRepOf(col.nested)) as unknown as [LeafSegment, LeafSegment]) : splitSegment(seg, rows);
          take.push(head);
          col.segments[0] = tail;
          const hb = bytesOfSegment(head, col);
          col.buffered -= hb;
          budget = 0;
        }
      }
      if (!all && col.buffered < 0) col.buffered = 0;
      await flushPage(col, take);
    }
    if (all) col.buffered = 0;
  };

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (state !== 'open') throw new LancetError('WRITER_CLOSED', `file writer for ${path} is ${state === 'done' ? 'finished' : 'aborted after an error'}`);
    try {
      return await fn();
    } catch (e) {
      state = 'failed';
      await out.abort().catch(() => undefined);
      throw e;
    }
  };

  return {
    get bytesWritten() {
      return out.position;
    },

    write: (batch) =>
      guard(async () => {
        const segs = columns.map((col) => ({ col, seg: extractSegment(batch, col) }));
        for (const { col, seg } of segs) {
          if (seg.length === 0) continue;
          col.segments.push(seg);
          col.buffered += bytesOfSegment(seg, col);
        }
        numRows += batch.numRows;
        for (const col of columns) if (col.buffered >= pageSize) await drain(col, false);
      }),

    appendOutOfLineBuffer: (bytes) => guard(async () => BigInt(await writeBuffer(bytes))),

    finish: () =>
      guard(async () => {
        for (const col of columns) await drain(col, true);
        const descriptor = toBinary(
          FileDescriptorSchema,
          create(FileDescriptorSchema, { schema: { fields: toPbFields(schema.fields), metadata: encodeMetadata(schema.metadata) }, length: BigInt(numRows) }),
        );
        const gbPos = await writeBuffer(descriptor);
        const columnMetaStart = out.position;
        const cmo: Array<{ position: number; length: number }> = [];
        for (const col of columns) {
          const bytes = toBinary(
            ColumnMetadataSchema,
            create(ColumnMetadataSchema, { encoding: { location: { case: 'direct', value: { encoding: columnEncodingAny() } } }, pages: col.pages }),
          );
          cmo.push({ position: out.position, length: bytes.length });
          await out.write(bytes);
        }
        const cmoTableStart = out.position;
        await out.write(encodeOffsetTable(cmo));
        const gboTableStart = out.position;
        await out.write(encodeOffsetTable([{ position: gbPos, length: descriptor.length }]));
        const { major, minor } = footerVersion(version);
        await out.write(encodeFooter({ columnMetaStart, cmoTableStart, gboTableStart, numGlobalBuffers: 1, numColumns: columns.length, major, minor }));
        const fileSize = await out.close();
        state = 'done';
        return { numRows, fileSize, version, fieldIds: columns.map((c) => c.field.id), columnIndices: columns.map((_, i) => i) };
      }),

    abort: async () => {
      if (state === 'open') {
        state = 'failed';
        await out.abort();
      }
    },
  };
}

const enc = new TextEncoder();

function encodeMetadata(md: Record<string, string>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(md).map(([k, v]) => [k, enc.encode(v)]));
}

/** The leaf Data of one column for a batch, with its enclosing structs (innermost first). */
/** Index width of a `dict:{value}:{index}:{ordered}` field, undefined for other fields. */
function dictionaryIndexBits(f: LanceField): number | undefined {
  if (!f.logicalType.startsWith('dict:')) return undefined;
  const t = arrowTypeOf(f) as arrow.Dictionary;
  return t.indices.bitWidth;
}

function bytesOfSegment(seg: LeafSegment, col: ColumnState): number {
  return col.nested ? nestedSegmentBytes(seg as unknown as NestedSegment, col.kind) : segmentBytes(seg, col.kind);
}

/** Node kinds down to `owner` when a list (or map) encloses it; lists need repetition levels. */
function nestedKinds(fields: readonly LanceField[], owner: LanceField, version: FileVersion): NodeKind[] | undefined {
  const find = (fs: readonly LanceField[], trail: LanceField[]): LanceField[] | undefined => {
    for (const f of fs) {
      if (f === owner) return [...trail, f];
      const got = find(f.children, [...trail, f]);
      if (got) return got;
    }
    return undefined;
  };
  const chain = find(fields, []) ?? [];
  if (!chain.some((f) => isListLogical(f.logicalType))) return undefined;
  const map = chain.find((f) => f.logicalType === 'map');
  // Lance 12 refuses map columns below file version 2.2 ("Map data type is not enabled").
  if (map && version !== '2.2') throw new InvalidInputError('BAD_VERSION', `map field "${map.name}" needs file version 2.2`);
  if (isBlobV2Field(owner)) throw new InvalidInputError('UNSUPPORTED_TYPE', `blob v2 field "${owner.name}" cannot be nested inside a list`);
  return chain.map((f) => (isListLogical(f.logicalType) ? 'list' : 'item'));
}

function extractSegment(batch: arrow.RecordBatch, col: ColumnState): LeafSegment {
  if (col.nested) {
    const idx = batch.schema.fields.findIndex((f) => f.name === col.path[0]);
    if (idx < 0) throw new InvalidInputError('MISSING_COLUMN', `batch has no column "${col.path[0]}" required by the schema`, { column: col.path[0] });
    const seg = nestedSegment(batch.data.children[idx]!, col.nested, col.path);
    checkType(seg.leaf, col);
    return seg as unknown as LeafSegment;
  }
  const chain: arrow.Data[] = [];
  let fields = batch.schema.fields;
  let datas: readonly arrow.Data[] = batch.data.children;
  for (const name of col.path) {
    const idx = fields.findIndex((f) => f.name === name);
    if (idx < 0) throw new InvalidInputError('MISSING_COLUMN', `batch has no column "${col.path.join('.')}" required by the schema`, { column: col.path.join('.') });
    const d = datas[idx]!;
    chain.push(d);
    fields = (fields[idx]!.type.children ?? []) as arrow.Field[];
    datas = d.children;
  }
  const leaf = chain[chain.length - 1]!;
  if (leaf.type.typeId === arrow.Type.Dictionary) chain[chain.length - 1] = expandDictionary(leaf);
  checkType(chain[chain.length - 1]!, col);
  return { layers: chain.reverse(), length: batch.numRows };
}

function checkType(d: arrow.Data, col: ColumnState): void {
  const k = col.kind;
  const t = d.type;
  const ok =
    k.kind === 'blob'
      ? t.typeId === arrow.Type.Struct && t.children.length === 5
      : k.kind === 'variable'
        ? [arrow.Type.Utf8, arrow.Type.Binary, arrow.Type.LargeUtf8, arrow.Type.LargeBinary].includes(t.typeId) &&
          (k.offsetBits === 64) === (t.typeId === arrow.Type.LargeUtf8 || t.typeId === arrow.Type.LargeBinary)
        : k.kind === 'fsl'
          ? t.typeId === arrow.Type.FixedSizeList && (t as arrow.FixedSizeList).listSize === k.dim
          : t.typeId !== arrow.Type.Struct && t.typeId !== arrow.Type.FixedSizeList && !(d.valueOffsets && d.valueOffsets.length);
  if (!ok) throw new InvalidInputError('TYPE_MISMATCH', `column "${col.path.join('.')}" is ${String(t)}, the schema says ${col.field.logicalType}`, { column: col.path.join('.') });
}
