// Integrity check of a dataset version: files referenced by the manifest exist with their
// recorded sizes and parse; deletion vectors fit their fragments; every blob descriptor lands
// inside the object it names and packed ranges never overlap; optionally every payload and
// every column is read. Files no version references are reported as orphans.
import type * as arrow from 'apache-arrow';
import type { Dataset } from '../../dataset/dataset.js';
import { schemaOfManifest } from '../../dataset/dataset.js';
import { listVersionEntries, loadVersion } from '../../dataset/versions.js';
import { scanDataset } from '../../dataset/scanner.js';
import { LancetError } from '../../errors.js';
import { descriptorsOf, type BlobDescriptor } from '../../format/blob/descriptor.js';
import { defaultExternalOpener } from '../../format/blob/external-store.js';
import { confineExternalRead, type BasePathInfo } from '../../format/blob/external-uri.js';
import { externalReadScope } from '../../dataset/blob/dataset-blobs.js';
import { BlobKind } from '../../format/blob/layout.js';
import { decodeBlobFileName, sidecarDir, sidecarPath } from '../../format/blob/sidecar-path.js';
import { openLanceFile, type LanceFileReader } from '../../format/file/index.js';
import type { DataFile, Manifest } from '../../format/proto/table_pb.js';
import { columnOwners, isBlobV2Field, type LanceField } from '../../format/schema.js';
import { readDeletionFile } from '../../format/table/deletion-file.js';
import { DELETION_OUT_OF_RANGE } from '../../format/table/roaring.js';
import { DATA_DIR, DELETIONS_DIR, TRANSACTIONS_DIR, deletionFilePath } from '../../format/table/file-names.js';
import { joinPath, type ObjectMeta, type ObjectStore } from '../../io/object-store.js';
import { basePathsOf, kindName } from './blob-rows.js';

export type Severity = 'error' | 'orphan';

export interface Finding {
  severity: Severity;
  code: string;
  /** Dataset-relative path (or URI) of the object concerned. */
  path: string;
  message: string;
  row?: bigint;
}

export interface VerifyReport {
  uri: string;
  version: number;
  deep: boolean;
  healthy: boolean;
  checked: {
    versions: number;
    fragments: number;
    dataFiles: number;
    deletionFiles: number;
    descriptors: number;
    sidecars: number;
    payloadBytesRead: number;
    rowsRead: number;
  };
  findings: Finding[];
}

export interface VerifyHooks {
  /** Called with the number of units about to be checked (may be called again to add more). */
  plan?(units: number): void;
  step?(item: string): void;
}

const DESCRIPTOR_BATCH = 65536;

function errorText(e: unknown): string {
  if (e instanceof LancetError) return `${e.code}: ${e.message}`;
  return (e as Error)?.message ?? String(e);
}

interface FileScan {
  /** Blob ids referenced by the file's descriptors (deleted rows included). */
  ids: Set<number>;
}

class Verifier {
  readonly findings: Finding[] = [];
  readonly checked: VerifyReport['checked'] = { versions: 0, fragments: 0, dataFiles: 0, deletionFiles: 0, descriptors: 0, sidecars: 0, payloadBytesRead: 0, rowsRead: 0 };
  /** Every object under the dataset root, by dataset-relative path. */
  private objects = new Map<string, ObjectMeta>();
  /** Scanned data files (dataset-relative path) → referenced sidecar ids; absent = unknown. */
  readonly scanned = new Map<string, FileScan>();
  /** Packed ranges per sidecar, for the overlap check. */
  private packed = new Map<string, { start: bigint; end: bigint; row: bigint }[]>();
  private readonly store: ObjectStore;
  private readonly base: string;

  constructor(
    private readonly ds: Dataset,
    private readonly deep: boolean,
    private readonly hooks: VerifyHooks,
  ) {
    this.store = ds.loc.store;
    this.base = ds.loc.base;
  }

  find(severity: Severity, code: string, path: string, message: string, row?: bigint): void {
    this.findings.push({ severity, code, path, message, ...(row !== undefined ? { row } : {}) });
  }

  abs(rel: string): string {
    return joinPath(this.base, rel);
  }

  async listAll(): Promise<void> {
    const prefix = this.base ? `${this.base}/` : '';
    for (const m of await this.store.list(prefix)) this.objects.set(m.path.slice(prefix.length), m);
  }

  async run(): Promise<void> {
    await this.listAll();
    const manifests = await this.loadManifests();
    const m = this.ds.manifest;
    const fields = this.ds.schema.fields;
    this.hooks.plan?.(m.fragments.reduce((s, f) => s + f.files.length + (f.deletionFile ? 1 : 0), 0));
    for (const frag of m.fragments) {
      this.checked.fragments++;
      const physical = Number(frag.physicalRows);
      for (const file of frag.files) {
        this.hooks.step?.(`data/${file.path}`);
        await this.checkDataFile(file, physical, fields, basePathsOf(this.ds), frag.id);
      }
      if (frag.deletionFile) {
        const rel = deletionFilePath(frag.id, frag.deletionFile);
        this.hooks.step?.(rel);
        this.checked.deletionFiles++;
        if (!this.objects.has(rel)) {
          this.find('error', 'MISSING_DELETION_FILE', rel, `deletion file of fragment ${frag.id} is missing`);
          continue;
        }
        try {
          await readDeletionFile(this.store, this.base, frag.id, frag.deletionFile, physical);
        } catch (e) {
          // Offsets past the fragment's rows are refused by the reader itself, before allocating.
          const outOfRange = e instanceof LancetError && e.code === DELETION_OUT_OF_RANGE;
          this.find('error', outOfRange ? DELETION_OUT_OF_RANGE : 'BAD_DELETION_FILE', rel, errorText(e));
        }
      }
    }
    this.checkOverlaps();
    // Data files of other versions: their descriptors say which sidecars are still referenced.
    for (const other of manifests) {
      if (other.version === m.version) continue;
      const schema = schemaOfManifest(other, `version ${other.version}`);
      for (const frag of other.fragments) {
        for (const file of frag.files) {
          if (!this.scanned.has(`${DATA_DIR}/${file.path}`)) await this.scanForIds(file, schema.fields);
        }
      }
    }
    if (this.deep) await this.deepColumns();
    this.findOrphans(manifests);
  }

  async loadManifests(): Promise<Manifest[]> {
    const out: Manifest[] = [];
    for (const e of await listVersionEntries(this.ds.loc)) {
      try {
        out.push((await loadVersion(this.ds.loc, e.version)).manifest);
        this.checked.versions++;
      } catch (err) {
        this.find('error', 'BAD_MANIFEST', e.path.slice(this.base ? this.base.length + 1 : 0), `version ${e.version}: ${errorText(err)}`);
      }
    }
    return out;
  }

  /** Existence, size, footer, row count, then the blob descriptors of one data file. */
  async checkDataFile(file: DataFile, physical: number, fields: LanceField[], bases: BasePathInfo[], fragId: bigint): Promise<void> {
    const rel = `${DATA_DIR}/${file.path}`;
    this.checked.dataFiles++;
    const meta = this.objects.get(rel);
    if (!meta) {
      this.find('error', 'MISSING_DATA_FILE', rel, `data file of fragment ${fragId} is missing`);
      return;
    }
    if (file.fileSizeBytes > 0n && BigInt(meta.size) !== file.fileSizeBytes) {
      this.find('error', 'DATA_FILE_SIZE', rel, `data file is ${meta.size} bytes, manifest records ${file.fileSizeBytes}`);
    }
    let reader: LanceFileReader;
    try {
      reader = await openLanceFile(this.store, this.abs(rel), { size: meta.size });
    } catch (e) {
      this.find('error', 'BAD_DATA_FILE', rel, `footer does not parse: ${errorText(e)}`);
      return;
    }
    if (physical > 0 && reader.numRows !== physical) {
      this.find('error', 'ROW_COUNT_MISMATCH', rel, `data file holds ${reader.numRows} rows, fragment ${fragId} records ${physical}`);
    }
    const blobFields = this.blobFieldsOf(file, fields);
    const ids = new Set<number>();
    if (blobFields.length > 0) {
      const sidecars = new Map<string, number>();
      for (const [p, m] of this.objects) if (p.startsWith(`${sidecarDir(rel)}/`)) sidecars.set(p, m.size);
      try {
        for await (const { field, descs, first } of this.descriptors(reader, file, blobFields)) {
          descs.forEach((d, i) => {
            if (d === null) return;
            const row = (fragId << 32n) | BigInt(first + i);
            this.checked.descriptors++;
            if (d.kind === BlobKind.Packed || d.kind === BlobKind.Dedicated) ids.add(d.blobId);
            this.checkDescriptor(d, { rel, size: meta.size, sidecars, bases, row, field: field.name });
          });
        }
      } catch (e) {
        this.find('error', 'BAD_DESCRIPTORS', rel, `blob descriptors do not decode: ${errorText(e)}`);
        return;
      }
      this.scanned.set(rel, { ids });
      if (this.deep) await this.deepPayloads(reader, file, blobFields, rel, fragId, bases);
    } else {
      this.scanned.set(rel, { ids });
    }
  }

  blobFieldsOf(file: DataFile, fields: LanceField[]): LanceField[] {
    return fields.filter((f) => isBlobV2Field(f) && columnOwners([f]).some((o) => file.fields.includes(o.id)));
  }

  /** Descriptor columns of a file in batches of physical rows (deleted rows included). */
  async *descriptors(reader: LanceFileReader, file: DataFile, blobFields: LanceField[]): AsyncGenerator<{ field: LanceField; descs: (BlobDescriptor | null)[]; first: number }> {
    const columnOf = (id: number) => {
      const i = file.fields.indexOf(id);
      return i < 0 ? undefined : file.columnIndices[i];
    };
    for (let first = 0; first < reader.numRows; first += DESCRIPTOR_BATCH) {
      const end = Math.min(reader.numRows, first + DESCRIPTOR_BATCH);
      const batch = await reader.read(blobFields, columnOf, { ranges: [[first, end]] });
      for (const field of blobFields) {
        yield { field, descs: descriptorsOf(batch.getChild(field.name) as arrow.Vector, { path: file.path }), first };
      }
    }
  }

  checkDescriptor(d: BlobDescriptor, at: { rel: string; size: number; sidecars: Map<string, number>; bases: BasePathInfo[]; row: bigint; field: string }): void {
    const where = `row ${at.row} of ${at.field} (${kindName(d.kind)})`;
    const end = d.position + d.size;
    switch (d.kind) {
      case BlobKind.Inline:
        if (end > BigInt(at.size)) this.find('error', 'INLINE_OUT_OF_FILE', at.rel, `${where}: bytes ${d.position}..${end} run past the data file's ${at.size} bytes`, at.row);
        return;
      case BlobKind.Packed:
      case BlobKind.Dedicated: {
        let sc: string;
        try {
          sc = sidecarPath(at.rel, d.blobId);
        } catch (e) {
          this.find('error', 'BAD_BLOB_ID', at.rel, `${where}: ${errorText(e)}`, at.row);
          return;
        }
        const size = at.sidecars.get(sc);
        if (size === undefined) {
          this.find('error', 'MISSING_SIDECAR', sc, `${where}: sidecar blob_id ${d.blobId} is missing`, at.row);
          return;
        }
        if (d.kind === BlobKind.Dedicated) {
          if (d.position !== 0n || d.size !== BigInt(size)) this.find('error', 'DEDICATED_SIZE', sc, `${where}: descriptor says ${d.size} bytes at ${d.position}, sidecar holds ${size}`, at.row);
          return;
        }
        if (end > BigInt(size)) this.find('error', 'PACKED_OUT_OF_SIDECAR', sc, `${where}: bytes ${d.position}..${end} run past the sidecar's ${size} bytes`, at.row);
        if (d.size > 0n) {
          const list = this.packed.get(sc) ?? [];
          list.push({ start: d.position, end, row: at.row });
          this.packed.set(sc, list);
        }
        return;
      }
      case BlobKind.External:
        this.externalChecks.push(this.checkExternal(d, at.bases, where, at.rel, at.row));
        return;
      default:
        this.find('error', 'UNKNOWN_BLOB_KIND', at.rel, `${where}: unknown kind ${String(d.kind)}`, at.row);
    }
  }

  readonly externalChecks: Promise<void>[] = [];

  /** The external object a descriptor names, through the same confinement as every blob read. */
  private openExternal(d: BlobDescriptor, bases: BasePathInfo[]) {
    const { location, within } = confineExternalRead(d.blobId, d.blobUri, bases, externalReadScope(this.ds.loc));
    return defaultExternalOpener(location, within);
  }

  async checkExternal(d: BlobDescriptor, bases: BasePathInfo[], where: string, rel: string, row: bigint): Promise<void> {
    let obj;
    try {
      obj = this.openExternal(d, bases);
    } catch (e) {
      // Outside what the dataset may read (or malformed): reported, never opened.
      this.find('error', 'BAD_EXTERNAL', d.blobUri || rel, `${where}: ${errorText(e)}`, row);
      return;
    }
    let size: number;
    try {
      size = (await obj.store.head(obj.path)).size;
    } catch (e) {
      this.find('error', 'MISSING_EXTERNAL', `${obj.store.root}/${obj.path}`, `${where}: ${errorText(e)}`, row);
      return;
    }
    if (d.position + d.size > BigInt(size)) this.find('error', 'EXTERNAL_OUT_OF_OBJECT', `${obj.store.root}/${obj.path}`, `${where}: bytes ${d.position}..${d.position + d.size} run past the object's ${size} bytes`, row);
  }

  checkOverlaps(): void {
    for (const [sc, ranges] of this.packed) {
      ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      let prev = ranges[0]!;
      for (const r of ranges.slice(1)) {
        if (r.start < prev.end) {
          this.find('error', 'PACKED_OVERLAP', sc, `rows ${prev.row} (${prev.start}..${prev.end}) and ${r.row} (${r.start}..${r.end}) overlap in one pack`, r.row);
        }
        if (r.end > prev.end) prev = r;
      }
    }
  }

  /** Reads every payload of a file's blob columns as a stream, counting the bytes. */
  async deepPayloads(reader: LanceFileReader, file: DataFile, blobFields: LanceField[], rel: string, fragId: bigint, bases: BasePathInfo[]): Promise<void> {
    for await (const { field, descs, first } of this.descriptors(reader, file, blobFields)) {
      for (let i = 0; i < descs.length; i++) {
        const d = descs[i];
        if (!d || (d.size === 0n && d.kind !== BlobKind.External)) continue;
        const row = (fragId << 32n) | BigInt(first + i);
        let store = this.store;
        let path: string;
        let start = Number(d.position);
        let end: number | undefined = Number(d.position + d.size);
        if (d.kind === BlobKind.Inline) path = this.abs(rel);
        else if (d.kind === BlobKind.External) {
          try {
            const obj = this.openExternal(d, bases);
            store = obj.store;
            path = obj.path;
            if (d.size === 0n) end = undefined;
          } catch {
            continue; // already reported
          }
        } else {
          path = this.abs(sidecarPath(rel, d.blobId));
          if (d.kind === BlobKind.Dedicated) start = 0;
          if (d.kind === BlobKind.Dedicated) end = Number(d.size);
        }
        let n = 0;
        try {
          for await (const chunk of store.readStream(path, start, end)) n += chunk.length;
        } catch (e) {
          // Stores fail a stream that ends before its range does: that is a short payload.
          if ((e as { code?: string }).code === 'SHORT_READ') this.find('error', 'PAYLOAD_SHORT', rel, `row ${row} of ${field.name}: read ${n} of ${end! - start} payload bytes`, row);
          else this.find('error', 'PAYLOAD_UNREADABLE', rel, `row ${row} of ${field.name}: ${errorText(e)}`, row);
          continue;
        }
        this.checked.payloadBytesRead += n;
        if (end !== undefined && n !== end - start) this.find('error', 'PAYLOAD_SHORT', rel, `row ${row} of ${field.name}: read ${n} of ${end - start} payload bytes`, row);
      }
    }
  }

  /** Decodes every column of every live row. */
  async deepColumns(): Promise<void> {
    for (const frag of this.ds.fragments) {
      let n = 0;
      try {
        for await (const b of scanDataset(this.ds, { fragments: [frag] })) n += b.numRows;
      } catch (e) {
        this.find('error', 'COLUMN_UNREADABLE', `fragment ${frag.id}`, errorText(e));
        continue;
      }
      this.checked.rowsRead += n;
      const expected = Number(frag.physicalRows - (frag.deletionFile?.numDeletedRows ?? 0n));
      if (frag.physicalRows > 0n && (!frag.deletionFile || frag.deletionFile.numDeletedRows > 0n) && n !== expected) {
        this.find('error', 'ROW_COUNT_MISMATCH', `fragment ${frag.id}`, `read ${n} live rows, manifest implies ${expected}`);
      }
    }
  }

  /** Descriptors of a file of another version, only to know which sidecars it references. */
  async scanForIds(file: DataFile, fields: LanceField[]): Promise<void> {
    const rel = `${DATA_DIR}/${file.path}`;
    const blobFields = this.blobFieldsOf(file, fields);
    const ids = new Set<number>();
    if (blobFields.length > 0) {
      const meta = this.objects.get(rel);
      if (!meta) return;
      try {
        const reader = await openLanceFile(this.store, this.abs(rel), { size: meta.size });
        for await (const { descs } of this.descriptors(reader, file, blobFields)) {
          for (const d of descs) if (d && (d.kind === BlobKind.Packed || d.kind === BlobKind.Dedicated)) ids.add(d.blobId);
        }
      } catch {
        return; // unknown: its sidecars are not judged
      }
    }
    this.scanned.set(rel, { ids });
  }

  findOrphans(manifests: Manifest[]): void {
    const dataFiles = new Set<string>();
    const deletions = new Set<string>();
    const txns = new Set<string>();
    for (const m of manifests) {
      if (m.transactionFile) txns.add(`${TRANSACTIONS_DIR}/${m.transactionFile}`);
      for (const f of m.fragments) {
        for (const d of f.files) dataFiles.add(`${DATA_DIR}/${d.path}`);
        if (f.deletionFile) deletions.add(deletionFilePath(f.id, f.deletionFile));
      }
    }
    const orphanDirs = new Map<string, { files: number; bytes: number }>();
    for (const [rel, meta] of [...this.objects].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (rel.startsWith(`${DATA_DIR}/`)) {
        const rest = rel.slice(DATA_DIR.length + 1);
        const slash = rest.indexOf('/');
        if (slash < 0) {
          if (!dataFiles.has(rel)) this.find('orphan', 'ORPHAN_DATA_FILE', rel, `data file (${meta.size} bytes) referenced by no version`);
          continue;
        }
        const owner = `${DATA_DIR}/${rest.slice(0, slash)}.lance`;
        if (!dataFiles.has(owner)) {
          const dir = `${DATA_DIR}/${rest.slice(0, slash)}`;
          const agg = orphanDirs.get(dir) ?? { files: 0, bytes: 0 };
          agg.files++;
          agg.bytes += meta.size;
          orphanDirs.set(dir, agg);
          continue;
        }
        this.checked.sidecars++;
        const scan = this.scanned.get(owner);
        if (!scan) continue;
        let id: number;
        try {
          id = decodeBlobFileName(rest.slice(slash + 1));
        } catch {
          this.find('orphan', 'ORPHAN_SIDECAR', rel, `not a sidecar name (${meta.size} bytes) in the sidecar directory of ${owner}`);
          continue;
        }
        if (!scan.ids.has(id)) this.find('orphan', 'ORPHAN_SIDECAR', rel, `sidecar blob_id ${id} (${meta.size} bytes) referenced by no descriptor of ${owner}`);
      } else if (rel.startsWith(`${DELETIONS_DIR}/`)) {
        if (!deletions.has(rel)) this.find('orphan', 'ORPHAN_DELETION_FILE', rel, `deletion file referenced by no version`);
      } else if (rel.startsWith(`${TRANSACTIONS_DIR}/`)) {
        if (!txns.has(rel)) this.find('orphan', 'ORPHAN_TRANSACTION', rel, `transaction file referenced by no version`);
      }
    }
    for (const [dir, agg] of orphanDirs) {
      this.find('orphan', 'ORPHAN_SIDECAR_DIR', dir, `sidecar directory of a data file no version references (${agg.files} files, ${agg.bytes} bytes)`);
    }
  }
}

export async function verifyDataset(ds: Dataset, opts: { deep?: boolean; hooks?: VerifyHooks } = {}): Promise<VerifyReport> {
  const v = new Verifier(ds, opts.deep ?? false, opts.hooks ?? {});
  await v.run();
  await Promise.all(v.externalChecks);
  return { uri: ds.loc.uri, version: ds.version, deep: opts.deep ?? false, healthy: v.findings.length === 0, checked: v.checked, findings: v.findings };
}
