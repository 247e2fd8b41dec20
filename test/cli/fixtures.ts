// Blob datasets for the CLI tests: one written by lancet (every kind, two fragments, a deletion,
// external blobs), one written by Lance 12 (inline, packed, dedicated, null), with the payload
// of every row kept for byte comparisons.
import * as arrow from 'apache-arrow';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { connect } from '../../src/dataset/connection.js';
import '../../src/dataset/blob/table-blobs.js';
import { openDataset } from '../../src/dataset/dataset.js';
import { scanDataset } from '../../src/dataset/scanner.js';
import { ROW_ADDRESS_COLUMN } from '../../src/dataset/scan.js';
import { blobField, blobLogicalType } from '../../src/format/blob/index.js';
import { lancedb, peerArrow, peerCreate } from '../helpers/lance-peer.js';
import { payload } from '../blob/writer-helpers.js';

export const THRESHOLDS = { inlineSizeThreshold: 100, dedicatedSizeThreshold: 2000 };
/** Sizes by id: inline, packed, packed, dedicated, empty, null. */
export const SIZES: (number | null)[] = [10, 500, 700, 5000, 0, null];

export interface BlobFixture {
  path: string;
  /** Payload by id (null = null blob). */
  payloads: Map<number, Uint8Array | null>;
  /** Row address by id (live rows only). */
  addresses: Map<number, bigint>;
}

async function addressesOf(path: string): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  for await (const b of scanDataset(await openDataset(path), { columns: ['id'], withRowAddress: true })) {
    for (let i = 0; i < b.numRows; i++) out.set(Number(b.getChild('id')!.get(i)), b.getChild(ROW_ADDRESS_COLUMN)!.get(i) as bigint);
  }
  return out;
}

function schema(): arrow.Schema {
  return new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('tag', new arrow.Utf8(), true), blobField('img', THRESHOLDS)]);
}

/** Fragment 0: ids 0-7 (six stored kinds + two external); fragment 1: ids 10-12; id 2 deleted. */
export async function lancetBlobDataset(root: string, name = 'ours'): Promise<BlobFixture> {
  const ext = nodePath.join(root, `${name}-external.bin`);
  const extBytes = payload(3000, 99);
  await fs.writeFile(ext, extBytes);
  const payloads = new Map<number, Uint8Array | null>();
  const rows = SIZES.map((s, id) => {
    const p = s === null ? null : payload(s, id + 1);
    payloads.set(id, p);
    return { id, tag: `t${id}`, img: p };
  });
  rows.push({ id: 6, tag: 'ext', img: { uri: `file://${ext}` } as never });
  payloads.set(6, extBytes);
  rows.push({ id: 7, tag: 'ext-range', img: { uri: `file://${ext}`, position: 5, size: 20 } as never });
  payloads.set(7, extBytes.slice(5, 25));
  const db = await connect(root);
  const t = await db.createTable(name, rows, { schema: schema(), blob: { allowExternalOutsideBases: true } } as never);
  const more = [10, 1500, 9000].map((s, k) => {
    const id = 10 + k;
    const p = payload(s, id + 1);
    payloads.set(id, p);
    return { id, tag: `t${id}`, img: p };
  });
  await t.add(more);
  await t.delete('id = 2');
  payloads.delete(2);
  const path = nodePath.join(root, `${name}.lance`);
  return { path, payloads, addresses: await addressesOf(path) };
}

/** Written by Lance 12 with the same thresholds: ids 0-5 of SIZES in one fragment. */
export async function lanceBlobDataset(root: string, name = 'peer'): Promise<BlobFixture> {
  const payloads = new Map<number, Uint8Array | null>();
  SIZES.forEach((s, id) => payloads.set(id, s === null ? null : payload(s, id + 1)));
  const ours = schema();
  const n = SIZES.length;
  const children = [
    arrow.vectorFromArray(Int32Array.from({ length: n }, (_, i) => i)).data[0]!,
    arrow.vectorFromArray(SIZES.map((_, i) => `t${i}`), new arrow.Utf8()).data[0]!,
    arrow.vectorFromArray([...payloads.values()].map((v) => (v === null ? null : { data: v, uri: null })), blobLogicalType()).data[0]!,
  ];
  const table = new arrow.Table(new arrow.RecordBatch(ours, arrow.makeData({ type: new arrow.Struct(ours.fields), length: n, nullCount: 0, children })));
  const peerSchema = new peerArrow.Schema([new peerArrow.Field('id', new peerArrow.Int32(), false), new peerArrow.Field('tag', new peerArrow.Utf8(), true), lancedb.blob('img', THRESHOLDS)]);
  await peerCreate(root, name, table, {}, peerSchema);
  const path = nodePath.join(root, `${name}.lance`);
  return { path, payloads, addresses: await addressesOf(path) };
}

/** Copies a dataset directory (for planting faults without touching the original). */
export async function copyDataset(src: string, dst: string): Promise<string> {
  await fs.cp(src, dst, { recursive: true });
  return dst;
}
