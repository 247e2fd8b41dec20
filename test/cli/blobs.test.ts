import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { lancetBlobDataset, lanceBlobDataset, SIZES, type BlobFixture } from './fixtures.js';
import { openDataset } from '../../src/dataset/dataset.js';
import { blobRows, bucketOf } from '../../src/cli/inspect/blob-rows.js';
import { peerScan } from '../helpers/lance-peer.js';

const KINDS = ['inline', 'packed', 'packed', 'dedicated', 'inline', null];

function ndjson(out: string): Record<string, unknown>[] {
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

let root: string;
let ours: BlobFixture;
let peer: BlobFixture;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-cli-blobs-'));
  ours = await lancetBlobDataset(root);
  peer = await lanceBlobDataset(root);
}, 60_000);

describe('lancet blobs', () => {
  it('lists descriptors of a lancet dataset with kinds, locations and a summary histogram', async () => {
    const r = await cli(['blobs', ours.path, '--column', 'img', '--json']);
    expect(r.code).toBe(0);
    const lines = ndjson(r.out);
    const rows = lines.filter((l) => l.type === 'blob');
    const summary = lines[lines.length - 1]!;
    expect(summary.type).toBe('summary');
    expect(rows).toHaveLength(ours.addresses.size);
    const byAddr = new Map(rows.map((x) => [BigInt(x.rowAddress as number), x]));
    for (const [id, addr] of ours.addresses) {
      const row = byAddr.get(addr)!;
      const p = ours.payloads.get(id)!;
      if (id === 6 || id === 7) {
        expect(row.kind).toBe('external');
        expect(row.location).toMatch(/^file:\/\/.*ours-external\.bin$/);
        continue;
      }
      const expectedKind = id < SIZES.length ? KINDS[id] : p.length > 2000 ? 'dedicated' : p.length > 100 ? 'packed' : 'inline';
      expect(row.kind, `id ${id}`).toBe(expectedKind);
      if (p === null) continue;
      expect(row.size).toBe(p.length);
      if (row.kind === 'inline') expect(row.location).toMatch(/^data\/[01]{24}[0-9a-f]+\.lance$/);
      else expect(row.location).toMatch(/^data\/[01]{24}[0-9a-f]+\/[01]{32}\.blob$/);
    }
    // The summary counts what the rows say.
    const kinds = summary.kinds as Record<string, { values: number; bytes: number; buckets: { upTo: number; count: number }[] }>;
    for (const [kind, k] of Object.entries(kinds)) {
      const mine = rows.filter((x) => x.kind === kind);
      expect(k.values).toBe(mine.length);
      expect(k.bytes).toBe(mine.reduce((s, x) => s + (x.size as number), 0));
      expect(k.buckets.reduce((s, b) => s + b.count, 0)).toBe(mine.length);
      for (const x of mine) expect(k.buckets.some((b) => b.upTo === bucketOf(x.size as number))).toBe(true);
    }
    expect(summary.nulls).toBe(rows.filter((x) => x.kind === null).length);
  });

  it('agrees with Lance 12 on a Lance-written dataset', async () => {
    const r = await cli(['blobs', peer.path, '--column', 'img', '--json']);
    expect(r.code).toBe(0);
    const rows = ndjson(r.out).filter((l) => l.type === 'blob');
    const theirs = await peerScan(peer.path, { columns: ['id', 'img'], withRowId: true });
    expect(rows).toHaveLength(theirs.numRows);
    for (let i = 0; i < theirs.numRows; i++) {
      const id = Number(theirs.getChild('id')!.get(i));
      const d = theirs.getChild('img')!.get(i) as Record<string, unknown> | null;
      const row = rows.find((x) => BigInt(x.rowAddress as number) === peer.addresses.get(id))!;
      expect(row.kind).toBe(KINDS[id]);
      if (d === null) {
        expect(row.size).toBeNull();
        continue;
      }
      expect(row.position).toBe(Number(d.position));
      expect(row.size).toBe(Number(d.size));
      expect(row.blobId).toBe(Number(d.blob_id));
    }
  });

  it('filters, limits, time-travels and renders a table with a histogram', async () => {
    const w = ndjson((await cli(['blobs', ours.path, '--column', 'img', '--where', 'id >= 10', '--json'])).out);
    // ids 10-12 hold 10, 1500 and 9000 bytes: below inline (100), below dedicated (2000), above.
    expect(w.filter((l) => l.type === 'blob').map((l) => l.kind)).toEqual(['inline', 'packed', 'dedicated']);
    const l = ndjson((await cli(['blobs', ours.path, '--column', 'img', '--limit', '2', '--json'])).out);
    expect(l.filter((x) => x.type === 'blob')).toHaveLength(2);
    const v1 = ndjson((await cli(['blobs', ours.path, '--column', 'img', '--version', '1', '--json'])).out);
    expect(v1.filter((x) => x.type === 'blob')).toHaveLength(8);
    const t = await cli(['blobs', peer.path, '--column', 'img']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/row address\s+kind\s+position\s+size\s+blob id\s+location/);
    expect(t.out).toMatch(/dedicated\s+1 values/);
    expect(t.out).toContain('█');
    expect(t.out).not.toContain('\x1b['); // no colour off a TTY
  });

  it('reads descriptors only: no payload bytes', async () => {
    const big = await lancetBlobDataset(root, 'second');
    const ds = await openDataset(big.path);
    const before = ds.loc.store.counters.bytesRead;
    let n = 0;
    for await (const _ of blobRows(ds, 'img')) n++;
    expect(n).toBe(big.addresses.size);
    const read = ds.loc.store.counters.bytesRead - before;
    // Payloads total > 16 KB (dedicated 5000 + 9000 alone); only metadata pages were read.
    const payloadTotal = [...big.payloads.values()].reduce((s, p) => s + (p?.length ?? 0), 0);
    expect(payloadTotal).toBeGreaterThan(16_000);
    expect(read).toBeLessThan(payloadTotal);
  });

  it('bad input: unknown column, non-blob column, missing --column', async () => {
    const u = await cli(['blobs', ours.path, '--column', 'nope']);
    expect(u.code).toBe(1);
    expect(u.err.trim().split('\n')).toHaveLength(1);
    expect(u.err).toContain('UNKNOWN_COLUMN');
    const nb = await cli(['blobs', ours.path, '--column', 'tag']);
    expect(nb.code).toBe(1);
    expect(nb.err).toContain('NOT_A_BLOB_COLUMN');
    const m = await cli(['blobs', ours.path]);
    expect(m.code).toBe(2);
    expect(m.err).toContain('--column is required');
  });
});

describe('lancet blob cat', () => {
  async function cat(args: string[]): Promise<{ code: number; bytes: Buffer; err: string }> {
    const { PassThrough } = await import('node:stream');
    const { runCli } = await import('../../src/cli/main.js');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    let err = '';
    stdout.on('data', (d: Buffer) => chunks.push(d));
    stderr.on('data', (d) => (err += d));
    const code = await runCli(['blob', 'cat', ...args], { stdout, stderr, stdin: new PassThrough(), env: {} });
    return { code, bytes: Buffer.concat(chunks), err };
  }

  it('streams every payload byte-exactly (lancet and Lance datasets, every kind)', async () => {
    for (const fx of [ours, peer]) {
      for (const [id, addr] of fx.addresses) {
        const p = fx.payloads.get(id);
        // The external payloads (ids 6, 7) sit next to the dataset, outside it: allowed by name.
        const r = await cat([fx.path, '--column', 'img', '--row', String(addr), '--external-root', root]);
        if (p === null) {
          expect(r.code).toBe(1);
          expect(r.err).toContain('BLOB_IS_NULL');
          continue;
        }
        expect(r.code, `${fx.path} id ${id}: ${r.err}`).toBe(0);
        expect(Buffer.compare(r.bytes, Buffer.from(p!))).toBe(0);
      }
    }
  });

  it('--range A:B is half-open; FRAG:OFFSET addresses work', async () => {
    const id = 12; // 9000 bytes: a dedicated blob in fragment 1
    const addr = ours.addresses.get(id)!;
    const p = Buffer.from(ours.payloads.get(id)!);
    const r = await cat([ours.path, '--column', 'img', '--row', `${addr >> 32n}:${addr & 0xffffffffn}`, '--range', '100:1100']);
    expect(r.code).toBe(0);
    expect(Buffer.compare(r.bytes, p.subarray(100, 1100))).toBe(0);
    const tail = await cat([ours.path, '--column', 'img', '--row', String(addr), '--range', `${p.length - 7}:`]);
    expect(Buffer.compare(tail.bytes, p.subarray(p.length - 7))).toBe(0);
    const packed = peer.addresses.get(2)!;
    const pr = await cat([peer.path, '--column', 'img', '--row', String(packed), '--range', ':5']);
    expect(Buffer.compare(pr.bytes, Buffer.from(peer.payloads.get(2)!).subarray(0, 5))).toBe(0);
  });

  it('bad rows and ranges: one line naming them', async () => {
    const out = await cat([ours.path, '--column', 'img', '--row', '99']);
    expect(out.code).toBe(1);
    expect(out.err.trim().split('\n')).toHaveLength(1);
    expect(out.err).toMatch(/ROW_NOT_FOUND: row 99 \(fragment 0, offset 99\)/);
    const frag = await cat([ours.path, '--column', 'img', '--row', '7:0']);
    expect(frag.code).toBe(1);
    expect(frag.err).toContain('fragment 7');
    const deleted = await cat([ours.path, '--column', 'img', '--row', '2']);
    expect(deleted.code).toBe(1);
    expect(deleted.err).toContain('is deleted');
    const range = await cat([ours.path, '--column', 'img', '--row', String(ours.addresses.get(1)!), '--range', '0:501']);
    expect(range.code).toBe(1);
    expect(range.err).toContain('BAD_RANGE');
    expect(range.bytes.length).toBe(0);
    const syntax = await cat([ours.path, '--column', 'img', '--row', '1', '--range', '5-9']);
    expect(syntax.code).toBe(2);
    const row = await cat([ours.path, '--column', 'img', '--row', 'abc']);
    expect(row.code).toBe(2);
    expect(row.err).not.toContain('    at ');
  });
});

describe('a reader that closes the pipe', () => {
  it('blobs and blob cat stop quietly on EPIPE', async () => {
    const { Writable, PassThrough } = await import('node:stream');
    const { runCli } = await import('../../src/cli/main.js');
    for (const args of [['blobs', ours.path, '--column', 'img', '--json'], ['blob', 'cat', ours.path, '--column', 'img', '--row', String(ours.addresses.get(3)!)]]) {
      let writes = 0;
      const stdout = new Writable({
        write(_chunk, _enc, cb) {
          writes++;
          cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (d) => (err += d));
      const code = await runCli(args, { stdout, stderr, stdin: new PassThrough(), env: {} });
      expect(code, err).toBe(0);
      expect(writes).toBeGreaterThan(0);
      expect(err).toBe('');
    }
  });
});
