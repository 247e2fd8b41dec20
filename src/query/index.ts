// The query layer: SQL (spark dialect) and DataFrames over lancet datasets, with Blob V2 values
// carried through plans as references and materialized only by the writer.
export { sqlSession, type SqlSession, type SessionOptions, type StatementResult } from './session.js';
export { DataFrame, DataFrameWriter, MergeBuilder } from './dataframe.js';
