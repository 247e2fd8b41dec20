// A stand-in for a dataset, for testing the blob read/copy paths on their own: rows are written
// through the real blob writer into data files whose out-of-line bytes are real objects in the
// store; the view maps row addresses to descriptors the way a dataset pinned at a version would.
import type { ObjectStore, ObjectWriter } from '../../src/io/object-store.js';
import { createBlobFileWriter, type BlobDescriptor, type BlobInput, type BlobThresholds, type BlobWriteCounters, type OutOfLineSink } from '../../src/format/blob/index.js';
import type { BasePathInfo } from '../../src/format/blob/index.js';
import type { BlobTableView, LocatedDescriptor } from '../../src/dataset/blob/locate.js';
import type { ExternalReadScope } from '../../src/format/blob/external-uri.js';
import { NotFoundError } from '../../src/errors.js';

class StoreSink implements OutOfLineSink {
  constructor(private readonly w: ObjectWriter) {}
  async appendOutOfLineBuffer(bytes: Uint8Array): Promise<bigint> {
    const pad = (64 - (this.w.position % 64)) % 64;
    if (pad) await this.w.write(new Uint8Array(pad));
    const at = this.w.position;
    if (bytes.length) await this.w.write(bytes);
    return BigInt(at);
  }
}

export class MiniDataset implements BlobTableView {
  readonly rows = new Map<bigint, LocatedDescriptor>();
  readonly basePaths: BasePathInfo[];
  /** Where external blobs may be read (a dataset view fills this from its connection). */
  externalReads: ExternalReadScope = {};
  private nextFragment = 0;
  constructor(readonly store: ObjectStore, bases: BasePathInfo[] = []) {
    this.basePaths = bases;
  }

  /** Writes one fragment (one data file) with one blob column; returns the row addresses. */
  async addFragment(values: BlobInput[], t: BlobThresholds, opts: { allowExternalOutsideBases?: boolean; counters?: BlobWriteCounters } = {}): Promise<bigint[]> {
    const frag = BigInt(this.nextFragment++);
    const path = `data/frag-${frag}.lance`;
    const dw = await this.store.createWriter(path);
    const bw = createBlobFileWriter({ store: this.store, dataFilePath: path, sink: new StoreSink(dw), bases: this.basePaths, ...opts });
    const col = bw.column('payload', t);
    const descs: (BlobDescriptor | null)[] = [];
    for (const v of values) descs.push(await col.write(v));
    await bw.finish();
    await dw.write(new Uint8Array(16)); // stand-in for the file's metadata tail
    await dw.close();
    return descs.map((descriptor, i) => {
      const addr = (frag << 32n) | BigInt(i);
      this.rows.set(addr, { rowAddress: addr, descriptor, dataFile: { store: this.store, path } });
      return addr;
    });
  }

  async blobDescriptors(column: string, rowAddresses: readonly bigint[]): Promise<LocatedDescriptor[]> {
    if (column !== 'payload') throw new NotFoundError(column);
    return rowAddresses.map((a) => {
      const r = this.rows.get(a);
      if (!r) throw new NotFoundError(`row ${a}`);
      return r;
    });
  }
}
