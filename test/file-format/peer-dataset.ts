// Test helper: wraps lancet-written data files in a one-fragment Lance dataset so Lance 12 can
// read them (LANCE-FORMAT §9.1 step 6).
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { ManifestSchema } from '../../src/format/proto/table_pb.js';
import { encodeManifestFile, manifestNameV2 } from '../../src/format/table/manifest-file.js';
import { toPbFields, type LanceSchema } from '../../src/format/schema.js';
import { LocalStore } from '../../src/io/local-store.js';
import { createFileWriter, type FileWriteResult, type FileVersion, type LanceFileWriter } from '../../src/format/file/index.js';

/** Writes `<root>/data/<file>.lance` via `fill`, then the manifest for version 1. */
export async function writePeerDataset(
  root: string,
  schema: LanceSchema,
  fill: (w: LanceFileWriter) => Promise<void>,
  opts: { version?: FileVersion; pageSizeBytes?: number } = {},
): Promise<FileWriteResult> {
  await fs.mkdir(nodePath.join(root, 'data'), { recursive: true });
  await fs.mkdir(nodePath.join(root, '_versions'), { recursive: true });
  const store = new LocalStore(root);
  const version = opts.version ?? '2.2';
  const name = 'lancet-0.lance';
  const w = await createFileWriter(store, `data/${name}`, schema, { version, ...(opts.pageSizeBytes ? { pageSizeBytes: opts.pageSizeBytes } : {}) });
  await fill(w);
  const res = await w.finish();
  const minor = version === '2.1' ? 1 : 2;
  const manifest = create(ManifestSchema, {
    fields: toPbFields(schema.fields),
    fragments: [
      {
        id: 0n,
        files: [{ path: name, fields: res.fieldIds, columnIndices: res.columnIndices, fileMajorVersion: 2, fileMinorVersion: minor, fileSizeBytes: BigInt(res.fileSize) }],
        physicalRows: BigInt(res.numRows),
      },
    ],
    version: 1n,
    dataFormat: { fileFormat: 'lance', version },
    writerVersion: { library: 'lancet', version: '0.1.0' },
    maxFragmentId: 0,
  });
  await fs.writeFile(nodePath.join(root, '_versions', manifestNameV2(1n)), encodeManifestFile(manifest));
  return res;
}

export function batchOf(table: arrow.Table): arrow.RecordBatch[] {
  return table.batches;
}
