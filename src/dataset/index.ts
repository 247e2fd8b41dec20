// Public dataset API.
export { connect, Connection, type OpenTableOptions } from './connection.js';
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
