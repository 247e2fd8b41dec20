// Standalone Lance files of the corpus (index files under _indices/). Lance 12's JS API has no
// file reader, so each file is wrapped, bytes untouched, as the only data file of a one-fragment
// dataset whose manifest carries the schema lancet read from the file; Lance 12 then scans that
// dataset, which makes it read the file through its own file reader.
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { columnOwners, toPbFields, type LanceSchema } from '../../src/format/schema.js';
import { openLanceFile, type LanceFileReader } from '../../src/format/file/index.js';
import { ManifestSchema } from '../../src/format/proto/table_pb.js';
import { encodeManifestFile } from '../../src/format/table/manifest-file.js';
import { LocalStore } from '../../src/io/local-store.js';

export interface StandaloneFile {
  /** Path relative to the corpus root. */
  rel: string;
  abs: string;
  /** From the last 8 bytes: u16 major, u16 minor, "LANC". */
  major: number;
  minor: number;
}

function trailerVersion(abs: string): { major: number; minor: number } | undefined {
  const size = statSync(abs).size;
  if (size < 8) return undefined;
  const buf = Buffer.alloc(8);
  const fd = openSync(abs, 'r');
  try {
    readSync(fd, buf, 0, 8, size - 8);
  } finally {
    closeSync(fd);
  }
  if (buf.subarray(4).toString('latin1') !== 'LANC') return undefined;
  return { major: buf.readUInt16LE(0), minor: buf.readUInt16LE(2) };
}

/**
 * Every index file that is a Lance data file. Version 0.1 `.idx` files are excluded: they are the
 * pre-0.2 vector index container (a protobuf Index after the index bytes), read by Lance's vector
 * index code, not by its file reader.
 */
export function standaloneFiles(root: string): StandaloneFile[] {
  const out: StandaloneFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else if (r.includes('/_indices/') && /\.(lance|idx)$/.test(name)) {
        const v = trailerVersion(abs);
        if (v && !(v.major === 0 && v.minor === 1)) out.push({ rel: r, abs, ...v });
      }
    }
  };
  walk(root, '');
  return out;
}

/** Field ids and the column each one reads, as a dataset's DataFile records them for this file. */
export function columnLayout(reader: LanceFileReader): { fieldIds: number[]; columnIndices: number[] } {
  // 2.0 and v1 readers know their own column walk.
  const own = (reader as { standaloneLayout?: () => { fieldIds: number[]; columnIndices: number[] } }).standaloneLayout;
  if (own) return own();
  const owners = columnOwners(reader.schema.fields);
  return { fieldIds: owners.map((f) => f.id), columnIndices: owners.map((_, i) => i) };
}

export async function openStandalone(file: StandaloneFile): Promise<LanceFileReader> {
  return openLanceFile(new LocalStore(dirname(file.abs)), basename(file.abs));
}

/** Writes `<dir>/<name>.lance`: the file as fragment 0, and a version-1 manifest describing it. */
export function wrapAsDataset(file: StandaloneFile, reader: LanceFileReader, dir: string, name: string): string {
  const path = join(dir, `${name}.lance`);
  mkdirSync(join(path, 'data'), { recursive: true });
  mkdirSync(join(path, '_versions'), { recursive: true });
  const fileName = basename(file.abs).replace(/\.idx$/, '.lance');
  copyFileSync(file.abs, join(path, 'data', fileName));
  const { fieldIds, columnIndices } = columnLayout(reader);
  const schema: LanceSchema = { ...reader.schema, fields: reader.schema.fields.map((f) => ({ ...f, name: wrappedName(f.name) })) };
  const legacy = file.major === 0 && file.minor < 3;
  const manifest = create(ManifestSchema, {
    fields: toPbFields(schema.fields),
    schemaMetadata: Object.fromEntries(Object.entries(schema.metadata).map(([k, v]) => [k, new TextEncoder().encode(v)])),
    version: 1n,
    writerVersion: { library: 'lancet', version: '0.1.0' },
    dataFormat: { fileFormat: 'lance', version: legacy ? '0.1' : file.major === 0 ? '2.0' : `${file.major}.${file.minor}` },
    maxFragmentId: 0,
    fragments: [
      {
        id: 0n,
        files: [
          {
            path: fileName,
            fields: fieldIds,
            columnIndices: legacy ? [] : columnIndices,
            fileMajorVersion: legacy ? 0 : file.major === 0 ? 2 : file.major,
            fileMinorVersion: legacy ? 0 : file.major === 0 ? 0 : file.minor,
            fileSizeBytes: BigInt(statSync(file.abs).size),
          },
        ],
        physicalRows: BigInt(reader.numRows),
      },
    ],
  });
  writeFileSync(join(path, '_versions', '1.manifest'), encodeManifestFile(manifest));
  return path;
}

/**
 * Column names inside a wrapped dataset. Index files have columns such as `_rowid`, which a
 * dataset reserves for its row ids (Lance 12 panics on such a schema); field ids, not names, tie
 * the manifest to the file, so the wrapper may rename.
 */
export function wrappedName(name: string): string {
  return /^_row(id|addr)$/.test(name) ? `${name}_in_file` : name;
}
