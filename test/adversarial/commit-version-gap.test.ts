// A commit whose concurrent versions were removed by cleanup must not take the gap for "no
// conflict": a delete planned on version N, an update committed as N+1, an append as N+2, then
// cleanup removes N and N+1. Committing the delete must rebase or fail with a retryable
// conflict; it must never resurrect the update's old row versions nor drop its new values.
import { afterEach, describe, expect, test } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { Transaction_DeleteSchema } from '../../src/format/proto/transaction_pb.js';
import { commitTransaction, newTransaction } from '../../src/dataset/commit.js';
import { isRetryableConflict } from '../../src/dataset/conflicts.js';
import { planDeletion } from '../../src/dataset/delete.js';
import { fragmentMatches } from '../../src/dataset/scanner.js';
import { openDatasetAt } from '../../src/dataset/dataset.js';
import { CommitConflictError } from '../../src/errors.js';
import { lancetRows, makeRows, modelRows, peerRows, SCHEMA, tempDb } from '../dataset-ops/helpers.js';

let done: (() => void) | undefined;
afterEach(() => done?.());

describe('commit across versions removed by cleanup', () => {
  // 'cleanup' runs the real cleanup; 'manifests' removes only versions 1 and 2's manifests, as a
  // cleanup that keeps every unreferenced file would.
  for (const [mode, removal] of [['rewrite-rows', 'cleanup'], ['rewrite-columns', 'cleanup'], ['rewrite-rows', 'manifests'], ['rewrite-columns', 'manifests']] as const) {
    test(`a delete planned before an update (${mode}) whose manifest is gone (${removal}) neither resurrects nor loses rows`, async () => {
      const env = await tempDb();
      done = env.done;
      const t = await env.db.createTable('t', makeRows(0, 10), { schema: SCHEMA });
      // The delete is planned on version 1 (fragment 0 gets a new deletion file) but not committed yet.
      const snap = await t.dataset();
      const plan = await planDeletion(snap, (f) => fragmentMatches(snap, f, 'id = 3'));
      const txn = newTransaction(snap.loaded.version, { case: 'delete', value: create(Transaction_DeleteSchema, { updatedFragments: plan.updated, deletedFragmentIds: plan.removed, predicate: 'id = 3' }) });

      expect((await t.update({ where: 'id = 5', values: { label: "'u'" }, mode })).version).toBe(2);
      await t.add(makeRows(10, 2));
      if (removal === 'cleanup') {
        expect((await t.cleanup({ olderThan: new Date(Date.now() + 1000) })).versionsRemoved).toBe(2);
      } else {
        for (const v of (await t.listVersions()).slice(0, 2)) await snap.loc.store.delete((await openDatasetAt(snap.loc, v.version)).loaded.path);
      }
      expect((await t.listVersions()).map((v) => v.version)).toEqual([3]);

      let conflict: unknown;
      try {
        await commitTransaction(snap.loc, txn);
      } catch (e) {
        conflict = e;
      }
      if (conflict !== undefined) {
        expect(conflict).toBeInstanceOf(CommitConflictError);
        expect(isRetryableConflict(conflict)).toBe(true);
        // The retryable conflict is what the operation re-plans on: the public delete succeeds.
        await t.checkoutLatest();
        expect((await t.delete('id = 3')).numDeletedRows).toBe(1);
      }
      await t.checkoutLatest();
      const model = makeRows(0, 12)
        .filter((r) => r.id !== 3n)
        .map((r) => (r.id === 5n ? { ...r, label: 'u' } : r));
      const rows = await lancetRows(t);
      expect(rows).toEqual(modelRows(model));
      expect(await peerRows(env.path('t'))).toEqual(rows);
    });
  }
});
