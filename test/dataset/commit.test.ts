import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, DeletionFileSchema, ManifestSchema, type DataFragment } from '../../src/format/proto/table_pb.js';
import { Transaction_AppendSchema, Transaction_DeleteSchema, Transaction_OverwriteSchema } from '../../src/format/proto/transaction_pb.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { commitTransaction, newTransaction } from '../../src/dataset/commit.js';
import { listVersionEntries, loadLatest, loadVersion, type DatasetLocation } from '../../src/dataset/versions.js';
import { encodeManifestFile } from '../../src/format/table/manifest-file.js';
import { CommitConflictError, LanceFormatError } from '../../src/errors.js';
import { toPbFields } from '../../src/format/schema.js';

let n = 0;
const loc = (): DatasetLocation => ({ store: new MemoryStore(`memory://c${n++}`), base: 'db/t.lance', uri: 'memory://t' });
const frag = (rows: number, path = `f${Math.random()}.lance`): DataFragment =>
  create(DataFragmentSchema, { id: 0n, physicalRows: BigInt(rows), files: [{ path, fields: [0], columnIndices: [0], fileMajorVersion: 2, fileMinorVersion: 2, fileSizeBytes: 100n }] });
const schema = toPbFields([{ id: 0, name: 'id', logicalType: 'int64', nullable: true, metadata: {}, children: [] }]);
const overwrite = (rv: bigint, frags: DataFragment[]) => newTransaction(rv, { case: 'overwrite', value: create(Transaction_OverwriteSchema, { fragments: frags, schema }) });
const append = (rv: bigint, frags: DataFragment[]) => newTransaction(rv, { case: 'append', value: create(Transaction_AppendSchema, { fragments: frags }) });
const del = (rv: bigint, updated: DataFragment[], removed: bigint[] = []) =>
  newTransaction(rv, { case: 'delete', value: create(Transaction_DeleteSchema, { updatedFragments: updated, deletedFragmentIds: removed, predicate: 'x' }) });

describe('commit protocol', () => {
  it('creates version 1 with V2 naming, transaction file, inline transaction and hint', async () => {
    const l = loc();
    const r = await commitTransaction(l, overwrite(0n, [frag(10), frag(5)]));
    expect(r.version).toBe(1n);
    const m = r.loaded.manifest;
    expect(m.fragments.map((f) => f.id)).toEqual([0n, 1n]);
    expect(m.maxFragmentId).toBe(1);
    expect(m.writerVersion).toMatchObject({ library: 'lancet', version: '0.1.0' });
    expect(m.dataFormat).toMatchObject({ fileFormat: 'lance', version: '2.2' });
    expect(m.transactionFile).toMatch(/^0-[0-9a-f-]{36}\.txn$/);
    const names = (await l.store.list('db/t.lance/')).map((o) => o.path.slice('db/t.lance/'.length)).sort();
    expect(names).toEqual([`_transactions/${m.transactionFile}`, '_versions/18446744073709551614.manifest', '_versions/latest_version_hint.json']);
    const back = await loadLatest(l);
    expect(back.transaction?.operation.case).toBe('overwrite');
    expect(back.manifest.version).toBe(1n);
  });

  it('rebases concurrent appends: every commit lands once with its own fragment ids', async () => {
    const l = loc();
    await commitTransaction(l, overwrite(0n, [frag(1)]));
    const txns = Array.from({ length: 6 }, (_, i) => append(1n, [frag(i + 1, `a${i}.lance`)]));
    const results = await Promise.all(txns.map((t) => commitTransaction(l, t, { backoffMs: 1 })));
    expect(results.map((r) => Number(r.version)).sort()).toEqual([2, 3, 4, 5, 6, 7]);
    const latest = await loadLatest(l);
    expect(latest.manifest.fragments.map((f) => f.id)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    expect(latest.manifest.fragments.map((f) => f.files[0]!.path).slice(1).sort()).toEqual(txns.map((_, i) => `a${i}.lance`).sort());
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    // No transaction files of lost attempts remain.
    const txnFiles = (await l.store.list('db/t.lance/_transactions/')).length;
    expect(txnFiles).toBe(7);
  });

  it('rebases a delete over an append and over a delete of another fragment', async () => {
    const l = loc();
    const v1 = await commitTransaction(l, overwrite(0n, [frag(10), frag(10)]));
    const [f0, f1] = v1.loaded.manifest.fragments;
    await commitTransaction(l, append(1n, [frag(3)]));
    await commitTransaction(l, del(1n, [], [f1!.id]));
    const r = await commitTransaction(l, del(1n, [create(DataFragmentSchema, { ...f0!, deletionFile: create(DeletionFileSchema, { numDeletedRows: 2n, id: 7n, readVersion: 1n }) })]));
    expect(r.version).toBe(4n);
    expect(r.loaded.manifest.fragments.map((f) => [f.id, f.deletionFile?.numDeletedRows ?? 0n])).toEqual([
      [0n, 2n],
      [2n, 0n],
    ]);
    expect(r.loaded.manifest.readerFeatureFlags & 1n).toBe(1n);
  });

  it('refuses deletes of the same fragment and anything after an overwrite, leaving no trace', async () => {
    const l = loc();
    const v1 = await commitTransaction(l, overwrite(0n, [frag(10)]));
    const f0 = v1.loaded.manifest.fragments[0]!;
    await commitTransaction(l, del(1n, [create(DataFragmentSchema, { ...f0, deletionFile: create(DeletionFileSchema, { numDeletedRows: 1n, id: 1n, readVersion: 1n }) })]));
    const before = (await l.store.list('db/t.lance/')).map((o) => o.path).sort();
    const err = await commitTransaction(l, del(1n, [create(DataFragmentSchema, { ...f0, deletionFile: create(DeletionFileSchema, { numDeletedRows: 1n, id: 2n, readVersion: 1n }) })])).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.details.retryable).toBe(true);
    await commitTransaction(l, overwrite(2n, [frag(1)]));
    const err2 = await commitTransaction(l, append(2n, [frag(1)])).catch((e) => e);
    expect(err2).toBeInstanceOf(CommitConflictError);
    expect(err2.message).toMatch(/replaced/);
    const after = (await l.store.list('db/t.lance/')).map((o) => o.path).sort();
    expect(after.filter((p) => !before.includes(p)).every((p) => p.includes('18446744073709551612') || p.includes('_transactions/2-'))).toBe(true);
    expect((await loadLatest(l)).version).toBe(3n);
  });

  it('gives up after the retry bound when the version keeps being taken', async () => {
    const l = loc();
    await commitTransaction(l, overwrite(0n, [frag(1)]));
    const store = l.store;
    const real = store.putIfAbsent.bind(store);
    let calls = 0;
    store.putIfAbsent = async (p, d) => {
      if (p.includes('_versions/')) {
        calls++;
        await real(p, d).catch(() => undefined);
        // Someone else always wins: pretend the slot was taken.
        const { AlreadyExistsError } = await import('../../src/errors.js');
        await store.delete(p);
        throw new AlreadyExistsError(p);
      }
      return real(p, d);
    };
    const err = await commitTransaction(l, append(1n, [frag(1)]), { maxRetries: 3, backoffMs: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.code).toBe('TOO_MANY_RETRIES');
    expect(calls).toBe(4);
    expect((await l.store.list('db/t.lance/_transactions/')).length).toBe(1);
  });

  it('keeps V1 naming on a V1 dataset and ignores a lying hint', async () => {
    const l = loc();
    const r = await commitTransaction(l, overwrite(0n, [frag(1)]));
    // Rename version 1 to the V1 scheme.
    const bytes = await l.store.get(r.loaded.path);
    await l.store.delete(r.loaded.path);
    await l.store.put('db/t.lance/_versions/1.manifest', bytes);
    await l.store.put('db/t.lance/_versions/latest_version_hint.json', new TextEncoder().encode('{"version":9}'));
    const r2 = await commitTransaction(l, append(1n, [frag(2)]));
    expect(r2.loaded.path).toBe('db/t.lance/_versions/2.manifest');
    expect((await listVersionEntries(l)).map((e) => [e.version, e.naming])).toEqual([
      [1n, 'v1'],
      [2n, 'v1'],
    ]);
    expect((await loadVersion(l, 1n)).manifest.fragments).toHaveLength(1);
  });

  it('reports a corrupt latest manifest by file name; earlier versions still open', async () => {
    const l = loc();
    await commitTransaction(l, overwrite(0n, [frag(1)]));
    const r2 = await commitTransaction(l, append(1n, [frag(2)]));
    const bytes = await l.store.get(r2.loaded.path);
    bytes[bytes.length - 20] ^= 0xff;
    bytes[bytes.length - 1] = 0;
    await l.store.put(r2.loaded.path, bytes);
    const err = await loadLatest(l).catch((e) => e);
    expect(err).toBeInstanceOf(LanceFormatError);
    expect(err.path).toBe(r2.loaded.path);
    expect(err.message).toContain('18446744073709551613.manifest');
    expect((await loadVersion(l, 1n)).manifest.fragments).toHaveLength(1);
  });

  it('refuses unknown feature flags before writing', async () => {
    const l = loc();
    const r = await commitTransaction(l, overwrite(0n, [frag(1)]));
    const m = create(ManifestSchema, { ...r.loaded.manifest, version: 2n, writerFeatureFlags: 128n });
    await l.store.put('db/t.lance/_versions/18446744073709551613.manifest', encodeManifestFile(m));
    await expect(commitTransaction(l, append(2n, [frag(1)]))).rejects.toThrow(/feature flag 128/);
  });
});
