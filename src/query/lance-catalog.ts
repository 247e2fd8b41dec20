// The TableCatalog over Lance datasets under one root: `<root>/<ns...>/<name>.lance`. Reads are
// pinned snapshots; writes go through the dataset layer with the blob-aware data-file seam, and
// every blob counter the writer reports is added to the catalog's totals. Each statement runs on
// its own view (forStatement) with its own totals and its own counting store, so statements
// running at the same time never count each other's bytes.
import * as arrow from 'apache-arrow';
import { connect, type Connection } from '../dataset/connection.js';
import type { Dataset } from '../dataset/dataset.js';
import { openDatasetAt } from '../dataset/dataset.js';
import { scanDataset } from '../dataset/scanner.js';
import { createDataset, appendData, overwriteData } from '../dataset/write-ops.js';
import { VersionNotFoundError, type DatasetLocation } from '../dataset/versions.js';
import { copyDatasetBlobs, datasetBlobView, fetchDatasetBlobs, prepareBlobRows } from '../dataset/blob/dataset-blobs.js';
import { enableBlobWrites, withBlobWriteOptions } from '../dataset/blob/blob-data-files.js';
import type { BlobWriteCounters } from '../format/blob/blob-writer.js';
import { joinPath, type ObjectStore } from '../io/object-store.js';
import { CountingStore } from '../io/counting-store.js';
import { SqlError } from '../errors.js';
import type { CreateSpec, QueryTable, RowChanges, ScanArgs, StorageCounters, TableCatalog, WriteOutcome, WriteRow } from './catalog.js';
import { applyChanges } from './rewrite/apply-changes.js';
import { vectorOf } from './exec/values.js';

class LanceTable implements QueryTable {
  constructor(
    readonly ds: Dataset,
    readonly path: string[],
    private readonly totals: StorageCounters,
  ) {}

  get uri(): string {
    return this.ds.loc.uri;
  }
  get name(): string {
    return ['lance', ...this.path].join('.');
  }
  get version(): number {
    return this.ds.version;
  }
  get schema(): arrow.Schema {
    return this.ds.arrowSchema;
  }

  async scan(args: ScanArgs): Promise<arrow.Table> {
    const batches: arrow.RecordBatch[] = [];
    for await (const b of scanDataset(this.ds, { columns: args.columns, ...(args.filter ? { filter: args.filter, dialect: 'spark' } : {}), withRowAddress: args.withRowAddress })) {
      if (b.numRows > 0) batches.push(b);
    }
    if (batches.length > 0) return new arrow.Table(batches);
    // No rows: empty columns built with their full type (struct children included).
    const schema = scanEmptySchema(this.ds, args);
    return new arrow.Table(Object.fromEntries(schema.fields.map((f) => [f.name, vectorOf(f.type, [])])));
  }

  async fetchBlobs(column: string, rowAddrs: readonly bigint[]): Promise<(Uint8Array | null)[]> {
    const out = await fetchDatasetBlobs(this.ds, column, rowAddrs);
    for (const b of out) if (b) this.totals.payloadBytesRead += b.length;
    return out;
  }

  async copyBlobs(column: string, rowAddrs: readonly bigint[]): Promise<unknown[]> {
    const { values, stats } = await copyDatasetBlobs(this.ds, column, rowAddrs);
    this.totals.payloadBytesRead += stats.payloadBytesRead;
    return values;
  }
}

/** The schema a scan would have, for empty results (one empty batch scan). */
function scanEmptySchema(ds: Dataset, args: ScanArgs): arrow.Schema {
  const fields = args.columns.map((c) => {
    const f = ds.arrowSchema.fields.find((x) => x.name === c)!;
    return f.metadata.get('ARROW:extension:name') === 'lance.blob.v2'
      ? new arrow.Field(c, new arrow.Struct([new arrow.Field('kind', new arrow.Uint8()), new arrow.Field('position', new arrow.Uint64()), new arrow.Field('size', new arrow.Uint64()), new arrow.Field('blob_id', new arrow.Uint32()), new arrow.Field('blob_uri', new arrow.Utf8())]), true)
      : f;
  });
  if (args.withRowAddress) fields.push(new arrow.Field('_rowaddr', new arrow.Uint64(), false));
  return new arrow.Schema(fields);
}

export interface LanceCatalogOptions {
  /** The store holding the root (default: the one its URI names). */
  store?: ObjectStore;
}

export class LanceCatalog implements TableCatalog {
  private readonly totals: StorageCounters = { bytesRead: 0, bytesWritten: 0, bytesLinked: 0, payloadBytesRead: 0, payloadBytesWritten: 0, payloadBytesLinked: 0 };
  /** All I/O of this catalog (one statement's, for a statement view) goes through it and is counted there. */
  private counting: CountingStore | undefined;
  /** Shared by a catalog and its statement views. */
  private connection: () => Promise<Connection>;

  constructor(
    readonly root: string,
    private readonly opts: LanceCatalogOptions = {},
  ) {
    let conn: Promise<Connection> | undefined;
    this.connection = () =>
      (conn ??= (async () => {
        enableBlobWrites();
        return connect(root, opts.store ? { store: opts.store } : {});
      })());
  }

  forStatement(): TableCatalog {
    const view = new LanceCatalog(this.root, this.opts);
    view.connection = this.connection;
    return view;
  }

  counters(): StorageCounters {
    const c = this.counting?.counters;
    return {
      ...this.totals,
      bytesRead: c?.bytesRead ?? 0,
      // Streamed copies are bytes written too; links are not.
      bytesWritten: (c?.bytesWritten ?? 0) + (c?.bytesCopied ?? 0),
      bytesLinked: c?.bytesLinked ?? 0,
    };
  }

  private async loc(path: string[]): Promise<DatasetLocation> {
    const loc = (await this.connection()).location(path.join('.'));
    this.counting ??= new CountingStore(loc.store);
    // One set of statement totals; each table's view keeps its reads inside the table's folder.
    return { ...loc, store: this.counting.withReadRoot(loc.base) };
  }

  async exists(path: string[]): Promise<boolean> {
    try {
      await openDatasetAt(await this.loc(path));
      return true;
    } catch (e) {
      if (e instanceof VersionNotFoundError) return false;
      throw e;
    }
  }

  async open(path: string[], version?: number): Promise<QueryTable> {
    try {
      return new LanceTable(await openDatasetAt(await this.loc(path), version), path, this.totals);
    } catch (e) {
      if (e instanceof VersionNotFoundError && version !== undefined) throw new SqlError('UNKNOWN_VERSION', `table ${['lance', ...path].join('.')} has no version ${version}`);
      throw e;
    }
  }

  private count(c: BlobWriteCounters): void {
    this.totals.payloadBytesWritten += c.payloadBytesWritten;
    this.totals.payloadBytesLinked += c.payloadBytesLinked;
    this.totals.payloadBytesRead += c.payloadBytesRead;
  }

  private async write<T>(ds: Dataset | undefined, fn: () => Promise<T>): Promise<T> {
    const bases = ds ? datasetBlobView(ds).basePaths : [];
    const { result, counters } = await withBlobWriteOptions({ bases }, fn);
    this.count(counters);
    return result;
  }

  async create(path: string[], spec: CreateSpec, rows: WriteRow[]): Promise<WriteOutcome> {
    const loc = await this.loc(path);
    const fileVersion = (spec.fileVersion ?? (spec.schema.fields.some((f) => f.metadata.get('ARROW:extension:name') === 'lance.blob.v2') ? '2.2' : undefined)) as '2.1' | '2.2' | undefined;
    if (fileVersion !== undefined && fileVersion !== '2.1' && fileVersion !== '2.2') throw new SqlError('BAD_TABLE_PROPERTY', `file_format_version '${fileVersion}' is not supported (2.1 or 2.2)`);
    // Rows are built inside the write: its token scope then releases the blob tokens they hold
    // whether the write succeeds or not.
    const ds = await this.write(undefined, () => {
      const data = prepareBlobRows(rows, spec.schema);
      return createDataset(loc, data.length ? data : new arrow.Table(spec.schema), { schema: spec.schema, mode: spec.replace ? 'overwrite' : 'create', ...(fileVersion ? { fileVersion } : {}) });
    });
    return { version: ds.version, rows: rows.length };
  }

  async append(table: QueryTable, rows: WriteRow[]): Promise<WriteOutcome> {
    const ds = await (table as LanceTable).ds.latest();
    if (rows.length === 0) return { version: ds.version, rows: 0 };
    const out = await this.write(ds, () => appendData(ds, prepareBlobRows(rows, ds.arrowSchema)));
    return { version: out.version, rows: rows.length };
  }

  async overwrite(table: QueryTable, rows: WriteRow[]): Promise<WriteOutcome> {
    const ds = await (table as LanceTable).ds.latest();
    const out = await this.write(ds, () => overwriteData(ds, rows.length ? prepareBlobRows(rows, ds.arrowSchema) : new arrow.Table(ds.arrowSchema), { schema: ds.arrowSchema }));
    return { version: out.version, rows: rows.length };
  }

  async apply(table: QueryTable, changes: RowChanges): Promise<WriteOutcome> {
    // Row addresses were computed against the pinned snapshot; the commit rebases over
    // concurrent writers or fails with a conflict.
    const ds = (table as LanceTable).ds;
    const res = await this.write(ds, () => applyChanges(ds, changes));
    const modes = [...res.modes.values()];
    return { version: res.version, rows: res.rows, rewrite: { columnFragments: modes.filter((m) => m === 'columns').length, rowFragments: modes.filter((m) => m === 'rows').length } };
  }

  async list(namespace: string[]): Promise<string[]> {
    const conn = await this.connection();
    const prefix = namespace.length ? namespace.join('.') + '.' : '';
    return (await conn.tableNames()).filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes('.')).map((n) => n.slice(prefix.length));
  }

  async createNamespace(namespace: string[]): Promise<void> {
    const loc = await this.loc([...namespace, 'x']);
    // A directory marker is all a namespace is; tables create their own directories.
    await loc.store.put(joinPath(...loc.base.split('/').slice(0, -1), '.lancet-namespace'), new Uint8Array());
  }
}

export function lanceCatalog(root: string): TableCatalog {
  return new LanceCatalog(root);
}
