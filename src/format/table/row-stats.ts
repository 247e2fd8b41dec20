// Which fragment statistics a reader may believe. Lance's rule (lancedb/lance#1531, and its
// test_data readme on v0.8.0/migrated_from_v0.7.5): a manifest that records no writer_version
// comes from a Lance old enough to have written wrong Fragment.physical_rows (the 0.8.0 migration
// stored the row count after deletions), so those counts are ignored and taken from the data
// files. num_deleted_rows stays usable: 0 already means "unknown" and is counted from the file.
import { clone } from '@bufbuild/protobuf';
import { ManifestSchema, type Manifest } from '../proto/table_pb.js';

/** `m` with physical_rows cleared to 0 ("unknown") where Lance does not trust them; else `m`. */
export function withTrustedRowStats(m: Manifest): Manifest {
  if (m.writerVersion !== undefined || !m.fragments.some((f) => f.physicalRows > 0n)) return m;
  const out = clone(ManifestSchema, m);
  for (const f of out.fragments) f.physicalRows = 0n;
  return out;
}
