// Blob values Arrow cannot hold (streams, files, references) travel as process-local tokens.
// A write that fails must release every token it issued, not only the ones it got to.
import { expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, blobField } from '../../src/index.js';
import { pendingBlobTokens } from '../../src/dataset/blob/blob-values.js';

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img')]);

async function* failing(): AsyncIterable<Uint8Array> {
  yield new Uint8Array(10);
  throw new Error('source went away');
}

async function* fine(): AsyncIterable<Uint8Array> {
  yield new Uint8Array(10);
}

it('100 failed adds leave no live blob token behind', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-tokens-'));
  try {
    const db = await connect(root);
    const t = await db.createTable('t', [{ id: 0, img: new Uint8Array(3) }], { schema });
    const before = pendingBlobTokens();
    for (let i = 0; i < 100; i++) {
      // The first value's stream fails mid-write, so the second value's token is never resolved.
      await expect(t.add([{ id: 1, img: failing() }, { id: 2, img: fine() }])).rejects.toThrow('source went away');
    }
    expect(pendingBlobTokens()).toBe(before);
    // createTable over an existing table fails before writing anything: its tokens go too.
    for (let i = 0; i < 10; i++) await expect(db.createTable('t', [{ id: 9, img: fine() }], { schema })).rejects.toThrow();
    expect(pendingBlobTokens()).toBe(before);
    // The table is still writable and the failed rows left nothing behind.
    await t.add([{ id: 3, img: fine() }]);
    expect(pendingBlobTokens()).toBe(before);
    expect(await t.countRows()).toBe(2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
