// Public dataset API.
export { connect, Connection, type OpenTableOptions, type ConnectOptions } from './connection.js';
export type { ExternalBlobReadOptions } from '../format/blob/external-uri.js';
export { Table, type Tags, type AddOptions } from './table.js';
export { Query } from './query.js';
export { Dataset, openDataset, openDatasetAt, locationOf, type VersionInfo } from './dataset.js';
export { createDataset, appendData, overwriteData, restoreVersion, type CreateOptions, type WriteOptions, type FileVersionOption } from './write-ops.js';
export { deleteRows, type DeleteResult } from './delete.js';
export { scanDataset, countRows, takeRows, type ScanOptions } from './scanner.js';
export { ROW_ADDRESS_COLUMN, rowAddress } from './scan.js';
export { commitTransaction, type CommitOptions, type CommitResult } from './commit.js';
export { VersionNotFoundError, type DatasetLocation } from './versions.js';
export { createTag, deleteTag, listTags, getTag, type TagInfo } from './tags.js';
export type { TableData, RowObject } from './input.js';
// Blob V2 on the public Table (fetchBlobs, fetchBlobFiles, copyBlobs, blob values in add/createTable).
import './blob/table-blobs.js';
export type { BlobWriteParams } from './blob/table-blobs.js';
export { blobField, type BlobDescriptor } from '../format/blob/index.js';
export type { BlobFile } from './blob/blob-file.js';
export { updateRows, type UpdateOptions, type UpdateResult, type UpdateMode, type AppliedUpdateMode } from './update.js';
export { mergeInsert, MergeInsertBuilder, type MergeResult } from './merge-insert.js';
export { addColumns, dropColumns, alterColumns, type NewColumns, type ColumnAlteration, type SchemaChangeResult } from './schema-evolution.js';
export { compact, planCompaction, type CompactOptions, type CompactResult } from './compaction.js';
export { cleanupOldVersions, type CleanupOptions, type CleanupResult } from './cleanup.js';
export type { IoReport } from './mutation-io.js';
