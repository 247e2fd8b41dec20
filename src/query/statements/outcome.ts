// What one statement handler reports before the session adds measured I/O.
import type * as arrow from 'apache-arrow';
import type { RewriteSummary } from '../catalog.js';

export interface Outcome {
  kind: string;
  rowsAffected: number;
  /** Version committed (writes) or read (DESCRIBE); null when no dataset is involved. */
  version: number | null;
  /** Payload bytes materialized inside the plan (blob_bytes()); 0 otherwise. */
  planPayloadBytes?: number;
  /** How UPDATE/MERGE rewrote the touched fragments. */
  rewrite?: RewriteSummary;
  /** Result rows (SELECT, SHOW, DESCRIBE). */
  table?: arrow.Table;
}
