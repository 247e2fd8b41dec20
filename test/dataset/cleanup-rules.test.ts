// cleanup's options and Lance's age rules, on a local and a memory store: files no version
// references stay for the 7-day grace period unless deleteUnverified; files only removed versions
// referenced go at once; a tagged old version is kept, or fails the cleanup when asked to.
import { afterEach, describe, expect, test } from 'vitest';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { connect } from '../../src/dataset/index.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { InvalidInputError } from '../../src/errors.js';
import { newDataFileName } from '../../src/format/table/file-names.js';
import { lancetRows, makeRows, SCHEMA, tempDb } from '../dataset-ops/helpers.js';

let done: (() => void) | undefined;
afterEach(() => done?.());
const DAY = 24 * 3600_000;

describe('cleanup rules', () => {
  test('unreferenced files: kept while younger than 7 days, removed when older or with deleteUnverified', async () => {
    const env = await tempDb();
    done = env.done;
    const t = await env.db.createTable('t', makeRows(0, 4), { schema: SCHEMA });
    await t.add(makeRows(4, 4));
    const data = nodePath.join(env.path('t'), 'data');
    const [young, old, temp] = [newDataFileName(), newDataFileName(), `.tmp-${newDataFileName()}-${crypto.randomUUID()}`];
    for (const f of [young, old, temp]) writeFileSync(nodePath.join(data, f), 'x');
    const eightDays = (Date.now() - 8 * DAY) / 1000;
    utimesSync(nodePath.join(data, old), eightDays, eightDays);

    const r1 = await t.cleanup({ olderThan: 0 });
    expect(r1.versionsRemoved).toBe(1);
    expect(existsSync(nodePath.join(data, old))).toBe(false);
    expect(existsSync(nodePath.join(data, young))).toBe(true);
    expect(existsSync(nodePath.join(data, temp))).toBe(true);
    expect(r1.unverifiedKept).toBe(2);
    // Default options: versions younger than 7 days stay, and so do young unreferenced files.
    expect((await t.cleanup()).filesRemoved).toBe(0);

    const r2 = await t.cleanup({ olderThan: 0, deleteUnverified: true });
    expect(existsSync(nodePath.join(data, young))).toBe(false);
    expect(existsSync(nodePath.join(data, temp))).toBe(false);
    expect(r2.filesRemoved).toBe(2);
    expect((await lancetRows(t)).length).toBe(8);
  });

  test('a tagged version older than the bound is kept, or fails the cleanup with errorIfTaggedOldVersions', async () => {
    const env = await tempDb();
    done = env.done;
    const t = await env.db.createTable('t', makeRows(0, 4), { schema: SCHEMA });
    await t.add(makeRows(4, 4));
    await t.tags.create('first', 1);
    await t.add(makeRows(8, 4));
    const err = await t.cleanup({ olderThan: 0, errorIfTaggedOldVersions: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).code).toBe('TAGGED_OLD_VERSIONS');
    expect((await t.listVersions()).length).toBe(3);
    expect((await t.cleanup({ olderThan: 0 })).versionsRemoved).toBe(1);
    expect((await t.listVersions()).map((v) => v.version)).toEqual([1, 3]);
  });

  test('memory store: same names and grace rules (copies are new objects with a fresh mtime)', async () => {
    const store = new MemoryStore();
    const db = await connect('memory://rules', { store });
    const t = await db.createTable('t', makeRows(0, 4), { schema: SCHEMA });
    await t.add(makeRows(4, 4));
    await store.put('t.lance/data/notes.txt', new Uint8Array(1));
    await store.put(`t.lance/data/${newDataFileName()}`, new Uint8Array(1));
    await store.copy('t.lance/data/notes.txt', `t.lance/data/${newDataFileName()}`);
    const r = await t.cleanup({ olderThan: 0 });
    expect(r.unverifiedKept).toBe(2);
    await t.cleanup({ olderThan: 0, deleteUnverified: true });
    const left = (await store.list('t.lance/data/')).map((o) => o.path.slice('t.lance/data/'.length));
    expect(left).toContain('notes.txt');
    expect(left.filter((n) => n.endsWith('.lance')).length).toBe((await t.dataset()).fragments.length);
  });
});
