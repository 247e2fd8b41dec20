// connect(root): a directory (or memory:// URI) of tables. Table "name" lives in
// `<root>/name.lance`; a dotted name "ns.name" (or "a.b.name") addresses a namespace:
// `<root>/ns/name.lance`. Each part is letters, digits, '_' and '-'.
import { storeForUri, type OpenStoreOptions } from '../io/open-store.js';
import { joinPath, type ObjectStore } from '../io/object-store.js';
import { withReadRoot } from '../io/read-root.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { Dataset, openDatasetAt } from './dataset.js';
import { VersionNotFoundError, type DatasetLocation } from './versions.js';
import type { TableData } from './input.js';
import { Table } from './table.js';
import { createDataset, type CreateOptions } from './write-ops.js';
import type { ExternalBlobReadOptions } from '../format/blob/external-uri.js';

export interface ConnectOptions extends ExternalBlobReadOptions {
  store?: ObjectStore;
  storageOptions?: Record<string, string>;
}

export interface OpenTableOptions {
  version?: number;
}

function tableParts(name: string): string[] {
  const parts = name.split('.');
  if (parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new InvalidInputError('BAD_TABLE_NAME', `invalid table name "${name}": use letters, digits, '_' and '-', with '.' between namespace parts`, { name });
  }
  return parts;
}

export class Connection {
  readonly uri: string;
  private readonly store: ObjectStore;
  private readonly base: string;
  private readonly externalBlobs: ExternalBlobReadOptions | undefined;

  constructor(uri: string, store?: ObjectStore, options: OpenStoreOptions & ExternalBlobReadOptions = {}) {
    this.uri = uri;
    const { externalBlobRoots, allowUnconfinedExternalBlobs } = options;
    this.externalBlobs =
      externalBlobRoots !== undefined || allowUnconfinedExternalBlobs !== undefined
        ? { ...(externalBlobRoots ? { externalBlobRoots: [...externalBlobRoots] } : {}), ...(allowUnconfinedExternalBlobs !== undefined ? { allowUnconfinedExternalBlobs } : {}) }
        : undefined;
    if (store) {
      this.store = store;
      this.base = '';
    } else {
      const s = storeForUri(uri, options);
      this.store = s.store;
      this.base = s.path;
    }
  }

  /** Where table `name` lives. */
  location(name: string): DatasetLocation {
    const parts = tableParts(name);
    const rel = joinPath(...parts.slice(0, -1), `${parts[parts.length - 1]}.lance`);
    const base = joinPath(this.base, rel);
    // Each table reads through a view confined to its own folder, not the whole connection root.
    return { store: withReadRoot(this.store, base), base, uri: `${this.uri.replace(/\/+$/, '')}/${rel}`, ...(this.externalBlobs ? { externalBlobs: this.externalBlobs } : {}) };
  }

  async createTable(name: string, data: TableData, opts: CreateOptions = {}): Promise<Table> {
    const ds = await createDataset(this.location(name), data, opts);
    return new Table(name, ds);
  }

  async openTable(name: string, opts: OpenTableOptions = {}): Promise<Table> {
    let ds: Dataset;
    try {
      ds = await openDatasetAt((await this.literalLocation(name)) ?? this.location(name), opts.version);
    } catch (e) {
      if (e instanceof VersionNotFoundError && opts.version === undefined) {
        throw new InvalidInputError('TABLE_NOT_FOUND', `no table "${name}" in ${this.uri}`, { name }, { cause: e });
      }
      throw e;
    }
    const t = new Table(name, ds);
    if (opts.version !== undefined) await t.checkout(opts.version);
    return t;
  }

  /**
   * `<root>/<name>.lance` for a dotted name when a table of that literal name exists: LanceDB takes
   * names literally (its namespaces are a separate argument), so tables it created open here too.
   */
  private async literalLocation(name: string): Promise<DatasetLocation | undefined> {
    if (!name.includes('.') || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) return undefined;
    const rel = `${name}.lance`;
    const base = joinPath(this.base, rel);
    if ((await this.store.list(`${base}/_versions/`)).length === 0) return undefined;
    return { ...this.location(name), store: withReadRoot(this.store, base), base, uri: `${this.uri.replace(/\/+$/, '')}/${rel}` };
  }

  /** Names of the tables (dotted for namespaces), sorted. */
  async tableNames(): Promise<string[]> {
    const prefix = this.base ? `${this.base}/` : '';
    const names = new Set<string>();
    for (const meta of await this.store.list(prefix)) {
      const rel = meta.path.slice(prefix.length);
      const m = /^((?:[A-Za-z0-9_-]+\/)*)([A-Za-z0-9_-]+)\.lance\/_versions\/[^/]+\.manifest$/.exec(rel);
      if (m) names.add([...m[1]!.split('/').filter(Boolean), m[2]!].join('.'));
      // A dotted table at the root (named by LanceDB) is listed by its literal name.
      const literal = /^([A-Za-z0-9_][A-Za-z0-9_.-]*\.[A-Za-z0-9_.-]*)\.lance\/_versions\/[^/]+\.manifest$/.exec(rel);
      if (literal) names.add(literal[1]!);
    }
    return [...names].sort();
  }

  async dropTable(name: string): Promise<void> {
    const loc = this.location(name);
    const objects = await this.store.list(`${loc.base}/`);
    if (!objects.some((o) => o.path.startsWith(`${loc.base}/_versions/`))) throw new NotFoundError(loc.base);
    for (const o of objects) await this.store.delete(o.path);
  }
}

/**
 * Opens the tables under `root`: a local path, `file://`, `memory://name` or `s3://bucket/prefix`
 * (with `storageOptions` such as `aws_endpoint`, `aws_region`, credentials; else the SDK's chain).
 * External blobs are read only under a table's root and its registered base paths unless
 * `externalBlobRoots` or `allowUnconfinedExternalBlobs` says otherwise.
 */
export async function connect(root: string, opts: ConnectOptions = {}): Promise<Connection> {
  const { store, ...rest } = opts;
  return new Connection(root, store, rest);
}
