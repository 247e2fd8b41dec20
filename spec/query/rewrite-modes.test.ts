// What UPDATE and MERGE leave on disk: a column rewrite adds one data file with the changed
// columns and tombstones (-2) their ids in the old file, touching no blob sidecar; a row rewrite
// with a changed blob keeps every other blob by reference. Lance 12 reads both.
import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import { loadTransaction } from '../../src/dataset/versions.js';
import type { LanceCatalog } from '../../src/query/lance-catalog.js';
import { peerOpen } from '../../test/helpers/lance-peer.js';
import { blobBytes, productsFixture } from '../../test/query/helpers.js';

/** Every file under `dir` with its size and inode (a hard link keeps the inode). */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.set(nodePath.relative(dir, p), `${st.size}:${st.ino}:${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

async function snapshot(catalog: LanceCatalog) {
  const t = (await catalog.open(['db', 'products'])) as unknown as { ds: import('../../src/dataset/dataset.js').Dataset };
  return t.ds;
}

describe('UPDATE / MERGE rewrite modes', () => {
  it('UPDATE of a scalar is a REWRITE_COLUMNS Update: new column file, -2 tombstones, sidecars untouched', async () => {
    const f = await productsFixture(40);
    const dir = nodePath.join(f.root, 'db', 'products.lance');
    const blobsBefore = [...files(dir)].filter(([p]) => p.endsWith('.blob'));
    const [r] = await f.db.sql("UPDATE products SET label = 'discontinued' WHERE id = 22");
    expect(r!.rewrite).toEqual({ columnFragments: 1, rowFragments: 0 });
    expect([r!.payloadBytesRead, r!.payloadBytesWritten, r!.payloadBytesLinked]).toEqual([0, 0, 0]);
    const ds = await snapshot(f.catalog);
    const txn = await loadTransaction(ds.loc, ds.loaded);
    expect(txn?.operation.case).toBe('update');
    expect((txn?.operation.value as { updateMode: number }).updateMode).toBe(1); // REWRITE_COLUMNS
    const label = ds.schema.fields.find((x) => x.name === 'label')!.id;
    const [frag] = ds.fragments;
    expect(frag!.files.length).toBe(2);
    expect(frag!.files[0]!.fields.filter((id) => id === -2)).toEqual([-2]);
    expect(frag!.files[0]!.fields).not.toContain(label);
    expect(frag!.files[1]!.fields).toEqual([label]);
    expect(frag!.deletionFile).toBeUndefined();
    // Same sidecar files, same inodes, same mtimes: not a byte of them was touched.
    expect([...files(dir)].filter(([p]) => p.endsWith('.blob'))).toEqual(blobsBefore);
    const peer = await peerOpen(dir);
    const rows = await peer.query().select(['id', 'label']).withRowId().toArray();
    expect(rows.find((x: { id: number }) => x.id === 22).label).toBe('discontinued');
    const blobs = await peer.fetchBlobs('image', rows.map((x: { _rowid: bigint }) => x._rowid));
    rows.forEach((x: { id: number }, i: number) => {
      const id = Number(x.id);
      if (id === 5) expect(blobs[i]).toBeNull();
      else expect(Buffer.from(blobs[i]).equals(Buffer.from(blobBytes(id, [8, 200, 3000][id % 3]!)))).toBe(true);
    });
  });

  it('MERGE that replaces one blob rewrites its rows; untouched rows keep their files', async () => {
    const f = await productsFixture(40);
    await f.db.sql(`CREATE TABLE lance.db.src (id INT NOT NULL, image BINARY) USING lance TBLPROPERTIES ('image.lance.encoding' = 'blob', 'image.lance.blob.dedicated-size-threshold' = '1024')`);
    const src = await f.catalog.open(['db', 'src']);
    await f.catalog.append(src, [{ id: 8, image: blobBytes(80, 4000) }]);
    const [r] = await f.db.sql('MERGE INTO products t USING lance.db.src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.image = s.image');
    expect(r!.rewrite).toEqual({ columnFragments: 0, rowFragments: 1 });
    expect(r!.payloadBytesLinked).toBe(4000);
    expect(r!.payloadBytesWritten).toBe(0);
    const peer = await peerOpen(nodePath.join(f.root, 'db', 'products.lance'));
    const rows = await peer.query().select(['id']).withRowId().toArray();
    const blobs = await peer.fetchBlobs('image', rows.map((x: { _rowid: bigint }) => x._rowid));
    const byId = new Map(rows.map((x: { id: number }, i: number) => [Number(x.id), blobs[i]]));
    expect(Buffer.from(byId.get(8) as Uint8Array).equals(Buffer.from(blobBytes(80, 4000)))).toBe(true);
    expect(Buffer.from(byId.get(11) as Uint8Array).equals(Buffer.from(blobBytes(11, 3000)))).toBe(true);
    expect(rows.length).toBe(40);
  });
});
