// Builds the manifest of a new version from the latest manifest and one transaction
// (LANCE-FORMAT §2.3, §2.4, §4.1): fragment ids, carried-over sections, flags, row ids.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DataFragmentSchema, ManifestSchema, Manifest_DataStorageFormatSchema, Manifest_WriterVersionSchema, type DataFragment, type IndexSection, type Manifest } from '../format/proto/table_pb.js';
import { RowDatasetVersionSequenceSchema } from '../format/proto/rowids_pb.js';
import type { Transaction } from '../format/proto/transaction_pb.js';
import { toBinary } from '@bufbuild/protobuf';
import { computeFeatureFlags, FLAG_STABLE_ROW_IDS } from '../format/table/feature-flags.js';
import { encodeRowIdSequence } from '../format/table/row-ids.js';
import { withTrustedRowStats } from '../format/table/row-stats.js';
import { CommitConflictError, InvalidInputError } from '../errors.js';

export const WRITER_LIBRARY = 'lancet';
export const WRITER_VERSION = '0.1.0';
export const DEFAULT_FILE_VERSION = '2.2';

export interface BuildInput {
  /** Latest committed manifest (undefined when creating the dataset). */
  previous?: Manifest;
  previousIndexSection?: IndexSection;
  /** For Restore: the manifest (and indices) of the version restored. */
  restored?: { manifest: Manifest; indexSection?: IndexSection };
  version: bigint;
  /** Name under `_transactions/`. */
  transactionFile: string;
  /** Data format when the transaction creates the dataset without data files ('2.1' | '2.2'). */
  fileVersion?: string;
  /** Assign stable row ids when an Overwrite creates the dataset. */
  enableStableRowIds?: boolean;
  now?: Date;
}

export interface BuiltManifest {
  manifest: Manifest;
  indexSection?: IndexSection;
}

function maxId(frags: readonly DataFragment[]): bigint | undefined {
  let m: bigint | undefined;
  for (const f of frags) if (m === undefined || f.id > m) m = f.id;
  return m;
}

function fileVersionOf(frags: readonly DataFragment[]): string | undefined {
  // v1 files are recorded as file version 0.0; Lance names their data format '0.1' (legacy).
  for (const f of frags) for (const d of f.files) return d.fileMajorVersion === 0 && d.fileMinorVersion === 0 ? '0.1' : `${d.fileMajorVersion}.${d.fileMinorVersion}`;
  return undefined;
}

/** Numbers fragments that carry id 0 ("unassigned" in transactions) after `after`. */
function numbered(frags: readonly DataFragment[], after: bigint | undefined): DataFragment[] {
  let next = after === undefined ? 0n : after + 1n;
  return frags.map((f) => create(DataFragmentSchema, { ...f, id: next++ }));
}

/** Row ids [next, next + rows) plus created/updated-at runs, as Lance writes for new fragments. */
function withRowIds(frags: DataFragment[], manifest: Manifest, version: bigint): void {
  for (const f of frags) {
    if (f.rowIdSequence.case !== undefined) continue;
    const n = f.physicalRows;
    const ids: bigint[] = [];
    for (let i = 0n; i < n; i++) ids.push(manifest.nextRowId + i);
    manifest.nextRowId += n;
    f.rowIdSequence = { case: 'inlineRowIds', value: encodeRowIdSequence(ids) };
    const runs = toBinary(
      RowDatasetVersionSequenceSchema,
      create(RowDatasetVersionSequenceSchema, { runs: [{ span: { segment: { case: 'range', value: { start: 0n, end: n } } }, version }] }),
    );
    f.createdAtVersionSequence = { case: 'inlineCreatedAtVersions', value: runs };
    f.lastUpdatedAtVersionSequence = { case: 'inlineLastUpdatedAtVersions', value: runs };
  }
}

/** The new version's manifest. Throws for operations lancet does not commit. */
export function buildManifest(txn: Transaction, input: BuildInput): BuiltManifest {
  // The new manifest carries lancet's writer_version, under which Lance trusts physical_rows: stats
  // an older writer may have got wrong are not handed on.
  const prev = input.previous ? withTrustedRowStats(input.previous) : undefined;
  const op = txn.operation;
  const m = create(ManifestSchema, prev ? { ...prev } : {});
  let indexSection = input.previousIndexSection;
  let stableRowIds = prev ? (prev.readerFeatureFlags & FLAG_STABLE_ROW_IDS) !== 0n : false;
  let fresh: DataFragment[] = [];
  const prevMax = prev?.maxFragmentId !== undefined ? BigInt(prev.maxFragmentId) : maxId(prev?.fragments ?? []);

  switch (op.case) {
    case 'overwrite': {
      fresh = numbered(op.value.fragments, undefined);
      m.fields = op.value.schema;
      m.schemaMetadata = { ...op.value.schemaMetadata };
      m.fragments = fresh;
      m.config = { ...(prev?.config ?? {}), ...op.value.configUpsertValues };
      m.basePaths = [...(prev?.basePaths ?? []), ...op.value.initialBases];
      // Old indices cover fragments that no longer exist.
      indexSection = undefined;
      if (!prev) stableRowIds = input.enableStableRowIds ?? false;
      m.dataFormat = create(Manifest_DataStorageFormatSchema, { fileFormat: 'lance', version: fileVersionOf(fresh) ?? input.fileVersion ?? prev?.dataFormat?.version ?? DEFAULT_FILE_VERSION });
      break;
    }
    case 'append': {
      requirePrevious(prev, 'append');
      fresh = numbered(op.value.fragments, prevMax);
      m.fragments = [...prev!.fragments, ...fresh];
      break;
    }
    case 'delete': {
      requirePrevious(prev, 'delete');
      m.fragments = replaceFragments(prev!.fragments, op.value.updatedFragments, op.value.deletedFragmentIds);
      break;
    }
    case 'update': {
      requirePrevious(prev, 'update');
      fresh = numbered(op.value.newFragments, prevMax);
      m.fragments = [...replaceFragments(prev!.fragments, op.value.updatedFragments, op.value.removedFragmentIds), ...fresh];
      break;
    }
    case 'merge': {
      // The transaction carries the final fragment list and schema (added columns).
      requirePrevious(prev, 'merge');
      m.fields = op.value.schema;
      m.schemaMetadata = { ...op.value.schemaMetadata };
      m.fragments = op.value.fragments.map((f) => create(DataFragmentSchema, f));
      break;
    }
    case 'project': {
      // Dropped columns: data files holding none of the remaining fields go away.
      requirePrevious(prev, 'project');
      m.fields = op.value.schema;
      const kept = new Set(op.value.schema.map((f) => f.id));
      m.fragments = prev!.fragments.map((f) => create(DataFragmentSchema, { ...f, files: f.files.filter((d) => d.fields.some((id) => kept.has(id))) }));
      break;
    }
    case 'rewrite': {
      requirePrevious(prev, 'rewrite');
      m.fragments = rewriteFragments(prev!.fragments, op.value.groups, prevMax, (f) => fresh.push(f));
      break;
    }
    case 'restore': {
      const r = input.restored;
      if (!r) throw new InvalidInputError('RESTORE_SOURCE', `restore of version ${op.value.version} needs that version's manifest`);
      Object.assign(m, create(ManifestSchema, { ...r.manifest }));
      indexSection = r.indexSection;
      // Restored fragment ids must not be reused by later appends.
      const rMax = r.manifest.maxFragmentId;
      if (prev?.maxFragmentId !== undefined && (rMax === undefined || rMax < prev.maxFragmentId)) m.maxFragmentId = prev.maxFragmentId;
      stableRowIds = (r.manifest.readerFeatureFlags & FLAG_STABLE_ROW_IDS) !== 0n;
      if (prev && prev.nextRowId > m.nextRowId) m.nextRowId = prev.nextRowId;
      break;
    }
    default:
      throw new CommitConflictError('UNSUPPORTED_OPERATION', `lancet cannot commit a ${op.case ?? 'missing'} operation`);
  }

  if (stableRowIds) withRowIds(fresh, m, input.version);
  const newMax = maxId(m.fragments);
  const keep = op.case === 'overwrite' ? undefined : m.maxFragmentId;
  const best = [keep === undefined ? undefined : BigInt(keep), newMax].reduce<bigint | undefined>((a, b) => (b === undefined ? a : a === undefined || b > a ? b : a), undefined);
  m.maxFragmentId = best === undefined ? undefined : Number(best);
  if (!m.dataFormat) m.dataFormat = create(Manifest_DataStorageFormatSchema, { fileFormat: 'lance', version: fileVersionOf(m.fragments) ?? input.fileVersion ?? DEFAULT_FILE_VERSION });
  m.version = input.version;
  m.versionAuxData = 0n;
  m.timestamp = timestampFromDate(input.now ?? new Date());
  m.writerVersion = create(Manifest_WriterVersionSchema, { library: WRITER_LIBRARY, version: WRITER_VERSION });
  m.transactionFile = input.transactionFile;
  m.tag = '';
  const flags = computeFeatureFlags(m);
  m.readerFeatureFlags = flags.reader;
  m.writerFeatureFlags = flags.writer;
  return { manifest: create(ManifestSchema, m), ...(indexSection ? { indexSection } : {}) };
}

function requirePrevious(prev: Manifest | undefined, what: string): void {
  if (!prev) throw new InvalidInputError('NO_DATASET', `cannot ${what}: the dataset has no version yet`);
}

/** Replaces fragments by id and drops removed ones, keeping dataset order. */
function replaceFragments(frags: readonly DataFragment[], updated: readonly DataFragment[], removed: readonly bigint[]): DataFragment[] {
  const byId = new Map(updated.map((f) => [f.id, f]));
  const gone = new Set(removed);
  const have = new Set(frags.map((f) => f.id));
  for (const id of [...byId.keys(), ...gone]) {
    if (!have.has(id)) throw new CommitConflictError('FRAGMENT_GONE', `fragment ${id} no longer exists in the latest version`, { fragment: id, retryable: true });
  }
  return frags.filter((f) => !gone.has(f.id)).map((f) => byId.get(f.id) ?? f);
}

/** Replaces each rewrite group's old fragments by its new ones (numbered), in place when contiguous. */
function rewriteFragments(
  frags: readonly DataFragment[],
  groups: readonly { oldFragments: DataFragment[]; newFragments: DataFragment[] }[],
  after: bigint | undefined,
  onNew: (f: DataFragment) => void,
): DataFragment[] {
  let out = [...frags];
  let last = after;
  for (const g of groups) {
    const fresh = numbered(g.newFragments, last);
    if (fresh.length) last = fresh[fresh.length - 1]!.id;
    fresh.forEach(onNew);
    const positions = g.oldFragments.map((o) => out.findIndex((f) => f.id === o.id));
    if (positions.some((p) => p < 0)) {
      throw new CommitConflictError('FRAGMENT_GONE', `a fragment compaction rewrote no longer exists in the latest version`, { retryable: true });
    }
    const start = Math.min(...positions);
    const contiguous = positions.every((p, i) => p === positions[0]! + i);
    const gone = new Set(g.oldFragments.map((o) => o.id));
    if (contiguous) out.splice(start, positions.length, ...fresh);
    else out = [...out.filter((f) => !gone.has(f.id)), ...fresh];
  }
  return out;
}
