import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { ManifestSchema } from '../src/format/proto/table_pb.js';
import { TransactionSchema } from '../src/format/proto/transaction_pb.js';
import { decodeManifestFile, encodeManifestFile, manifestNameV2, parseManifestName } from '../src/format/table/manifest-file.js';
import { LanceFormatError } from '../src/errors.js';
import { peerCreate } from './helpers/lance-peer.js';

describe('manifest file', () => {
  it('names versions like Lance (V2 counts down from u64::MAX)', () => {
    expect(manifestNameV2(1)).toBe('18446744073709551614.manifest');
    expect(parseManifestName('18446744073709551614.manifest')).toEqual({ version: 1n, naming: 'v2' });
    expect(parseManifestName('7.manifest')).toEqual({ version: 7n, naming: 'v1' });
    expect(parseManifestName('latest_version_hint.json')).toBeUndefined();
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: (1n << 63n) }), (v) => parseManifestName(manifestNameV2(v))!.version === v), { numRuns: 200 });
  });

  it('round-trips with and without an inline transaction', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 40n }), fc.string(), fc.boolean(), (version, tag, withTxn) => {
        const m = create(ManifestSchema, { version, tag, maxFragmentId: 3 });
        const t = withTxn ? create(TransactionSchema, { readVersion: version - 1n, uuid: 'u', operation: { case: 'append', value: {} } }) : undefined;
        const d = decodeManifestFile(encodeManifestFile(m, t), 'x');
        return d.manifest.version === version && d.manifest.tag === tag && (d.transaction?.readVersion ?? -1n) === (withTxn ? version - 1n : -1n);
      }),
      { numRuns: 200 },
    );
  });

  it('reads the manifest Lance 12 writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lancet-mf-'));
    await peerCreate(dir, 't', arrow.tableFromArrays({ id: BigInt64Array.from([1n, 2n]) }));
    const vdir = join(dir, 't.lance', '_versions');
    const name = readdirSync(vdir).find((n) => n.endsWith('.manifest'))!;
    const { manifest, transaction } = decodeManifestFile(new Uint8Array(readFileSync(join(vdir, name))), name);
    expect(manifest.version).toBe(1n);
    expect(manifest.writerVersion?.library).toBe('lance');
    expect(manifest.dataFormat?.version).toBe('2.2');
    expect(manifest.fragments[0]!.physicalRows).toBe(2n);
    expect(transaction?.operation.case).toBe('overwrite');
  });

  it('rejects corrupt bytes with typed errors only', () => {
    const good = encodeManifestFile(create(ManifestSchema, { version: 5n, tag: 'abc' }));
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length), (i, x, cut) => {
        const bad = good.slice(0, cut);
        if (i < bad.length) bad[i]! ^= x;
        try {
          decodeManifestFile(bad, 'bad');
        } catch (e) {
          return e instanceof LanceFormatError;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
