import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { decodeDeletionArrow, encodeDeletionArrow } from '../../src/format/table/deletion-arrow.js';
import { decodeRoaring, encodeRoaring } from '../../src/format/table/roaring.js';
import { decodeDeletionVector, unionSorted } from '../../src/format/table/deletion-file.js';
import { parseDeletionFileName } from '../../src/format/table/file-names.js';
import { DeletionFile_DeletionFileType } from '../../src/format/proto/table_pb.js';
import { LanceFormatError } from '../../src/errors.js';
import { peerCreate, peerOpen } from '../helpers/lance-peer.js';

const u32Set = fc.uniqueArray(fc.oneof(fc.nat(70000), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 3000 });
// Dense runs exercise bitmap (> 4096 per container) and run containers.
const denseSet = fc
  .tuple(fc.nat(5), fc.integer({ min: 1, max: 9000 }), fc.nat(3))
  .map(([key, n, step]) => Array.from({ length: n }, (_, i) => key * 65536 + i * (step + 1)).filter((v) => (v & 0xffff) === v - key * 65536));

const sortedUnique = (xs: number[]) => Uint32Array.from(new Set(xs)).sort();

describe('roaring bitmap (.bin)', () => {
  it('round-trips any u32 set, with and without run containers', () => {
    fc.assert(
      fc.property(fc.oneof(u32Set, denseSet), fc.boolean(), (xs, runs) => {
        expect(Array.from(decodeRoaring(encodeRoaring(xs, { runs })))).toEqual(Array.from(sortedUnique(xs)));
      }),
      { numRuns: 250 },
    );
  });

  it('writes the no-run cookie by default and uses run containers when they are smaller', () => {
    const dense = Array.from({ length: 10000 }, (_, i) => i);
    const plainBytes = encodeRoaring(dense);
    expect(new DataView(plainBytes.buffer).getUint32(0, true)).toBe(12346);
    expect(plainBytes.length).toBe(8 + 4 + 4 + 8192);
    const runBytes = encodeRoaring(dense, { runs: true });
    expect(new DataView(runBytes.buffer).getUint32(0, true) & 0xffff).toBe(12347);
    expect(runBytes.length).toBeLessThan(20);
  });

  it('rejects damaged bytes with typed errors only', () => {
    const good = encodeRoaring([1, 2, 3, 70000, 70001, ...Array.from({ length: 5000 }, (_, i) => 200000 + i)]);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length), (i, x, cut) => {
        const bad = good.slice(0, cut);
        if (i < bad.length) bad[i]! ^= x;
        try {
          decodeRoaring(bad, 'x.bin');
        } catch (e) {
          return e instanceof LanceFormatError;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('arrow deletion file (.arrow)', () => {
  it('round-trips through our writer and our reader', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 2000 }), (xs) => {
        expect(Array.from(decodeDeletionArrow(encodeDeletionArrow(xs)))).toEqual(xs);
      }),
      { numRuns: 200 },
    );
  });

  it('writes what apache-arrow reads back as row_id: UInt32 not null', () => {
    const t = arrow.tableFromIPC(encodeDeletionArrow([5, 1, 9]));
    expect(t.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([['row_id', 'Uint32', false]]);
    expect(Array.from(t.getChild('row_id')!.toArray() as Uint32Array)).toEqual([5, 1, 9]);
  });

  it('rejects damaged bytes with typed errors only', () => {
    const good = encodeDeletionArrow([1, 2, 3, 4000]);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length), (i, x, cut) => {
        const bad = good.slice(0, cut);
        if (i < bad.length) bad[i]! ^= x;
        try {
          decodeDeletionArrow(bad, 'x.arrow');
        } catch (e) {
          return e instanceof LanceFormatError;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('unions sorted vectors', () => {
    fc.assert(
      fc.property(u32Set, u32Set, (a, b) => {
        expect(Array.from(unionSorted(sortedUnique(a), sortedUnique(b)))).toEqual(Array.from(sortedUnique([...a, ...b])));
      }),
      { numRuns: 200 },
    );
  });
});

describe('deletion files written by Lance 12', () => {
  it('reads the ZSTD-compressed .arrow and the roaring .bin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lancet-del-'));
    const n = 20000;
    await peerCreate(dir, 't', arrow.tableFromArrays({ id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }));
    const path = join(dir, 't.lance');
    const deletions = () => readdirSync(join(path, '_deletions')).map((name) => ({ name, meta: parseDeletionFileName(name)! }));

    await (await peerOpen(path)).delete('id < 10 OR id = 777');
    const [first] = deletions();
    expect(first!.meta.type).toBe(DeletionFile_DeletionFileType.ARROW_ARRAY);
    const bytes = new Uint8Array(readFileSync(join(path, '_deletions', first!.name)));
    const rows = decodeDeletionVector(bytes, first!.meta.type, first!.name);
    expect(Array.from(rows)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 777]);

    await (await peerOpen(path)).delete('id >= 10000 AND id % 2 = 0');
    const bin = deletions().find((d) => d.name.endsWith('.bin'))!;
    expect(bin.meta.type).toBe(DeletionFile_DeletionFileType.BITMAP);
    const all = decodeDeletionVector(new Uint8Array(readFileSync(join(path, '_deletions', bin.name))), bin.meta.type, bin.name);
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 777];
    for (let i = 10000; i < n; i += 2) expected.push(i);
    expect(Array.from(all)).toEqual(expected);
  });
});
