// A Lance table in LanceDB vocabulary. The table tracks the latest version unless it was
// checked out at a version or tag; writes always go to the latest version (writing from a
// checked-out old version is refused, as in LanceDB — use restore()).
import type * as arrow from 'apache-arrow';
import { InvalidInputError } from '../errors.js';
import { Dataset, type VersionInfo } from './dataset.js';
import { deleteRows, type ReplanOptions } from './delete.js';
import type { TableData } from './input.js';
import { Query } from './query.js';
import { countRows, takeRows } from './scanner.js';
import { createTag, deleteTag, getTag, listTags, updateTag, type TagInfo } from './tags.js';
import { appendData, overwriteData, restoreVersion, type WriteOptions } from './write-ops.js';
import { updateRows, type UpdateOptions, type UpdateResult } from './update.js';
import { MergeInsertBuilder, mergeCommitted, mergeInsert } from './merge-insert.js';
import { addColumns, alterColumns, dropColumns, type ColumnAlteration, type NewColumns } from './schema-evolution.js';
import { compact, type CompactOptions, type CompactResult } from './compaction.js';
import { cleanupOldVersions, type CleanupOptions, type CleanupResult } from './cleanup.js';

export interface Tags {
  create(tag: string, version: number): Promise<void>;
  delete(tag: string): Promise<void>;
  update(tag: string, version: number): Promise<void>;
  list(): Promise<Record<string, TagInfo>>;
  getVersion(tag: string): Promise<number>;
}

export interface AddOptions extends WriteOptions {
  mode?: 'append' | 'overwrite';
}

export class Table {
  readonly name: string;
  private ds: Dataset;
  /** Set when checked out at a fixed version (time travel, read-only). */
  private pinned = false;

  constructor(name: string, ds: Dataset) {
    this.name = name;
    this.ds = ds;
  }

  /** The snapshot reads use: the pinned version, or the newest one. */
  async dataset(): Promise<Dataset> {
    if (!this.pinned) this.ds = await this.ds.latest();
    return this.ds;
  }

  get uri(): string {
    return this.ds.loc.uri;
  }

  /** Version of the last snapshot seen (call version() for a fresh value). */
  get currentVersion(): number {
    return this.ds.version;
  }

  async version(): Promise<number> {
    return (await this.dataset()).version;
  }

  async schema(): Promise<arrow.Schema> {
    return (await this.dataset()).arrowSchema;
  }

  async countRows(filter?: string): Promise<number> {
    return countRows(await this.dataset(), filter);
  }

  query(): Query {
    return new Query(() => this.dataset());
  }

  async toArrow(): Promise<arrow.Table> {
    return this.query().toArrow();
  }

  /** Rows at row addresses, in address order, without duplicates. */
  async takeRowAddresses(addresses: readonly bigint[], columns?: readonly string[]): Promise<arrow.Table> {
    return takeRows(await this.dataset(), addresses, { ...(columns ? { columns } : {}) });
  }

  private writable(): Dataset {
    if (this.pinned) {
      throw new InvalidInputError('CHECKED_OUT', `table ${this.name} is checked out at version ${this.ds.version}; call checkoutLatest() or restore() before writing`);
    }
    return this.ds;
  }

  async add(data: TableData, opts: AddOptions = {}): Promise<{ version: number }> {
    const base = await this.writable().latest();
    const { mode, ...rest } = opts;
    this.ds = mode === 'overwrite' ? await overwriteData(base, data, rest) : await appendData(base, data, rest);
    return { version: this.ds.version };
  }

  async delete(where: string, opts: ReplanOptions = {}): Promise<{ numDeletedRows: number; version: number }> {
    const r = await deleteRows(this.writable(), where, opts);
    this.ds = r.dataset;
    return { numDeletedRows: r.numDeletedRows, version: this.ds.version };
  }

  /** UPDATE: `update({where, values})` or LanceDB's `update(values, {where})`. */
  async update(optsOrValues: UpdateOptions | Record<string, string>, more: Omit<UpdateOptions, 'values'> = {}): Promise<Omit<UpdateResult, 'dataset'>> {
    const isOpts = 'values' in optsOrValues || 'valuesSql' in optsOrValues;
    const opts: UpdateOptions = isOpts ? (optsOrValues as UpdateOptions) : { ...more, values: optsOrValues as Record<string, string> };
    const { dataset, ...r } = await updateRows(this.writable(), opts);
    this.ds = dataset;
    return r;
  }

  /** MERGE INTO: a builder whose execute(data) commits one transaction. */
  mergeInsert(on: string | string[]): MergeInsertBuilder {
    return new MergeInsertBuilder(async (plan, data, opts) => {
      const r = await mergeInsert(this.writable(), plan, data, opts);
      this.ds = mergeCommitted.get(r) ?? (await this.ds.latest());
      return r;
    }, on);
  }

  async addColumns(columns: NewColumns): Promise<{ version: number }> {
    this.ds = (await addColumns(this.writable(), columns)).dataset;
    return { version: this.ds.version };
  }

  async dropColumns(names: readonly string[]): Promise<{ version: number }> {
    this.ds = (await dropColumns(this.writable(), names)).dataset;
    return { version: this.ds.version };
  }

  async alterColumns(changes: readonly ColumnAlteration[]): Promise<{ version: number }> {
    this.ds = (await alterColumns(this.writable(), changes)).dataset;
    return { version: this.ds.version };
  }

  /** Merges small fragments and drops deleted rows (a Rewrite commit). */
  async compact(opts: CompactOptions = {}): Promise<Omit<CompactResult, 'dataset'>> {
    const { dataset, ...r } = await compact(this.writable(), opts);
    this.ds = dataset;
    return r;
  }

  /**
   * Removes old versions (default: older than 7 days, never the latest or a tagged one) and the
   * files only they referenced. Files no version references are kept for 7 days (they may belong
   * to a write in flight) unless `deleteUnverified`.
   */
  async cleanup(opts: CleanupOptions = {}): Promise<CleanupResult> {
    return cleanupOldVersions(this.writable(), opts);
  }

  async listVersions(): Promise<VersionInfo[]> {
    return this.ds.listVersions();
  }

  /** Time travel to a version number or a tag (read-only until checkoutLatest/restore). */
  async checkout(versionOrTag: number | string): Promise<void> {
    const version = typeof versionOrTag === 'string' ? (await getTag(this.ds.loc, versionOrTag)).version : versionOrTag;
    this.ds = await this.ds.atVersion(version);
    this.pinned = true;
  }

  async checkoutLatest(): Promise<void> {
    this.pinned = false;
    this.ds = await this.ds.latest();
  }

  /** Commits the checked-out version (or `version`) as the newest version. */
  async restore(version?: number): Promise<void> {
    this.ds = await restoreVersion(this.ds, version ?? this.ds.version);
    this.pinned = false;
  }

  get tags(): Tags {
    const loc = this.ds.loc;
    return {
      create: (tag, version) => createTag(loc, tag, version),
      delete: (tag) => deleteTag(loc, tag),
      update: (tag, version) => updateTag(loc, tag, version),
      list: () => listTags(loc),
      getVersion: async (tag) => (await getTag(loc, tag)).version,
    };
  }
}
