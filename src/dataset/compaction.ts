// compact(): merge runs of small fragments (and fragments with many deletions) into fragments of
// about `targetRowsPerFragment` live rows, dropping deleted rows, as one Rewrite transaction with
// one group per run. Blob V2 payloads are carried by reference: dedicated sidecars are linked,
// packs are linked whole (descriptors keep their positions) when enough of them is still live,
// and only packs that are mostly dead are re-packed; inline payloads are copied with the rows.
// With stable row ids the rewritten rows keep their ids.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import { DataFragmentSchema, type DataFragment } from '../format/proto/table_pb.js';
import { Transaction_Rewrite_RewriteGroupSchema, Transaction_RewriteSchema } from '../format/proto/transaction_pb.js';
import { isBlobV2Field } from '../format/schema.js';
import { FLAG_STABLE_ROW_IDS } from '../format/table/feature-flags.js';
import { decodeRowIdSequence, encodeRowIdSequence } from '../format/table/row-ids.js';
import type { BlobReference, PackSource } from '../format/blob/blob-reference.js';
import { commitTransaction, newTransaction } from './commit.js';
import { Dataset } from './dataset.js';
import { withReplan, type ReplanOptions } from './delete.js';
import { fragmentRows } from './scan.js';
import { copyDatasetBlobs } from './blob/dataset-blobs.js';
import { toLogicalBlobValue } from './blob/blob-values.js';
import { addressesOf, discardWrites, ioReport, makeBatch, readFragment, singleData, snapshotCounters, writeRows, type IoReport } from './mutation-io.js';
import { arrowTypeOf } from '../format/schema.js';

export interface CompactOptions extends ReplanOptions {
  /** Live rows per output fragment (default 1,048,576, like Lance). */
  targetRowsPerFragment?: number;
  /** Rewrite fragments whose deleted fraction exceeds `deletionThreshold` (default true). */
  materializeDeletions?: boolean;
  /** Default 0.1, like Lance. */
  deletionThreshold?: number;
  /** Link a pack whole when at least this fraction of its bytes is live (default 0.5); else re-pack. */
  packLiveFraction?: number;
}

export interface CompactResult {
  version: number;
  fragmentsRemoved: number;
  fragmentsAdded: number;
  /** Live rows rewritten. */
  rowsRewritten: number;
  io: IoReport;
  dataset: Dataset;
}

async function isCandidate(ds: Dataset, f: DataFragment, target: number, opts: CompactOptions): Promise<{ small: boolean; deletions: boolean }> {
  const physical = await fragmentRows(ds.loc, f);
  const deleted = Number(f.deletionFile?.numDeletedRows ?? 0n);
  const live = physical - deleted;
  const deletions = (opts.materializeDeletions ?? true) && physical > 0 && deleted / physical > (opts.deletionThreshold ?? 0.1);
  return { small: live < target, deletions };
}

/** Runs of adjacent candidate fragments; a lone small fragment without deletions is left alone. */
export async function planCompaction(ds: Dataset, opts: CompactOptions = {}): Promise<DataFragment[][]> {
  const target = opts.targetRowsPerFragment ?? 1 << 20;
  const runs: { frags: DataFragment[]; deletions: boolean }[] = [];
  let run: { frags: DataFragment[]; deletions: boolean } | undefined;
  for (const f of ds.fragments) {
    const c = await isCandidate(ds, f, target, opts);
    if (c.small || c.deletions) {
      if (!run) runs.push((run = { frags: [], deletions: false }));
      run.frags.push(f);
      run.deletions ||= c.deletions;
    } else run = undefined;
  }
  return runs.filter((r) => r.frags.length > 1 || r.deletions).map((r) => r.frags);
}

/** Blob references of one column for rows of `ds`, with mostly-live packs linked whole. */
async function blobColumn(ds: Dataset, column: string, addresses: bigint[], liveFraction: number): Promise<(BlobReference | null)[]> {
  const { values } = await copyDatasetBlobs(ds, column, addresses);
  const live = new Map<PackSource, number>();
  for (const r of values) if (r?.type === 'range' && r.pack) live.set(r.pack, (live.get(r.pack) ?? 0) + r.size);
  for (const [pack, bytes] of live) if (!pack.coveredByRefs && bytes >= pack.size * liveFraction) pack.coveredByRefs = true;
  return values;
}

/** Live rows of one fragment ready to be written again (blob columns as references). */
async function liveRows(ds: Dataset, frag: DataFragment, liveFraction: number): Promise<{ batch: arrow.RecordBatch; offsets: Uint32Array }> {
  const { batch, offsets } = await readFragment(ds, frag, ds.schema.fields);
  const addresses = addressesOf(frag.id, offsets);
  const fields: arrow.Field[] = [];
  const cols: arrow.Data[] = [];
  for (const f of ds.schema.fields) {
    if (!isBlobV2Field(f)) {
      fields.push(batch.schema.fields.find((x) => x.name === f.name)!);
      cols.push(singleData(batch.getChild(f.name)!));
      continue;
    }
    const refs = await blobColumn(ds, f.name, addresses, liveFraction);
    const type = arrowTypeOf(f);
    fields.push(new arrow.Field(f.name, type, f.nullable));
    cols.push(arrow.vectorFromArray(refs.map((r) => (r === null ? null : toLogicalBlobValue(r))), type).data[0]!);
  }
  return { batch: makeBatch(fields, cols, batch.numRows), offsets };
}

function stableIds(ds: Dataset): boolean {
  return (ds.manifest.readerFeatureFlags & FLAG_STABLE_ROW_IDS) !== 0n;
}

/** Row ids of the live rows of `frags`, in scan order. */
function liveIds(frag: DataFragment, offsets: Uint32Array): bigint[] {
  if (frag.rowIdSequence.case !== 'inlineRowIds') return [];
  const ids = decodeRowIdSequence(frag.rowIdSequence.value, `row ids of fragment ${frag.id}`, frag.physicalRows > 0n ? Number(frag.physicalRows) : undefined);
  return Array.from(offsets, (o) => ids[o]!);
}

export async function compact(ds: Dataset, opts: CompactOptions = {}): Promise<CompactResult> {
  const start = await ds.latest().catch(() => ds);
  const before = snapshotCounters(start);
  return withReplan(start, opts, async (snap) => {
    const target = opts.targetRowsPerFragment ?? 1 << 20;
    const runs = await planCompaction(snap, opts);
    const written: DataFragment[] = [];
    try {
      const groups = [];
      let rows = 0;
      for (const run of runs) {
        const batches: arrow.RecordBatch[] = [];
        const ids: bigint[] = [];
        for (const f of run) {
          const { batch, offsets } = await liveRows(snap, f, opts.packLiveFraction ?? 0.5);
          batches.push(batch);
          if (stableIds(snap)) ids.push(...liveIds(f, offsets));
          rows += batch.numRows;
        }
        let fresh = await writeRows(snap, batches, { maxRowsPerFile: target });
        written.push(...fresh);
        if (stableIds(snap)) {
          let at = 0;
          fresh = fresh.map((f) => {
            const n = Number(f.physicalRows);
            const seq = encodeRowIdSequence(ids.slice(at, at + n));
            at += n;
            return create(DataFragmentSchema, { ...f, rowIdSequence: { case: 'inlineRowIds', value: seq } });
          });
        }
        groups.push(create(Transaction_Rewrite_RewriteGroupSchema, { oldFragments: run, newFragments: fresh }));
      }
      if (groups.length === 0) return { version: snap.version, fragmentsRemoved: 0, fragmentsAdded: 0, rowsRewritten: 0, io: ioReport(snapshotCounters(snap), before), dataset: snap };
      const txn = newTransaction(snap.loaded.version, { case: 'rewrite', value: create(Transaction_RewriteSchema, { groups }) });
      const res = await commitTransaction(snap.loc, txn, opts);
      return {
        version: Number(res.version),
        fragmentsRemoved: runs.reduce((s, r) => s + r.length, 0),
        fragmentsAdded: written.length,
        rowsRewritten: rows,
        io: ioReport(snapshotCounters(snap), before),
        dataset: new Dataset(snap.loc, res.loaded),
      };
    } catch (e) {
      await discardWrites(snap, written, [], e);
      throw e;
    }
  });
}
