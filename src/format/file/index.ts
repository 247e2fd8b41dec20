// Lance data files (.lance, format 2.1/2.2): streaming writer and range/projection reader.
export type { FileVersion } from './footer.js';
export { createFileWriter, type FileWriterOptions, type FileWriteResult, type LanceFileWriter } from './writer/file-writer.js';
export { openLanceFile, type LanceFileReader, type ColumnInfo, type PageInfo, type ReadOptions } from './reader/file-reader.js';
export { blobDescriptorType, arrowTypeOfColumn } from './leaf-kind.js';
export type { DecodedValues } from './reader/compressive.js';
