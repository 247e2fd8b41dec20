// Can a transaction built on read_version still be committed after other transactions landed?
// (LANCE-FORMAT §4.3; Lance's conflict_resolver.rs.) lancet's policy, from the committing
// operation's point of view:
//   Overwrite, Restore: compatible with everything (they replace the table wholesale).
//   Append: conflicts only with Overwrite / Restore / UpdateMemWalState.
//   Delete / Update: conflict with Overwrite / Restore / Merge / Project (schema or all files
//     changed); with Delete / Update / Rewrite / DataReplacement only when they touched the same
//     fragments. Appends, index builds, config changes and reservations are compatible.
// Unknown operations are treated as conflicts. Conflicts of Delete/Update are "retryable": the
// caller may re-plan the operation against the new latest version.
import type { Transaction } from '../format/proto/transaction_pb.js';
import { CommitConflictError } from '../errors.js';

export type OperationKind = NonNullable<Transaction['operation']['case']>;

/** Fragment ids a committed transaction modified or removed (undefined = all of them / unknown). */
function touchedFragments(t: Transaction): Set<bigint> | undefined {
  const op = t.operation;
  switch (op.case) {
    case 'delete':
      return new Set([...op.value.updatedFragments.map((f) => f.id), ...op.value.deletedFragmentIds]);
    case 'update':
      return new Set([...op.value.updatedFragments.map((f) => f.id), ...op.value.removedFragmentIds]);
    case 'rewrite':
      return new Set([...op.value.oldFragments, ...op.value.groups.flatMap((g) => g.oldFragments)].map((f) => f.id));
    case 'dataReplacement':
      return new Set(op.value.replacements.map((r) => r.fragmentId));
    case 'append':
    case 'createIndex':
    case 'reserveFragments':
    case 'updateConfig':
    case 'updateBases':
      return new Set();
    default:
      return undefined;
  }
}

/** Fragment ids the pending transaction modifies in place. */
function ownFragments(t: Transaction): Set<bigint> {
  const op = t.operation;
  if (op.case === 'delete') return new Set([...op.value.updatedFragments.map((f) => f.id), ...op.value.deletedFragmentIds]);
  if (op.case === 'update') return new Set([...op.value.updatedFragments.map((f) => f.id), ...op.value.removedFragmentIds]);
  if (op.case === 'rewrite') return new Set(op.value.groups.flatMap((g) => g.oldFragments.map((f) => f.id)));
  return new Set();
}

export interface ConflictCheck {
  ok: boolean;
  /** When not ok: re-planning the operation on the newer version may succeed. */
  retryable: boolean;
  reason?: string;
}

/** Checks `pending` against one transaction committed after its read version. */
export function checkConflict(pending: Transaction, committed: Transaction, committedVersion: bigint): ConflictCheck {
  const mine = pending.operation.case;
  const theirs = committed.operation.case;
  const why = (r: string, retryable: boolean): ConflictCheck => ({ ok: false, retryable, reason: `${mine} conflicts with ${theirs ?? 'unknown operation'} committed as version ${committedVersion}: ${r}` });
  if (mine === 'overwrite' || mine === 'restore') return { ok: true, retryable: false };
  if (theirs === 'overwrite' || theirs === 'restore') return why('the table was replaced', mine !== 'append');
  if (mine === 'append') {
    if (theirs === undefined || theirs === 'clone') return why('unknown operation', false);
    return { ok: true, retryable: false };
  }
  if (mine === 'delete' || mine === 'update') {
    if (theirs === 'merge' || theirs === 'project') return why('the schema or data files changed', true);
    const touched = touchedFragments(committed);
    if (!touched) return why('operation not understood', true);
    for (const id of ownFragments(pending)) {
      if (touched.has(id)) return why(`both modified fragment ${id}`, true);
    }
    return { ok: true, retryable: false };
  }
  if (mine === 'rewrite') {
    // Compaction replaces whole fragments: anything that changed one of them invalidates it.
    if (theirs === 'merge' || theirs === 'project') return why('the schema or data files changed', true);
    const touched = touchedFragments(committed);
    if (!touched) return why('operation not understood', true);
    for (const id of ownFragments(pending)) if (touched.has(id)) return why(`both modified fragment ${id}`, true);
    return { ok: true, retryable: false };
  }
  if (mine === 'merge' || mine === 'project') {
    // Merge carries the final fragment list, so any concurrent change would be lost: re-plan.
    // Project only replaces the schema; it clashes with other schema changes.
    if (mine === 'project' && theirs !== 'merge' && theirs !== 'project') return { ok: true, retryable: false };
    return why('the table changed while its schema was being changed', true);
  }
  return why('lancet does not rebase this operation', false);
}

/** Throws CommitConflictError (details.retryable) unless `pending` is compatible with every committed transaction. */
export function ensureRebasable(pending: Transaction, committed: readonly { version: bigint; transaction: Transaction | undefined }[]): void {
  for (const c of committed) {
    if (!c.transaction) {
      throw new CommitConflictError('CONFLICT', `version ${c.version} has no transaction record; cannot tell whether it conflicts`, { version: c.version, retryable: true });
    }
    const r = checkConflict(pending, c.transaction, c.version);
    if (!r.ok) throw new CommitConflictError('CONFLICT', r.reason!, { version: c.version, retryable: r.retryable });
  }
}

export function isRetryableConflict(e: unknown): boolean {
  return e instanceof CommitConflictError && e.details.retryable === true;
}
