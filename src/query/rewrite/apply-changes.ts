// Applies RowChanges (deletes, per-row column updates, inserts) to one dataset snapshot as a
// single Update transaction. Per fragment with updates it picks the cheaper of
//   (a) column rewrite: one new data file with only the changed columns for every physical row
//       of the fragment; the old file's ids for them become -2; blob files and sidecars untouched;
//   (b) row rewrite: the updated rows are marked deleted and written again whole, every blob
//       they keep carried by reference (dedicated sidecars linked, packed slices range-copied),
//       a blob they change taking the new value (bytes or a reference to another table).
// Blob writes happen in the caller's blob-counter context, so payload statistics are measured.
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import type { DataFragment } from '../../format/proto/table_pb.js';
import { Transaction_UpdateMode, Transaction_UpdateSchema } from '../../format/proto/transaction_pb.js';
import { arrowTypeOf, isBlobV2Field, type LanceField } from '../../format/schema.js';
import type { BlobInput } from '../../format/blob/blob-input.js';
import { commitTransaction, newTransaction } from '../../dataset/commit.js';
import type { Dataset } from '../../dataset/dataset.js';
import { planDeletion } from '../../dataset/delete.js';
import { addressesOf, carryBlobs, dataBytes, discardWrites, makeBatch, ownerIds, readFragment, rowWidth, singleData } from '../../dataset/mutation-io.js';
import { descriptorsOf } from '../../format/blob/descriptor.js';
import { BlobKind } from '../../format/blob/layout.js';
import { chooseMode, rewriteColumns, type FragmentChange } from '../../dataset/update.js';
import { writeFragments } from '../../dataset/write-fragments.js';
import { writeContext } from '../../dataset/write-ops.js';
import { copyDatasetBlobs, prepareBlobRows } from '../../dataset/blob/dataset-blobs.js';
import { toLogicalBlobValue } from '../../dataset/blob/blob-values.js';
import { rowsToBatch } from '../../dataset/input.js';
import { SqlError } from '../../errors.js';
import type { RowChanges } from '../catalog.js';
import { ArrowCell, buildColumn } from '../../dataset/arrow/build-column.js';

export interface AppliedChanges {
  version: number;
  rows: number;
  /** Per touched fragment: which rewrite it got. */
  modes: Map<bigint, 'columns' | 'rows'>;
}

/** One fragment's updates: sorted offsets, the group each row came from and its index there. */
interface FragUpdates {
  frag: DataFragment;
  offsets: number[];
  group: number[];
  row: number[];
}

async function* batchesOf(batches: readonly arrow.RecordBatch[]): AsyncIterable<arrow.RecordBatch> {
  for (const b of batches) if (b.numRows > 0) yield b;
}

function vectorData(field: LanceField, values: unknown[]): arrow.Data {
  const type = arrowTypeOf(field);
  const cells = isBlobV2Field(field) ? values.map((v) => (v === null || v === undefined ? null : toLogicalBlobValue(v as BlobInput))) : values;
  return buildColumn(cells, type, field.name);
}

/** How much worse a payload byte copied is than a metadata byte written. */
const PAYLOAD_WEIGHT = 16;

/** Inline and packed payload bytes a row rewrite of these rows would copy (dedicated are linked). */
async function carriedPayload(ds: Dataset, frag: DataFragment, offsets: Uint32Array): Promise<number> {
  const blobs = ds.schema.fields.filter(isBlobV2Field);
  if (blobs.length === 0) return 0;
  const { batch } = await readFragment(ds, frag, blobs, { offsets });
  let n = 0;
  for (const f of blobs) for (const d of descriptorsOf(batch.getChild(f.name)!)) if (d && (d.kind === BlobKind.Inline || d.kind === BlobKind.Packed)) n += Number(d.size);
  return n;
}

export async function applyChanges(ds: Dataset, changes: RowChanges): Promise<AppliedChanges> {
  const byId = new Map(ds.fragments.map((f) => [f.id, f]));
  const fieldOf = (name: string) => ds.schema.fields.find((f) => f.name === name)!;
  const seen = new Set<bigint>();
  const claim = (a: bigint) => {
    if (seen.has(a)) throw new SqlError('DUPLICATE_ROW_CHANGE', `row address ${a} is changed twice in one statement`);
    seen.add(a);
  };

  const perFrag = new Map<bigint, FragUpdates>();
  changes.updates.forEach((g, gi) =>
    g.rowAddrs.forEach((a, ri) => {
      claim(a);
      const id = a >> 32n;
      const frag = byId.get(id);
      if (!frag) throw new SqlError('STALE_ROW', `row address ${a} is not in version ${ds.version}`);
      const u = perFrag.get(id) ?? { frag, offsets: [], group: [], row: [] };
      u.offsets.push(Number(a & 0xffffffffn)), u.group.push(gi), u.row.push(ri);
      perFrag.set(id, u);
    }),
  );
  const deletes = new Map<bigint, number[]>();
  for (const a of changes.deletes) {
    claim(a);
    const id = a >> 32n;
    deletes.set(id, [...(deletes.get(id) ?? []), Number(a & 0xffffffffn)]);
  }

  const modes = new Map<bigint, 'columns' | 'rows'>();
  const columnFrags = new Map<bigint, DataFragment>();
  const rowBatches: arrow.RecordBatch[] = [];
  const rowHits = new Map<bigint, number[]>();
  const modified = new Set<number>();
  let written: DataFragment[] = [];
  let deletionFrags: DataFragment[] = [];
  try {
    for (const [id, u] of perFrag) {
      // Sort this fragment's rows by offset (reads come back in offset order).
      const order = u.offsets.map((_, i) => i).sort((x, y) => u.offsets[x]! - u.offsets[y]!);
      const offsets = Uint32Array.from(order.map((i) => u.offsets[i]!));
      const groups = new Set(u.group);
      const changedNames = [...new Set([...groups].flatMap((g) => Object.keys(changes.updates[g]!.columns)))];
      const changed = ds.schema.fields.filter((f) => changedNames.includes(f.name));
      const valueOf = (name: string, k: number) => {
        const i = order[k]!;
        const cols = changes.updates[u.group[i]!]!.columns;
        return name in cols ? cols[name]![u.row[i]!] : undefined;
      };
      const blobChanged = changed.some(isBlobV2Field);
      const complete = changed.every((f) => Array.from(offsets, (_, k) => valueOf(f.name, k) !== undefined).every(Boolean));
      let mode: 'columns' | 'rows' = 'rows';
      if (!blobChanged && complete) {
        const { batch: physical } = await readFragment(ds, u.frag, changed, { physical: true });
        const fresh = new Map(changed.map((f) => [f.name, vectorData(f, Array.from(offsets, (_, k) => valueOf(f.name, k)))] as const));
        const c: FragmentChange = { frag: u.frag, offsets, fresh, physical };
        mode = await chooseMode(ds, c, changed, 'auto');
        // Lance's byte estimate ignores that a row rewrite copies the inline/packed payloads of
        // the rows it moves; keeping blobs where they are wins unless columns cost far more.
        if (mode === 'rows') {
          const colBytes = changed.reduce((s, f) => s + dataBytes(singleData(physical.getChild(f.name)!)), 0);
          const rowBytes = offsets.length * rowWidth(u.frag) + PAYLOAD_WEIGHT * (await carriedPayload(ds, u.frag, offsets));
          if (colBytes <= rowBytes) mode = 'columns';
        }
        if (mode === 'columns') {
          if (deletes.has(id)) mode = 'rows';
          else {
            columnFrags.set(id, await rewriteColumns(ds, c, changed));
            for (const x of ownerIds(changed)) modified.add(x);
          }
        }
      }
      modes.set(id, mode);
      if (mode === 'columns') continue;
      // Row rewrite: old rows at these offsets, changed columns replaced, kept blobs by reference.
      const { batch } = await readFragment(ds, u.frag, ds.schema.fields, { offsets });
      const keep = ds.schema.fields.filter((f) => !(isBlobV2Field(f) && changedNames.includes(f.name)));
      const keptCols = keep.map((f) => {
        if (!changedNames.includes(f.name)) return singleData(batch.getChild(f.name)!);
        // Rows this statement leaves alone keep their cell as stored (copied by buffer).
        const old = singleData(batch.getChild(f.name)!);
        return buildColumn(Array.from(offsets, (_, k) => {
          const v = valueOf(f.name, k);
          return v === undefined ? new ArrowCell(old, k) : v;
        }), arrowTypeOf(f), f.name);
      });
      const keptBatch = await carryBlobs(ds, makeBatch(keep.map((f) => new arrow.Field(f.name, keptCols[keep.indexOf(f)]!.type, f.nullable)), keptCols, offsets.length), addressesOf(id, offsets));
      const addrs = addressesOf(id, offsets);
      const fields: arrow.Field[] = [];
      const cols: arrow.Data[] = [];
      for (const f of ds.schema.fields) {
        if (keep.includes(f)) {
          const af = keptBatch.schema.fields.find((x) => x.name === f.name)!;
          fields.push(af), cols.push(singleData(keptBatch.getChild(f.name)!));
          continue;
        }
        // A changed blob column: rows whose group did not set it keep their own blob (by reference).
        const missing = Array.from(offsets, (_, k) => (valueOf(f.name, k) === undefined ? k : -1)).filter((k) => k >= 0);
        const selfRefs = missing.length ? (await copyDatasetBlobs(ds, f.name, missing.map((k) => addrs[k]!))).values : [];
        const vals = Array.from(offsets, (_, k) => {
          const v = valueOf(f.name, k);
          return v === undefined ? selfRefs[missing.indexOf(k)] ?? null : v;
        });
        fields.push(new arrow.Field(f.name, arrowTypeOf(f), f.nullable)), cols.push(vectorData(f, vals));
      }
      rowBatches.push(makeBatch(fields, cols, offsets.length));
      rowHits.set(id, Array.from(offsets));
    }
    if (changes.inserts.length) {
      const schema = ds.arrowSchema;
      rowBatches.push(rowsToBatch(prepareBlobRows(changes.inserts, schema), schema));
    }
    written = rowBatches.length ? await writeFragments(writeContext(ds.loc, ds.fileVersion), batchesOf(rowBatches), ds.schema) : [];
    const plan = await planDeletion(ds, async (f) => Uint32Array.from([...(rowHits.get(f.id) ?? []), ...(deletes.get(f.id) ?? [])]).sort());
    deletionFrags = plan.updated;
    const updated = [...columnFrags.values(), ...plan.updated];
    const onlyColumns = rowHits.size === 0 && deletes.size === 0 && changes.inserts.length === 0 && columnFrags.size > 0;
    const changedFieldIds = changes.updates.flatMap((g) => Object.keys(g.columns)).map((n) => fieldOf(n).id);
    const txn = newTransaction(ds.loaded.version, {
      case: 'update',
      value: create(Transaction_UpdateSchema, {
        removedFragmentIds: plan.removed,
        updatedFragments: updated,
        newFragments: written,
        fieldsModified: [...modified],
        fieldsForPreservingFragBitmap: onlyColumns ? [] : [...new Set(changedFieldIds)],
        updateMode: onlyColumns ? Transaction_UpdateMode.REWRITE_COLUMNS : Transaction_UpdateMode.REWRITE_ROWS,
      }),
    });
    const res = await commitTransaction(ds.loc, txn, {});
    const rows = changes.deletes.length + changes.inserts.length + changes.updates.reduce((s, g) => s + g.rowAddrs.length, 0);
    return { version: Number(res.version), rows, modes };
  } catch (e) {
    await discardWrites(ds, [...written, ...columnFrags.values(), ...deletionFrags], [], e);
    throw e;
  }
}
