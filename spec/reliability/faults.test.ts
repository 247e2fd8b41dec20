// Reliability: append / delete / query / fetchBlobs sequences through a FaultyStore (random
// failures, lost responses of writes, truncated reads, delays) over MemoryStore and LocalStore.
// Every operation either succeeds with the right answer or fails with a LancetError subclass
// within a time bound; after every failure the dataset, opened through the clean inner store,
// shows exactly the committed versions with their rows (a failed write may have landed only when
// its response was lost: then it landed whole).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, type Table } from '../../src/dataset/index.js';
import '../../src/dataset/blob/table-blobs.js';
import { blobField } from '../../src/format/blob/index.js';
import { LancetError } from '../../src/errors.js';
import { FaultyStore, seededRandom } from '../../src/io/faulty-store.js';
import { LocalStore } from '../../src/io/local-store.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import type { ObjectStore } from '../../src/io/object-store.js';

const OPS = 200;
const OP_TIMEOUT_MS = 20_000;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function payload(id: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (id * 13 + j * 5) & 255;
  return b;
}
const sizeOf = (id: number) => [0, 40, 90, 700, 2500, 6000, 12_000][id % 7]!;

class Timeout extends Error {}
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Timeout(`${what} did not settle within ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}

/** The live ids of one version. */
type Rows = Set<number>;

async function liveIds(t: Table): Promise<{ ids: Int32Array; addrs: BigUint64Array }> {
  const tb = await t.query().select(['id']).withRowAddress().toArrow();
  return { ids: tb.getChild('id')!.toArray() as Int32Array, addrs: tb.getChild('_rowaddr')!.toArray() as BigUint64Array };
}
const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

interface Figures {
  ok: number;
  failed: number;
  ambiguousLanded: number;
  byCode: Map<string, number>;
  injected: number;
  checks: number;
  lostManifestResponses: number;
}

async function run(label: string, inner: ObjectStore, seed: number): Promise<Figures> {
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 64, dedicatedSizeThreshold: 5000 })]);
  const clean = await connect(label, { store: inner });
  await clean.createTable('f', [0, 1, 2].map((id) => ({ id, payload: payload(id, sizeOf(id)) })), { schema });
  // versions[v] = live ids of version v
  const versions = new Map<number, Rows>([[1, new Set([0, 1, 2])]]);
  let latest = 1;
  let nextId = 3;
  const faulty = new FaultyStore(inner, { seed, failRate: 0.01, ambiguousRate: 0.03, truncateRate: 0.01, delayRate: 0.2, maxDelayMs: 4 });
  const random = seededRandom(seed ^ 0x5bd1e995);
  const fig: Figures = { ok: 0, failed: 0, ambiguousLanded: 0, byCode: new Map(), injected: 0, checks: 0, lostManifestResponses: 0 };
  let table: Table | undefined;

  /** Opens the dataset through the clean store and compares it with the model. */
  const checkClean = async (pendingAfter: Rows | undefined) => {
    fig.checks++;
    const t = await (await connect(label, { store: inner })).openTable('f');
    const v = await t.version();
    if (v === latest + 1 && pendingAfter) {
      // The failed operation's commit landed (its response was lost): it must have landed whole.
      fig.ambiguousLanded++;
      latest = v;
      versions.set(v, pendingAfter);
    }
    expect(v, `${label}: latest version`).toBe(latest);
    expect(sorted((await liveIds(t)).ids)).toEqual(sorted(versions.get(latest)!));
    expect((await t.listVersions()).map((x) => x.version)).toEqual(sorted(versions.keys()));
    // Every committed version still opens with its row count.
    for (const [ver, ids] of versions) {
      await t.checkout(ver);
      expect(await t.countRows(), `${label}: rows of version ${ver}`).toBe(ids.size);
    }
  };

  for (let k = 0; k < OPS; k++) {
    const current = versions.get(latest)!;
    const r = random();
    let after: Rows | undefined;
    try {
      const t: Table = table ?? (await bounded(connect(label, { store: faulty }).then((c) => c.openTable('f')), 'openTable'));
      table = t;
      if (r < 0.35) {
        const n = 1 + Math.floor(random() * 4);
        const ids = Array.from({ length: n }, () => nextId++);
        after = new Set([...current, ...ids]);
        const res = await bounded(t.add(ids.map((id) => ({ id, payload: payload(id, sizeOf(id)) }))), 'add');
        expect(res.version).toBe(latest + 1);
        latest = res.version;
        versions.set(latest, after);
      } else if (r < 0.5 && current.size > 0) {
        const live = sorted(current);
        const lo = live[Math.floor(random() * live.length)]!;
        const gone = live.filter((x) => x >= lo && x < lo + 3);
        after = new Set(current);
        for (const x of gone) after.delete(x);
        const res = await bounded(t.delete(`id >= ${lo} AND id < ${lo + 3}`), 'delete');
        expect(res.numDeletedRows).toBe(gone.length);
        expect(res.version).toBe(latest + 1);
        latest = res.version;
        versions.set(latest, after);
      } else if (r < 0.75) {
        // A query answers from the latest version: the right rows or a typed error, never others.
        const { ids } = await bounded(liveIds(t), 'query');
        expect(sorted(ids)).toEqual(sorted(current));
        const n = await bounded(t.countRows(`id >= ${nextId >> 1}`), 'countRows');
        expect(n).toBe([...current].filter((x) => x >= nextId >> 1).length);
      } else {
        // fetchBlobs: exactly the written payloads. Addresses come from the clean store.
        const ct = await (await connect(label, { store: inner })).openTable('f');
        const { ids, addrs } = await liveIds(ct);
        if (ids.length === 0) continue;
        const picks = Array.from({ length: Math.min(5, ids.length) }, () => Math.floor(random() * ids.length));
        const got = await bounded(t.fetchBlobs('payload', picks.map((i) => addrs[i]!)), 'fetchBlobs');
        got.forEach((g, j) => {
          const id = ids[picks[j]!]!;
          expect(g && Buffer.from(g).equals(Buffer.from(payload(id, sizeOf(id)))), `${label}: payload of id ${id}`).toBe(true);
        });
      }
      fig.ok++;
    } catch (e) {
      if ((e as Error)?.name === 'AssertionError') throw e;
      if (!(e instanceof LancetError)) {
        throw new Error(`${label} op ${k}: untyped failure ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`, { cause: e });
      }
      fig.failed++;
      fig.byCode.set(e.code, (fig.byCode.get(e.code) ?? 0) + 1);
      table = undefined; // reopen: the handle's snapshot may be behind
      await checkClean(after);
    }
  }
  faulty.enabled = false;
  await checkClean(undefined);
  fig.injected = faulty.events.filter((e) => e.kind !== 'delay').length;
  fig.lostManifestResponses = faulty.events.filter((e) => e.kind === 'ambiguous' && e.op === 'putIfAbsent' && e.path.includes('_versions/')).length;
  return fig;
}

function report(label: string, f: Figures): void {
  const codes = [...f.byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(
    `reliability: faults over ${label}: ${OPS} ops, ${f.injected} faults injected, ${f.ok} ok, ${f.failed} typed failures (${codes}), ${f.lostManifestResponses} lost responses of manifest writes (${f.ambiguousLanded} surfaced as failures that had landed whole), ${f.checks} clean-store checks, 0 untyped, 0 hangs, 0 lost`,
  );
}

describe('reliability: injected store faults', () => {
  it('MemoryStore: every op succeeds correctly or fails typed; committed versions survive', async () => {
    const f = await run('memory', new MemoryStore('memory://faults'), 4242);
    report('MemoryStore', f);
    expect(f.failed).toBeGreaterThan(0);
    expect(f.ok).toBeGreaterThan(0);
  }, 300_000);

  it('LocalStore: every op succeeds correctly or fails typed; committed versions survive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lancet-rel-faults-'));
    dirs.push(dir);
    const f = await run(dir, new LocalStore(dir), 9001);
    report('LocalStore', f);
    expect(f.failed).toBeGreaterThan(0);
    expect(f.ok).toBeGreaterThan(0);
  }, 300_000);
});
