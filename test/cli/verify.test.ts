import { describe, expect, it, beforeAll } from 'vitest';
import * as fs from 'node:fs/promises';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as arrow from 'apache-arrow';
import { cli } from './helpers.js';
import { copyDataset, lanceBlobDataset, lancetBlobDataset, SIZES, type BlobFixture } from './fixtures.js';
import { connect } from '../../src/dataset/connection.js';
import '../../src/dataset/blob/table-blobs.js';
import { openDataset } from '../../src/dataset/dataset.js';
import { blobField, descriptorVector, packedDescriptor } from '../../src/format/blob/index.js';
import { createFileWriter, openLanceFile } from '../../src/format/file/index.js';
import { LocalStore } from '../../src/io/local-store.js';
import { peerOpen } from '../helpers/lance-peer.js';
import { payload } from '../blob/writer-helpers.js';

interface Finding {
  severity: string;
  code: string;
  path: string;
  message: string;
}

async function verify(path: string, ...flags: string[]) {
  // The fixtures' external blobs live next to the dataset: verify checks them under that root.
  const r = await cli(['verify', path, '--json', '--external-root', dirname(path), ...flags]);
  return { code: r.code, err: r.err, report: r.out ? JSON.parse(r.out) : undefined, findings: (r.out ? JSON.parse(r.out).findings : []) as Finding[] };
}

function dataFiles(path: string): string[] {
  return readdirSync(join(path, 'data')).filter((n) => n.endsWith('.lance'));
}

let root: string;
let ours: BlobFixture;
let peer: BlobFixture;
let seq = 0;
const fresh = (name: string) => join(root, `${name}-${seq++}.lance`);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-cli-verify-'));
  ours = await lancetBlobDataset(root);
  peer = await lanceBlobDataset(root);
}, 60_000);

describe('lancet verify on healthy datasets', () => {
  it('a lancet dataset with two fragments, a deletion and external blobs is healthy; --deep reads every payload and row', async () => {
    const r = await verify(ours.path);
    expect(r.findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.checked).toMatchObject({ fragments: 2, dataFiles: 2, deletionFiles: 1, versions: 3 });
    const deep = await verify(ours.path, '--deep');
    expect(deep.code).toBe(0);
    // Deleted rows still own their payloads: id 2 (SIZES[2] bytes) is read too.
    const expected = [...ours.payloads.values()].reduce((s, p) => s + (p?.length ?? 0), 0) + SIZES[2]!;
    expect(deep.report.checked.payloadBytesRead).toBe(expected);
    expect(deep.report.checked.rowsRead).toBe(ours.addresses.size);
    const text = await cli(['verify', ours.path, '--external-root', dirname(ours.path)]);
    expect(text.out).toContain('healthy');
  });

  it('a Lance 12 dataset, before and after a Lance delete, is healthy', async () => {
    const path = await copyDataset(peer.path, fresh('peer'));
    expect((await verify(path, '--deep')).findings).toEqual([]);
    const t = await peerOpen(path);
    await t.delete('id = 1');
    const after = await verify(path, '--deep');
    expect(after.findings).toEqual([]);
    expect(after.report.checked.deletionFiles).toBe(1);
    const v1 = await verify(path, '--version', '1');
    expect(v1.code).toBe(0);
  });
});

describe('lancet verify finds planted faults', () => {
  it('a deleted sidecar', async () => {
    const path = await copyDataset(ours.path, fresh('nosidecar'));
    const dir = join(path, 'data', dataFiles(path).sort()[0]!.replace(/\.lance$/, ''));
    const sidecars = readdirSync(dir);
    // blob id 2 is the dedicated 5000-byte blob of fragment 0 (id 1 is the pack).
    const victim = sidecars.find((n) => n === '01000000000000000000000000000000.blob') ?? sidecars[0]!;
    await fs.rm(join(dir, victim));
    const r = await verify(path);
    expect(r.code).toBe(1);
    const missing = r.findings.filter((f) => f.code === 'MISSING_SIDECAR');
    expect(missing.length).toBeGreaterThan(0);
    expect(missing[0]!.severity).toBe('error');
    expect(missing[0]!.path).toContain(victim);
    const text = await cli(['verify', path]);
    expect(text.code).toBe(1);
    expect(text.out).toContain('MISSING_SIDECAR');
  });

  it('a truncated data file', async () => {
    const path = await copyDataset(ours.path, fresh('truncated'));
    const file = join(path, 'data', dataFiles(path)[0]!);
    const size = (await fs.stat(file)).size;
    await fs.truncate(file, size - 100);
    const r = await verify(path);
    expect(r.code).toBe(1);
    const codes = r.findings.map((f) => f.code);
    expect(codes).toContain('DATA_FILE_SIZE');
    expect(codes).toContain('BAD_DATA_FILE');
    expect(r.findings.find((f) => f.code === 'DATA_FILE_SIZE')!.message).toContain(`${size - 100} bytes, manifest records ${size}`);
  });

  it('a truncated pack: out of range normally, short read with --deep', async () => {
    const path = await copyDataset(peer.path, fresh('shortpack'));
    const stem = dataFiles(path)[0]!.replace(/\.lance$/, '');
    const pack = join(path, 'data', stem, '10000000000000000000000000000000.blob');
    await fs.truncate(pack, 600); // holds 500 + 700 bytes
    const r = await verify(path);
    expect(r.findings.map((f) => f.code)).toEqual(['PACKED_OUT_OF_SIDECAR']);
    const deep = await verify(path, '--deep');
    expect(deep.findings.map((f) => f.code)).toContain('PAYLOAD_SHORT');
  });

  it('overlapping packed ranges written into a data file', async () => {
    const db = await connect(root);
    const name = `overlap${seq++}`;
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 0, dedicatedSizeThreshold: 100_000 })]);
    await db.createTable(name, [300, 400, 500].map((n, id) => ({ id, img: payload(n, id) })), { schema });
    const path = join(root, `${name}.lance`);
    expect((await verify(path)).findings).toEqual([]);
    // Rewrite the data file in place: row 1 now claims bytes 100..500 of the pack row 0 owns.
    const ds = await openDataset(path);
    const file = ds.fragments[0]!.files[0]!;
    const store = new LocalStore(join(path, 'data'));
    const reader = await openLanceFile(store, file.path);
    const batch = await reader.read(ds.schema.fields, (id) => file.columnIndices[file.fields.indexOf(id)]);
    const descs = descriptorVector([packedDescriptor(1, 0n, 300n), packedDescriptor(1, 100n, 400n), packedDescriptor(1, 700n, 500n)]);
    const crafted = new arrow.RecordBatch(batch.schema, arrow.makeData({ type: new arrow.Struct(batch.schema.fields), length: 3, nullCount: 0, children: [batch.getChild('id')!.data[0]!, descs.data[0]!] }));
    await store.delete(file.path);
    const w = await createFileWriter(store, file.path, ds.schema, { version: '2.2' });
    await w.write(crafted);
    await w.finish();
    const r = await verify(path);
    expect(r.code).toBe(1);
    const overlap = r.findings.filter((f) => f.code === 'PACKED_OVERLAP');
    expect(overlap).toHaveLength(1);
    expect(overlap[0]!.message).toMatch(/rows 0 \(0\.\.300\) and 1 \(100\.\.500\) overlap/);
    expect(r.findings.filter((f) => f.severity === 'error').every((f) => ['PACKED_OVERLAP', 'DATA_FILE_SIZE'].includes(f.code))).toBe(true);
  });

  it('orphans: data file, sidecar, sidecar dir, deletion file and transaction file', async () => {
    const path = await copyDataset(ours.path, fresh('orphans'));
    const [first] = dataFiles(path).sort();
    const stem = first!.replace(/\.lance$/, '');
    await fs.copyFile(join(path, 'data', first!), join(path, 'data', '000000000000000000000000deadbeefdeadbeefdeadbeef00.lance'));
    await fs.writeFile(join(path, 'data', stem, '11110000000000000000000000000000.blob'), 'x'.repeat(10)); // blob id 15
    await fs.mkdir(join(path, 'data', '111111111111111111111111abcdefabcdefabcdefabcdef00'));
    await fs.writeFile(join(path, 'data', '111111111111111111111111abcdefabcdefabcdefabcdef00', '10000000000000000000000000000000.blob'), 'y');
    await fs.mkdir(join(path, '_deletions'), { recursive: true });
    await fs.writeFile(join(path, '_deletions', '0-9-12345.arrow'), 'z');
    await fs.writeFile(join(path, '_transactions', '9-00000000-0000-0000-0000-000000000000.txn'), 'w');
    const r = await verify(path);
    expect(r.code).toBe(1);
    expect(r.findings.every((f) => f.severity === 'orphan')).toBe(true);
    expect(r.findings.map((f) => f.code).sort()).toEqual(['ORPHAN_DATA_FILE', 'ORPHAN_DELETION_FILE', 'ORPHAN_SIDECAR', 'ORPHAN_SIDECAR_DIR', 'ORPHAN_TRANSACTION']);
    expect(r.findings.find((f) => f.code === 'ORPHAN_SIDECAR')!.message).toContain('blob_id 15');
    const text = await cli(['verify', path, '--external-root', dirname(path)]);
    expect(text.out).toMatch(/0 problems, 5 orphans/);
  });
});

describe('lancet verify: bad input', () => {
  it('corrupt manifest, missing path, non-Lance dir, bad flags', async () => {
    const path = await copyDataset(ours.path, fresh('corrupt'));
    const versions = readdirSync(join(path, '_versions')).filter((n) => n.endsWith('.manifest')).sort();
    await fs.writeFile(join(path, '_versions', versions[0]!), 'not a manifest at all');
    const r = await cli(['verify', path]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/error [A-Z_]+:/);
    expect(r.err).not.toContain('    at ');
    const missing = await cli(['verify', join(root, 'absent.lance')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('NOT_FOUND');
    const notDs = await cli(['verify', root]);
    expect(notDs.code).toBe(1);
    expect(notDs.err).toContain('NOT_A_DATASET');
    expect((await cli(['verify', ours.path, '--bogus'])).code).toBe(2);
    expect((await cli(['verify', ours.path, '--version', 'x'])).code).toBe(2);
    const debug = await cli(['verify', path, '--debug']);
    expect(debug.err).toContain('    at ');
  });
});
