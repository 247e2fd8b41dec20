// The commit protocol (LANCE-FORMAT §4.1): write the transaction file, build the next manifest
// from the latest one, create the manifest file only if absent. Losing the race means another
// writer committed that version: check its transaction, rebase, back off, try again.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { TransactionSchema, type Transaction } from '../format/proto/transaction_pb.js';
import { encodeManifestFile, encodeTransaction } from '../format/table/manifest-file.js';
import { newTransactionFileName, TRANSACTIONS_DIR } from '../format/table/file-names.js';
import { checkWritable } from '../format/table/feature-flags.js';
import { AlreadyExistsError, CommitConflictError } from '../errors.js';
import { buildManifest } from './manifest-builder.js';
import { ensureRebasable } from './conflicts.js';
import {
  datasetPath,
  listVersionEntries,
  loadLatest,
  loadTransaction,
  loadVersion,
  manifestPath,
  namingOf,
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

/** Commits `txn`; throws CommitConflictError when it cannot be rebased or retries run out. */
export async function commitTransaction(loc: DatasetLocation, txn: Transaction, opts: CommitOptions = {}): Promise<CommitResult> {
  const maxRetries = opts.maxRetries ?? 20;
  const backoff = opts.backoffMs ?? 25;
  const pending = create(TransactionSchema, txn);
  // Transactions of versions already checked against `pending` (they never change).
  const checked = new Set<bigint>();
  const written: string[] = [];
  try {
    for (let attempt = 0; ; attempt++) {
      const latest = await latestOrNone(loc);
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
          const m = v === latestVersion ? latest! : await loadVersion(loc, v).catch((e) => (e instanceof VersionNotFoundError ? undefined : Promise.reject(e)));
          // A version missing from the middle was cleaned up; nothing to compare against.
          if (!m) continue;
          newer.push({ version: v, transaction: await loadTransaction(loc, m) });
        }
        ensureRebasable(pending, newer);
        for (const n of newer) checked.add(n.version);
      }
      // The transaction record says which version it was finally built on.
      const record = create(TransactionSchema, { ...pending, readVersion: pending.operation.case === 'overwrite' && !latest ? 0n : latestVersion });
      const txnName = newTransactionFileName(record.readVersion, record.uuid);
      const txnPath = datasetPath(loc, `${TRANSACTIONS_DIR}/${txnName}`);
      if (!written.includes(txnPath)) {
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
      const naming = latest ? namingOf(await listVersionEntries(loc)) : 'v2';
      const path = manifestPath(loc, version, naming);
      const bytes = encodeManifestFile(built.manifest, record, built.indexSection);
      try {
        await loc.store.putIfAbsent(path, bytes);
      } catch (e) {
        if (!(e instanceof AlreadyExistsError)) throw e;
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
  } finally {
    // Transaction files of failed attempts are invisible garbage; remove them.
    for (const p of written) await loc.store.delete(p).catch(() => undefined);
  }
}
