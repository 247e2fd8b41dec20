// Blob copies between datasets hard-link sidecars: the link shares the source's inode and so its
// mtime. A copy of a sidecar written long ago must still look new to cleanup while the copying
// write is in flight, or cleanup (with olderThan: 1 h) takes the fresh link for an old orphan and
// the write then commits a version whose blobs are gone.
import { afterEach, describe, expect, test } from 'vitest';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { blobField } from '../../src/format/blob/blob-field.js';
import { connect } from '../../src/dataset/index.js';
import { LocalStore } from '../../src/io/local-store.js';
import { tempDb } from '../dataset-ops/helpers.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

const HOUR = 3600_000;
const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 16, dedicatedSizeThreshold: 1000 })]);
const payload = (id: number) => new Uint8Array(5000 + id).map((_, i) => (i * 31 + id) & 0xff);

/** Sets the mtime of every file below `dir` to `ms`. */
function backdateAll(dir: string, ms: number): void {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) utimesSync(nodePath.join(e.parentPath, e.name), ms / 1000, ms / 1000);
  }
}

/** A store whose manifest commits wait at a gate: the write is "in flight" until it opens. */
class GatedStore extends LocalStore {
  gate: Promise<void> | undefined;
  reached: (() => void) | undefined;
  override async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    if (this.gate && path.includes('/_versions/')) {
      this.reached?.();
      await this.gate;
    }
    return super.putIfAbsent(path, data);
  }
}

describe('hard-linked blob sidecars and cleanup', () => {
  test('sidecars linked from a 10-day-old dataset survive cleanup (olderThan 1 h) of both datasets while and after the copy commits', async () => {
    const env = await tempDb();
    done = env.done;
    const a = await env.db.createTable('a', Array.from({ length: 6 }, (_, i) => ({ id: i, payload: payload(i) })), { schema });
    await env.db.createTable('b', [{ id: 100, payload: new Uint8Array([1]) }], { schema });
    backdateAll(env.path('a'), Date.now() - 10 * 24 * HOUR);
    const addrs = ((await a.query().select(['id']).withRowAddress().toArrow()).getChild('_rowaddr')!.toArray() as BigUint64Array);
    const refs = await a.copyBlobs('payload', [...addrs]);
    expect(refs.stats.references.object).toBe(6);

    const gated = new GatedStore(env.dir);
    const writer = await (await connect(env.dir, { store: gated })).openTable('b');
    let open!: () => void;
    gated.gate = new Promise((r) => (open = r));
    const reached = new Promise<void>((r) => (gated.reached = r));
    const adding = writer.add(refs.values.map((v, i) => ({ id: 10 + i, payload: v })));
    await reached; // sidecars are linked into b, the manifest is not written yet
    const linked = readdirSync(nodePath.join(env.path('b'), 'data'), { withFileTypes: true, recursive: true }).filter((e) => e.name.endsWith('.blob'));
    expect(linked.length).toBe(6);

    const b = await env.db.openTable('b');
    await b.cleanup({ olderThan: HOUR });
    for (const e of linked) expect(statSync(nodePath.join(e.parentPath, e.name)).isFile(), 'linked sidecar kept').toBe(true);
    gated.gate = undefined;
    open();
    await adding;

    await a.cleanup({ olderThan: HOUR });
    await b.checkoutLatest();
    await b.cleanup({ olderThan: HOUR });
    const got = (await b.query().select(['id']).withRowAddress().toArrow());
    const ids = [...(got.getChild('id')!.toArray() as Int32Array)];
    const bAddrs = [...(got.getChild('_rowaddr')!.toArray() as BigUint64Array)];
    const blobs = await b.fetchBlobs('payload', bAddrs);
    ids.forEach((id, i) => {
      if (id === 100) return;
      expect(Buffer.from(blobs[i]!).equals(Buffer.from(payload(id - 10))), `blob of row ${id}`).toBe(true);
    });
    expect(ids.length).toBe(7);
    const aBlobs = await a.fetchBlobs('payload', [...addrs]);
    aBlobs.forEach((p, i) => expect(Buffer.from(p!).equals(Buffer.from(payload(i)))).toBe(true));
  });
});
