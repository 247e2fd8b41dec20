// The inspection commands on blob datasets written by lancet and by Lance 12, in JSON and table form.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { lanceBlobDataset, lancetBlobDataset, type BlobFixture } from './fixtures.js';
import { peerOpen } from '../helpers/lance-peer.js';

let root: string;
let ours: BlobFixture;
let peer: BlobFixture;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-cli-inspect-'));
  ours = await lancetBlobDataset(root);
  peer = await lanceBlobDataset(root);
}, 60_000);

const writers = () => [
  { who: 'lancet', fx: ours, versions: ['overwrite', 'append', 'delete'], fragments: 2 },
  { who: 'Lance 12', fx: peer, versions: ['overwrite'], fragments: 1 },
];

describe('inspection commands on blob datasets', () => {
  it('info: rows, files, sidecars and bytes per blob kind', async () => {
    for (const { who, fx, fragments } of writers()) {
      const r = await cli(['info', fx.path, '--json']);
      expect(r.code, who).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.rows, who).toBe(fx.addresses.size);
      expect(j.fragments, who).toBe(fragments);
      const kinds = j.blobColumns.img.kinds as Record<string, { values: number; bytes: number }>;
      // Sidecar bytes on disk = packed + dedicated payload bytes of live and deleted rows.
      expect(j.sidecarFiles, who).toBeGreaterThanOrEqual(2);
      expect(kinds.dedicated!.values, who).toBeGreaterThanOrEqual(1);
      const live = [...fx.payloads.values()].filter((p) => p !== null);
      expect(Object.values(kinds).reduce((s, k) => s + k.values, 0), who).toBe(live.length);
      expect(Object.values(kinds).reduce((s, k) => s + k.bytes, 0), who).toBe(live.reduce((s, p) => s + p!.length, 0) - (fx === ours ? 3000 : 0)); // whole-object external counts size 0
      const t = await cli(['info', fx.path]);
      expect(t.out).toMatch(/blob column img/);
      expect(t.out).toMatch(/dedicated\s+\d+/);
    }
  });

  it('schema, versions, manifest, fragments', async () => {
    for (const { who, fx, versions, fragments } of writers()) {
      const s = JSON.parse((await cli(['schema', fx.path, '--json'])).out);
      expect(s.fields.map((f: { name: string }) => f.name), who).toEqual(expect.arrayContaining(['id', 'tag', 'img']));
      expect((await cli(['schema', fx.path])).out, who).toContain('img');
      const v = JSON.parse((await cli(['versions', fx.path, '--json'])).out);
      expect(v.versions.map((x: { operation: string }) => x.operation), who).toEqual(versions);
      expect((await cli(['versions', fx.path])).out).toMatch(/version\s+timestamp/);
      const m = JSON.parse((await cli(['manifest', fx.path, '--json'])).out);
      expect(m.manifest.fragments, who).toHaveLength(fragments);
      const f = JSON.parse((await cli(['fragments', fx.path, '--json'])).out);
      expect(f.fragments, who).toHaveLength(fragments);
      expect(f.fragments[0].sidecars, who).toBeGreaterThanOrEqual(2);
      expect((await cli(['fragments', fx.path])).out).toMatch(/fragment\s+rows/);
    }
  });

  it('file meta and pages of a data file with a blob column', async () => {
    for (const { who, fx } of writers()) {
      const file = join(fx.path, 'data', readdirSync(join(fx.path, 'data')).find((n) => n.endsWith('.lance'))!);
      const meta = JSON.parse((await cli(['file', 'meta', file, '--json'])).out);
      expect(meta.version, who).toBe('2.2');
      expect(meta.numColumns, who).toBe(3); // id, tag, and the blob descriptor struct as one column
      const t = await cli(['file', 'meta', file]);
      expect(t.out).toContain('Lance file format 2.2');
      const pages = (await cli(['pages', file, '--column', 'img', '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
      expect(pages[0].field, who).toBe('img');
      expect((await cli(['pages', file])).out).toMatch(/col\s+field\s+page/);
    }
  });

  it('a Lance dataset after a Lance delete: rows and deletion file seen by every command', async () => {
    const { copyDataset } = await import('./fixtures.js');
    const path = await copyDataset(peer.path, join(root, 'peer-del.lance'));
    await (await peerOpen(path)).delete('id = 3');
    const info = JSON.parse((await cli(['info', path, '--json'])).out);
    expect(info).toMatchObject({ rows: peer.addresses.size - 1, deletedRows: 1, deletionFiles: 1, version: 2 });
    const blobs = (await cli(['blobs', path, '--column', 'img', '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(blobs.filter((b) => b.type === 'blob')).toHaveLength(peer.addresses.size - 1);
    expect(blobs.some((b) => b.rowAddress === Number(peer.addresses.get(3)))).toBe(false);
    const cat = await cli(['blob', 'cat', path, '--column', 'img', '--row', String(peer.addresses.get(3))]);
    expect(cat.code).toBe(1);
    expect(cat.err).toContain('is deleted at version 2');
  });
});
