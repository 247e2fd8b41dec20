import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, StoreError } from '../../src/errors.js';
import { FaultyStore, seededRandom, type FaultConfig } from '../../src/io/faulty-store.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import type { ObjectStore } from '../../src/io/object-store.js';
import { S3Store } from '../../src/io/s3-store.js';
import { startFakeS3, type FakeS3 } from '../helpers/fake-s3.js';

async function settle<T>(p: Promise<T>): Promise<'ok' | string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof StoreError ? e.code : String(e)),
  );
}

/** The outcome of a fixed script of calls, to compare runs. */
async function script(store: ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 40; i++) {
    out.push(await settle(store.put(`k${i % 5}`, new Uint8Array(100).fill(i))));
    out.push(await settle(store.getRange(`k${i % 5}`, 0, 100).then((b) => (b.length === 100 ? 'full' : `short:${b.length}`)).then((r) => { if (r !== 'full') throw new Error(r); })));
  }
  return out;
}

describe('seededRandom', () => {
  it('is deterministic per seed, spread over [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(seededRandom(43)()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});

describe('FaultyStore', () => {
  it('passes everything through when no fault is configured', async () => {
    const inner = new MemoryStore();
    const s = new FaultyStore(inner, { seed: 1 });
    await s.put('a', new Uint8Array([1, 2, 3]));
    expect(await s.getRange('a', 1, 3)).toEqual(new Uint8Array([2, 3]));
    expect(s.kind).toBe('memory');
    expect(s.counters).toBe(inner.counters);
    expect(s.events).toEqual([]);
  });

  it('replays the same faults for the same seed and differs for another', async () => {
    const cfg: FaultConfig = { seed: 7, failRate: 0.2, truncateRate: 0.2 };
    const run1 = await script(new FaultyStore(new MemoryStore(), cfg));
    const run2 = await script(new FaultyStore(new MemoryStore(), cfg));
    const run3 = await script(new FaultyStore(new MemoryStore(), { ...cfg, seed: 8 }));
    expect(run2).toEqual(run1);
    expect(run3).not.toEqual(run1);
    expect(run1.filter((r) => r === 'INJECTED_FAULT').length).toBeGreaterThan(5);
    expect(run1.some((r) => r.includes('short:'))).toBe(true);
  });

  it('fails at about the configured rate and records each fault', async () => {
    const s = new FaultyStore(new MemoryStore(), { seed: 3, failRate: 0.3 });
    let failed = 0;
    for (let i = 0; i < 1000; i++) if ((await settle(s.put('x', new Uint8Array(1)))) === 'INJECTED_FAULT') failed++;
    expect(failed).toBeGreaterThan(240);
    expect(failed).toBeLessThan(360);
    expect(s.events.filter((e) => e.kind === 'fail')).toHaveLength(failed);
    expect(s.events[0]).toMatchObject({ op: 'put', path: 'x', kind: 'fail' });
  });

  it('an injected failure happens before the inner store is touched', async () => {
    const inner = new MemoryStore();
    const s = new FaultyStore(inner, { seed: 1, failRate: 1 });
    await expect(s.put('a', new Uint8Array(1))).rejects.toMatchObject({ code: 'INJECTED_FAULT' });
    expect(await inner.exists('a')).toBe(false);
  });

  it('an ambiguous write lands but reports failure, so a retry sees AlreadyExists', async () => {
    const inner = new MemoryStore();
    const s = new FaultyStore(inner, { seed: 1, ambiguousRate: 1, ops: ['putIfAbsent'] });
    await expect(s.putIfAbsent('_versions/1.manifest', new Uint8Array([1]))).rejects.toMatchObject({ code: 'INJECTED_FAULT' });
    expect(await inner.get('_versions/1.manifest')).toEqual(new Uint8Array([1]));
    s.enabled = false;
    await expect(s.putIfAbsent('_versions/1.manifest', new Uint8Array([1]))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(s.events).toEqual([{ call: 0, op: 'putIfAbsent', path: '_versions/1.manifest', kind: 'ambiguous' }]);
  });

  it('truncates reads silently: fewer bytes, no error', async () => {
    const inner = new MemoryStore();
    await inner.put('f', new Uint8Array(1000).fill(9));
    const s = new FaultyStore(inner, { seed: 5, truncateRate: 1 });
    const r = await s.getRange('f', 0, 1000);
    expect(r.length).toBeLessThan(1000);
    expect((await s.get('f')).length).toBeLessThan(1000);
    const parts = await s.getRanges('f', [[0, 10], [500, 600]]);
    expect(parts[0]!.length).toBe(10);
    expect(parts[1]!.length).toBeLessThan(100);
    let streamed = 0;
    for await (const c of s.readStream('f')) streamed += c.length;
    expect(streamed).toBeLessThan(1000);
    expect(s.events.filter((e) => e.kind === 'truncate')).toHaveLength(4);
  });

  it('delays calls by up to maxDelayMs', async () => {
    const s = new FaultyStore(new MemoryStore(), { seed: 2, delayRate: 1, maxDelayMs: 40 });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await s.put('d', new Uint8Array(1));
    const delays = s.events.map((e) => e.value!);
    expect(delays).toHaveLength(5);
    for (const d of delays) expect(d).toBeLessThan(40);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(delays.reduce((a, b) => a + b, 0) - 5);
  });

  it('limits faults to the chosen operations and uses a custom error', async () => {
    const s = new FaultyStore(new MemoryStore(), { seed: 1, failRate: 1, ops: ['list'], makeError: (op, p) => new Error(`boom ${op} ${p}`) });
    await s.put('a', new Uint8Array(1));
    expect(await s.exists('a')).toBe(true);
    await expect(s.list('')).rejects.toThrow('boom list ');
  });

  it('injects faults into streaming writers', async () => {
    const inner = new MemoryStore();
    const s = new FaultyStore(inner, { seed: 1, failRate: 1, ops: ['close'] });
    const w = await s.createWriter('w.bin');
    await w.write(new Uint8Array([1, 2]));
    expect(w.position).toBe(2);
    await expect(w.close()).rejects.toMatchObject({ code: 'INJECTED_FAULT' });
    await w.abort();
    expect(await inner.exists('w.bin')).toBe(false);
  });

  describe('over S3Store and the fake S3 server', () => {
    let fake: FakeS3;
    beforeAll(async () => {
      fake = await startFakeS3({ buckets: ['b'] });
    });
    afterAll(() => fake.close());

    it('keeps the commit primitive sound under random faults: never two winners', async () => {
      const inner = new S3Store({ bucket: 'b', prefix: randomUUID(), endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 's' }, maxAttempts: 1 });
      const s = new FaultyStore(inner, { seed: 11, failRate: 0.2, ambiguousRate: 0.2, delayRate: 0.5, maxDelayMs: 5 });
      for (let v = 0; v < 10; v++) {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => settle(s.putIfAbsent(`_versions/${v}.manifest`, new Uint8Array([v, i])))));
        // Faults can hide a win (ambiguous) but can never make two writers win.
        expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(1);
        for (const r of results) expect(['ok', 'ALREADY_EXISTS', 'INJECTED_FAULT']).toContain(r);
        const stored = await inner.get(`_versions/${v}.manifest`).catch(() => undefined);
        if (results.includes('ok')) expect(results[stored![1]!]).toBe('ok');
      }
      expect(s.events.some((e) => e.kind === 'ambiguous')).toBe(true);
      await inner.close();
    });
  });
});
