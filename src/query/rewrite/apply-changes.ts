// Placeholder until the rewrite primitives land (see the query module report).
import type { Dataset } from '../../dataset/dataset.js';
import { SqlError } from '../../errors.js';
import type { RowChanges } from '../catalog.js';

export async function applyChanges(ds: Dataset, changes: RowChanges): Promise<{ version: number; rows: number }> {
  void ds;
  void changes;
  throw new SqlError('UNSUPPORTED_SQL', 'row changes are not wired yet');
}
