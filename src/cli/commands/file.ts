import { toJson as pbToJson } from '@bufbuild/protobuf';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { openFileArg } from '../open.js';
import { formatBytes, renderTable, toJson, writeLine } from '../output.js';
import { PageLayoutSchema, type CompressiveEncoding, type PageLayout } from '../../format/proto/encodings_v2_1_pb.js';
import { columnOwners, walkFields } from '../../format/schema.js';
import type { LanceFileReader } from '../../format/file/index.js';

/** A one-line name for a page layout and its value encoding, e.g. "mini-block Flat(64)". */
export function describeLayout(l: PageLayout): string {
  switch (l.layout.case) {
    case 'miniBlockLayout': {
      const v = l.layout.value;
      const parts = [`mini-block ${describeEncoding(v.valueCompression)}`];
      if (v.dictionary) parts.push(`dict[${v.numDictionaryItems}] ${describeEncoding(v.dictionary)}`);
      if (v.defCompression) parts.push(`def ${describeEncoding(v.defCompression)}`);
      if (v.repCompression) parts.push(`rep ${describeEncoding(v.repCompression)}`);
      return parts.join(', ');
    }
    case 'fullZipLayout': {
      const v = l.layout.value;
      const width = v.details.case === 'bitsPerValue' ? `${v.details.value} bits/value` : `${v.details.value}-bit offsets`;
      return `full-zip ${describeEncoding(v.valueCompression)} (${width}, def ${v.bitsDef} bits)`;
    }
    case 'constantLayout':
      return l.layout.value.inlineValue ? `constant (inline ${l.layout.value.inlineValue.length} B)` : 'constant (all null)';
    case 'blobLayout':
      return 'blob v1';
    default:
      return 'unknown layout';
  }
}

export function describeEncoding(e: CompressiveEncoding | undefined): string {
  if (!e) return '-';
  const c = e.compression;
  switch (c.case) {
    case 'flat':
      return `Flat(${c.value.bitsPerValue})`;
    case 'variable':
      return `Variable{${describeEncoding(c.value.offsets)}}`;
    case 'constant':
      return 'Constant';
    case 'outOfLineBitpacking':
      return `OutOfLineBitpacking(${c.value.uncompressedBitsPerValue}, ${describeEncoding(c.value.values)})`;
    case 'inlineBitpacking':
      return `InlineBitpacking(${c.value.uncompressedBitsPerValue})`;
    case 'fsst':
      return `Fsst{${describeEncoding(c.value.values)}}`;
    case 'dictionary':
      return `Dictionary{${describeEncoding(c.value.indices)}, ${describeEncoding(c.value.items)}}`;
    case 'rle':
      return `Rle{${describeEncoding(c.value.values)}, ${describeEncoding(c.value.runLengths)}}`;
    case 'byteStreamSplit':
      return `ByteStreamSplit{${describeEncoding(c.value.values)}}`;
    case 'general':
      return `General(${['?', 'LZ4', 'ZSTD'][c.value.compression?.scheme ?? 0]}){${describeEncoding(c.value.values)}}`;
    case 'fixedSizeList':
      return `FixedSizeList(${c.value.itemsPerValue}${c.value.hasValidity ? ', validity' : ''}){${describeEncoding(c.value.values)}}`;
    case 'packedStruct':
      return `PackedStruct[${c.value.bitsPerValue.join(',')}]`;
    case 'variablePackedStruct':
      return `VariablePackedStruct[${c.value.fields.map((f) => (f.layout.case === 'bitsPerLength' ? `var${f.layout.value}` : String(f.layout.value))).join(',')}]`;
    default:
      return 'unknown';
  }
}

function columnNames(r: LanceFileReader): string[] {
  return columnOwners(r.schema.fields).map((f) => f.name);
}

function fileMeta(r: LanceFileReader) {
  const names = columnNames(r);
  const columns = [];
  let dataBytes = 0;
  for (let i = 0; i < r.numColumns; i++) {
    const info = r.columnInfo(i);
    const bytes = info.pages.reduce((s, p) => s + p.bufferSizes.reduce((a, b) => a + b, 0), 0);
    dataBytes += bytes;
    columns.push({ index: i, name: names[i] ?? null, pages: info.pages.length, bytes, metadataBytes: info.size, encodings: [...new Set(info.pages.map((p) => describeLayout(p.layout)))] });
  }
  return {
    path: r.path,
    fileSize: r.fileSize,
    version: `${r.version.major}.${r.version.minor}`,
    numRows: r.numRows,
    numColumns: r.numColumns,
    pageBufferBytes: dataBytes,
    columnMetadataBytes: columns.reduce((s, c) => s + c.metadataBytes, 0),
    schema: [...walkFields(r.schema.fields)].map((f) => ({ id: f.id, name: f.name, type: f.logicalType, nullable: f.nullable })),
    columns,
  };
}

export const fileMetaCommand: Command = {
  path: ['file', 'meta'],
  usage: 'lancet file meta FILE.lance [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {}, ['FILE']);
    const r = await openFileArg(positionals[0]!);
    const meta = fileMeta(r);
    if (values.json) {
      writeLine(io, toJson(meta));
      return 0;
    }
    writeLine(io, `${meta.path}: Lance file format ${meta.version}, ${meta.numRows} rows, ${meta.numColumns} columns, ${formatBytes(meta.fileSize)}`);
    writeLine(io, `page buffers ${formatBytes(meta.pageBufferBytes)}, column metadata ${formatBytes(meta.columnMetadataBytes)}`);
    writeLine(io);
    writeLine(io, renderTable(['col', 'field', 'pages', 'bytes', 'encodings'], meta.columns.map((c) => [c.index, c.name, c.pages, c.bytes, c.encodings.join(' | ')]), io));
    return 0;
  },
};

export const pagesCommand: Command = {
  path: ['pages'],
  usage: 'lancet pages FILE.lance [--column NAME|INDEX] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { column: { type: 'string' } }, ['FILE']);
    const r = await openFileArg(positionals[0]!);
    const names = columnNames(r);
    let cols = [...Array(r.numColumns).keys()];
    if (typeof values.column === 'string') {
      const byName = names.indexOf(values.column);
      const idx = byName >= 0 ? byName : /^\d+$/.test(values.column) ? Number(values.column) : -1;
      if (idx < 0 || idx >= r.numColumns) throw new UsageError(`no column "${values.column}" in ${r.path}; columns: ${names.join(', ')}`);
      cols = [idx];
    }
    const pages = cols.flatMap((c) =>
      r.columnInfo(c).pages.map((p, i) => ({
        column: c,
        field: names[c] ?? null,
        page: i,
        rows: p.length,
        firstRow: p.firstRow,
        layout: describeLayout(p.layout),
        buffers: p.bufferOffsets.map((o, k) => ({ offset: o, size: p.bufferSizes[k] })),
        encoding: pbToJson(PageLayoutSchema, p.layout),
      })),
    );
    if (values.json) {
      for (const p of pages) writeLine(io, toJson(p));
      return 0;
    }
    writeLine(io, renderTable(['col', 'field', 'page', 'rows', 'first row', 'layout', 'buffers (offset+size)'], pages.map((p) => [p.column, p.field, p.page, p.rows, p.firstRow, p.layout, p.buffers.map((b) => `${b.offset}+${b.size}`).join(' ')]), io));
    return 0;
  },
};
