// An operation planned on a snapshot that stops being the latest mid-way may find the files of
// that snapshot gone: a newer version replaced them and cleanup removed them as belonging only to
// removed versions (Lance's "verified" files). That is a stale plan, not a broken dataset: the
// operation must re-plan on the latest version instead of failing with NOT_FOUND.
import { describe, expect, test } from 'vitest';
import { connect } from '../../src/dataset/index.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import type { ObjectMeta } from '../../src/io/object-store.js';
import { lancetRows, makeRows, modelRows, SCHEMA } from '../dataset-ops/helpers.js';

/** Runs `hook` once, the first time a deletion file is touched, before serving the request. */
class HookStore extends MemoryStore {
  hook: (() => Promise<void>) | undefined;
  private async maybeHook(path: string): Promise<void> {
    if (this.hook && path.includes('/_deletions/')) {
      const h = this.hook;
      this.hook = undefined;
      await h();
    }
  }
  override async head(path: string): Promise<ObjectMeta> {
    await this.maybeHook(path);
    return super.head(path);
  }
  override async get(path: string): Promise<Uint8Array> {
    await this.maybeHook(path);
    return super.get(path);
  }
  override async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    await this.maybeHook(path);
    return super.getRange(path, start, end);
  }
}

describe('re-planning after cleanup removed a stale snapshot\'s files', () => {
  for (const op of ['compact', 'delete', 'update'] as const) {
    test(`${op} whose snapshot's deletion file was replaced and cleaned up meanwhile re-plans and succeeds`, async () => {
      const store = new HookStore();
      const db = await connect('memory://replan', { store });
      const t = await db.createTable('t', makeRows(0, 6), { schema: SCHEMA, maxRowsPerFile: 3 });
      await t.add(makeRows(6, 3), { maxRowsPerFile: 3 });
      await t.delete('id = 0 OR id = 3');
      const other = await db.openTable('t');
      store.hook = async () => {
        await other.delete('id = 1 OR id = 4');
        await other.cleanup({ olderThan: new Date(Date.now() + 1000) });
      };
      if (op === 'compact') await t.compact({ targetRowsPerFragment: 100 });
      else if (op === 'delete') await t.delete('id = 7');
      else await t.update({ where: 'id = 8', values: { label: "'u'" } });
      expect(store.hook).toBeUndefined();
      await t.checkoutLatest();
      const model = makeRows(0, 9)
        .filter((r) => ![0n, 1n, 3n, 4n].includes(r.id) && !(op === 'delete' && r.id === 7n))
        .map((r) => (op === 'update' && r.id === 8n ? { ...r, label: 'u' } : r));
      expect(await lancetRows(t)).toEqual(modelRows(model));
    });
  }
});
