// The commit protocol (LANCE-FORMAT §4.1): write the transaction file, build the next manifest
// from the latest one, create the manifest file only if absent. Losing the race means another
// writer committed that version: check its transaction, rebase, back off, try again.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { TransactionSchema, type Transaction } from '../format/proto/transaction_pb.js';
import { encodeManifestFile, encodeTransaction } from '../format/table/manifest-file.js';
import { newTransactionFileName, TRANSACTIONS_DIR } from '../format/table/file-names.js';
import { checkWritable } from '../format/table/feature-flags.js';
import { AlreadyExistsError, CommitConflictError, NotFoundError, StoreError } from '../errors.js';
import { buildManifest } from './manifest-builder.js';
import { ensureRebasable } from './conflicts.js';
import {
  datasetPath,
  loadLatest,
  loadTransaction,
  loadVersion,
  manifestPath,
  VersionNotFoundError,
  writeVersionHint,
  type DatasetLocation,
  type LoadedManifest,
} from './versions.js';

export interface CommitOptions {
  /** Attempts after the first lost race (default 20, like Lance). */
  maxRetries?: number;
  /** Backoff base in ms; attempt k waits a random time in [0, base·2^k), capped at 1 s. */
  backoffMs?: number;
  fileVersion?: string;
  enableStableRowIds?: boolean;
  /** Fail (instead of overwriting) when another writer created the dataset first. */
  mustCreate?: boolean;
}

export interface CommitResult {
  version: bigint;
  loaded: LoadedManifest;
  /** Attempts it took (1 = no lost race). */
  attempts: number;
}

/** A new transaction skeleton: `readVersion` is the version the operation was planned on (0 = none). */
export function newTransaction(readVersion: bigint, operation: Transaction['operation'], properties: Record<string, string> = {}): Transaction {
  return create(TransactionSchema, { readVersion, uuid: randomUUID(), operation, transactionProperties: properties });
}

async function latestOrNone(loc: DatasetLocation): Promise<LoadedManifest | undefined> {
  try {
    return await loadLatest(loc);
  } catch (e) {
    if (e instanceof VersionNotFoundError) return undefined;
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A manifest write failed in a way that may have happened after it landed, and reading it back failed too. */
export class CommitOutcomeUnknownError extends StoreError {
  constructor(path: string, version: bigint, options?: { cause?: unknown }) {
    super('COMMIT_OUTCOME_UNKNOWN', `could not tell whether version ${version} was committed; its files are kept`, path, options);
  }
}

/** Whether files written for a failed commit may be removed (false when it may have landed). */
export function mayDiscardAfter(e: unknown): boolean {
  return !(e instanceof CommitOutcomeUnknownError);
}

/**
 * After a failed put-if-absent of a manifest whose failure may have followed the write: 'committed'
 * when the version holds our transaction, 'lost' when another writer's, 'absent' when there is no
 * such version. When the read-back keeps failing the outcome is unknown: that is thrown as
 * StoreError COMMIT_OUTCOME_UNKNOWN, and the written transaction file is kept.
 */
async function commitOutcome(loc: DatasetLocation, version: bigint, uuid: string, cause: unknown): Promise<'committed' | 'lost' | 'absent'> {
  let last: unknown = cause;
  for (let i = 0; i < 5; i++) {
    try {
      const m = await loadVersion(loc, version);
      return m.transaction?.uuid === uuid ? 'committed' : 'lost';
    } catch (e) {
      if (e instanceof VersionNotFoundError || e instanceof NotFoundError) return 'absent';
      last = e;
      await sleep(10 * 2 ** i);
    }
  }
  throw new CommitOutcomeUnknownError(datasetPath(loc, '_versions'), version, { cause: last });
}

/**
 * The transaction that produced version `v` (undefined when its manifest has no record), or
 * 'removed' when cleanup removed the version or its transaction file since it was committed.
 */
async function committedTransaction(loc: DatasetLocation, v: bigint, known: LoadedManifest | undefined): Promise<Transaction | undefined | 'removed'> {
  try {
    return await loadTransaction(loc, known ?? (await loadVersion(loc, v)));
  } catch (e) {
    if (e instanceof VersionNotFoundError || e instanceof NotFoundError) return 'removed';
    throw e;
  }
}

/** Retryable: re-planning on the latest version checks the operation against what is there now. */
function versionGap(loc: DatasetLocation, pending: Transaction, v: bigint): CommitConflictError {
  return new CommitConflictError(
    'VERSION_GAP',
    `version ${v} of ${loc.uri} was removed by cleanup after this ${pending.operation.case ?? 'operation'} was planned on version ${pending.readVersion}, so it cannot be checked for conflicts; re-plan it on the latest version (retryable)`,
    { version: v, readVersion: pending.readVersion, retryable: true },
  );
}

/** Commits `txn`; throws CommitConflictError when it cannot be rebased or retries run out. */
export async function commitTransaction(loc: DatasetLocation, txn: Transaction, opts: CommitOptions = {}): Promise<CommitResult> {
  const maxRetries = opts.maxRetries ?? 20;
  const backoff = opts.backoffMs ?? 25;
  const pending = create(TransactionSchema, txn);
  // Transactions of versions already checked against `pending` (they never change).
  const checked = new Set<bigint>();
  const written: string[] = [];
  const txnFile = (readVersion: bigint) => {
    const record = create(TransactionSchema, { ...pending, readVersion });
    const name = newTransactionFileName(readVersion, record.uuid);
    return { record, name, path: datasetPath(loc, `${TRANSACTIONS_DIR}/${name}`) };
  };
  try {
    for (let attempt = 0; ; attempt++) {
      // First attempt on an existing dataset: write the transaction file as if no one committed since
      // `readVersion` (the usual case) while the latest manifest loads. A wrong guess is a failed
      // attempt's file: it stays in `written` and goes at the end, like the files of lost races.
      let guess: { path: string; done: Promise<void> } | undefined;
      if (attempt === 0 && pending.readVersion > 0n && !opts.mustCreate) {
        const g = txnFile(pending.readVersion);
        written.push(g.path);
        guess = { path: g.path, done: loc.store.put(g.path, encodeTransaction(g.record)) };
      }
      const [found, guessWrite] = await Promise.allSettled([latestOrNone(loc), guess?.done]);
      if (found.status === 'rejected') throw found.reason;
      const latest = found.value;
      if (latest && opts.mustCreate) {
        throw new CommitConflictError('DATASET_EXISTS', `a dataset already exists at ${loc.uri} (version ${latest.version})`, { version: latest.version, retryable: false });
      }
      if (latest) checkWritable(latest.manifest, latest.path);
      const latestVersion = latest?.version ?? 0n;
      if (!latest && pending.operation.case !== 'overwrite') {
        throw new VersionNotFoundError('DATASET_NOT_FOUND', `no dataset at ${loc.uri} to ${pending.operation.case ?? 'commit'} to`, { uri: loc.uri });
      }
      if (latestVersion > pending.readVersion) {
        const newer: { version: bigint; transaction: Transaction | undefined }[] = [];
        for (let v = pending.readVersion + 1n; v <= latestVersion; v++) {
          if (checked.has(v)) continue;
          const transaction = await committedTransaction(loc, v, v === latestVersion ? latest! : undefined);
          if (transaction === 'removed') {
            // Cleanup removed this version (or its transaction): what it changed is unknown, so it
            // may conflict. Only operations that conflict with nothing can go on.
            if (pending.operation.case === 'overwrite' || pending.operation.case === 'restore') continue;
            throw versionGap(loc, pending, v);
          }
          newer.push({ version: v, transaction });
        }
        ensureRebasable(pending, newer);
        for (const n of newer) checked.add(n.version);
      }
      // The transaction record says which version it was finally built on.
      const { record, name: txnName, path: txnPath } = txnFile(pending.operation.case === 'overwrite' && !latest ? 0n : latestVersion);
      if (txnPath === guess?.path) {
        if (guessWrite.status === 'rejected') throw guessWrite.reason;
      } else if (!written.includes(txnPath)) {
        await loc.store.put(txnPath, encodeTransaction(record));
        written.push(txnPath);
      }
      const restored = pending.operation.case === 'restore' ? await loadVersion(loc, pending.operation.value.version) : undefined;
      const version = latestVersion + 1n;
      const built = buildManifest(record, {
        ...(latest ? { previous: latest.manifest } : {}),
        ...(latest?.indexSection ? { previousIndexSection: latest.indexSection } : {}),
        ...(restored ? { restored: { manifest: restored.manifest, ...(restored.indexSection ? { indexSection: restored.indexSection } : {}) } } : {}),
        version,
        transactionFile: txnName,
        ...(opts.fileVersion ? { fileVersion: opts.fileVersion } : {}),
        ...(opts.enableStableRowIds !== undefined ? { enableStableRowIds: opts.enableStableRowIds } : {}),
      });
      // Keep the scheme the dataset uses (Lance keeps V1 names on V1 datasets); the latest manifest tells it.
      const naming = latest ? latest.naming : 'v2';
      const path = manifestPath(loc, version, naming);
      const bytes = encodeManifestFile(built.manifest, record, built.indexSection);
      try {
        await loc.store.putIfAbsent(path, bytes);
      } catch (e) {
        // Any other failure may have come after the object was created (a lost response): read
        // the version back to learn whether it is ours, so that callers never delete files a
        // committed manifest references.
        const outcome = e instanceof AlreadyExistsError ? 'lost' : await commitOutcome(loc, version, record.uuid, e);
        if (outcome === 'committed') {
          written.splice(written.indexOf(txnPath), 1);
          await writeVersionHint(loc, version);
          return {
            version,
            attempts: attempt + 1,
            loaded: { manifest: built.manifest, transaction: record, ...(built.indexSection ? { indexSection: built.indexSection } : {}), version, naming, path, size: bytes.length },
          };
        }
        if (outcome === 'absent') throw e;
        if (attempt >= maxRetries) {
          throw new CommitConflictError('TOO_MANY_RETRIES', `commit to ${loc.uri} lost the race for a version ${attempt + 1} times; giving up`, { attempts: attempt + 1, retryable: true });
        }
        await sleep(Math.random() * Math.min(1000, backoff * 2 ** Math.min(attempt, 10)));
        continue;
      }
      written.splice(written.indexOf(txnPath), 1); // the committed transaction file now belongs to the dataset
      await writeVersionHint(loc, version);
      return {
        version,
        attempts: attempt + 1,
        loaded: { manifest: built.manifest, transaction: record, ...(built.indexSection ? { indexSection: built.indexSection } : {}), version, naming, path, size: bytes.length },
      };
    }
  } catch (e) {
    if (!mayDiscardAfter(e)) written.length = 0;
    throw e;
  } finally {
    // Transaction files of failed attempts are invisible garbage; remove them.
    for (const p of written) await loc.store.delete(p).catch(() => undefined);
  }
}
