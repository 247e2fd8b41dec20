// SQL CREATE … AS copies blob values as references (process-local tokens) into the rows it
// builds; a CTAS that fails must release them, as a failed Table write does.
import { expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { pendingBlobTokens } from '../../src/dataset/blob/blob-values.js';
import { FaultyStore } from '../../src/io/faulty-store.js';
import { LocalStore } from '../../src/io/local-store.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import { sqlSession } from '../../src/query/session.js';
import { productsFixture } from '../query/helpers.js';

it('20 failed CTAS statements leave no live blob token behind', async () => {
  const { root } = await productsFixture(6);
  try {
    // Reads succeed, every new object fails: each CTAS builds its rows, then its write fails.
    const store = new FaultyStore(new LocalStore(root), { seed: 1, failRate: 1, ops: ['createWriter', 'put', 'putIfAbsent'] });
    const db = sqlSession({ root, catalog: new LanceCatalog(root, { store }), namespace: ['db'] });
    const before = pendingBlobTokens();
    for (let i = 0; i < 20; i++) {
      await expect(db.sql(`CREATE TABLE lance.db.copy${i} USING lance AS SELECT id, image FROM lance.db.products`)).rejects.toThrow(/injected/);
    }
    expect(pendingBlobTokens()).toBe(before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
