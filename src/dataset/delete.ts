// delete(where): find matching live rows per fragment, merge them into the fragment's deletion
// vector (a new deletion file; old files are never modified), drop fully deleted fragments,
// commit a Delete. A concurrent change to the same fragments makes the commit re-plan.
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, type DataFragment } from '../format/proto/table_pb.js';
import { Transaction_DeleteSchema } from '../format/proto/transaction_pb.js';
import { unionSorted, writeDeletionFile } from '../format/table/deletion-file.js';
import { deletionFilePath } from '../format/table/file-names.js';
import { joinPath } from '../io/object-store.js';
import { commitTransaction, mayDiscardAfter, newTransaction, type CommitOptions } from './commit.js';
import { isRetryableConflict } from './conflicts.js';
import { NotFoundError } from '../errors.js';
import { Dataset } from './dataset.js';
import { deletedRows, fragmentRows } from './scan.js';
import { fragmentMatches } from './scanner.js';

export interface DeleteResult {
  dataset: Dataset;
  numDeletedRows: number;
}

export interface ReplanOptions extends CommitOptions {
  /** How many times to re-plan after a retryable conflict (default 10). */
  maxReplans?: number;
}

/**
 * Runs `attempt` on the latest snapshot and re-runs it on a newer one when its commit hits a
 * retryable conflict (another writer changed the same fragments), or when a file of its snapshot
 * is gone while a newer version exists: a newer version replaced that file and cleanup removed it
 * with the versions that referenced it, so the plan is stale, not the dataset broken.
 */
export async function withReplan<T>(ds: Dataset, opts: ReplanOptions, attempt: (ds: Dataset) => Promise<T>): Promise<T> {
  const max = opts.maxReplans ?? 10;
  let current = ds;
  for (let i = 0; ; i++) {
    try {
      return await attempt(current);
    } catch (e) {
      if (i >= max || !(isRetryableConflict(e) || e instanceof NotFoundError)) throw e;
      const latest = await current.latest();
      if (!isRetryableConflict(e) && latest.loaded.version === current.loaded.version) throw e;
      current = latest;
    }
  }
}

/** New deletion vectors for rows matching `where` in one snapshot: updated and removed fragments. */
export async function planDeletion(
  ds: Dataset,
  perFragment: (frag: DataFragment) => Promise<Uint32Array>,
): Promise<{ updated: DataFragment[]; removed: bigint[]; count: number }> {
  const updated: DataFragment[] = [];
  const removed: bigint[] = [];
  let count = 0;
  for (const frag of ds.fragments) {
    const hits = await perFragment(frag);
    if (hits.length === 0) continue;
    count += hits.length;
    const all = unionSorted(await deletedRows(ds.loc, frag), hits);
    if (all.length >= (await fragmentRows(ds.loc, frag))) {
      removed.push(frag.id);
      continue;
    }
    const deletionFile = await writeDeletionFile(ds.loc.store, ds.loc.base, frag.id, ds.loaded.version, all);
    updated.push(create(DataFragmentSchema, { ...frag, deletionFile }));
  }
  return { updated, removed, count };
}

/** Deletes the rows matching the SQL predicate `where`. */
export async function deleteRows(ds: Dataset, where: string, opts: ReplanOptions = {}): Promise<DeleteResult> {
  return withReplan(await ds.latest().catch(() => ds), opts, async (snap) => {
    const plan = await planDeletion(snap, (frag) => fragmentMatches(snap, frag, where));
    if (plan.count === 0) return { dataset: snap, numDeletedRows: 0 };
    const txn = newTransaction(snap.loaded.version, {
      case: 'delete',
      value: create(Transaction_DeleteSchema, { updatedFragments: plan.updated, deletedFragmentIds: plan.removed, predicate: where }),
    });
    try {
      const res = await commitTransaction(snap.loc, txn, opts);
      return { dataset: new Dataset(snap.loc, res.loaded), numDeletedRows: plan.count };
    } catch (e) {
      // The planned deletion files are unreferenced now.
      for (const f of mayDiscardAfter(e) ? plan.updated : []) {
        if (f.deletionFile) await snap.loc.store.delete(joinPath(snap.loc.base, deletionFilePath(f.id, f.deletionFile))).catch(() => undefined);
      }
      throw e;
    }
  });
}
