// A lazy handle on one blob: nothing is read until asked, and reads are exact ranges of the
// object holding the payload. `read()` follows a cursor (LanceDB semantics: a second call
// returns what is left, i.e. empty); ranges and streams leave the cursor alone. Every read checks
// the bytes delivered against the size the descriptor promised: an object cut short is an error,
// never a shorter blob.
import { Readable } from 'node:stream';
import { InvalidInputError, LanceFormatError, StoreError } from '../../errors.js';
import type { ObjectStore } from '../../io/object-store.js';
import { assertFitsInMemory } from '../../io/read-limits.js';
import type { BlobDescriptor } from '../../format/blob/descriptor.js';
import { BlobKind } from '../../format/blob/layout.js';

export interface BlobFileSource {
  store: ObjectStore;
  path: string;
  /** Offset of the payload inside the object. */
  start: number;
}

/** The object holding a blob ends before the bytes its descriptor names. */
export function truncatedBlob(rowAddress: bigint, path: string, want: number, got: number | undefined, cause?: unknown): LanceFormatError {
  const read = got === undefined ? `fewer than ${want}` : `${got} of ${want}`;
  return new LanceFormatError(
    'TRUNCATED_BLOB',
    `blob at row ${rowAddress} is truncated: ${read} bytes could be read; the object holding it was cut short or replaced (restore it, or delete the row)`,
    { path, row: rowAddress, want, got },
    cause === undefined ? undefined : { cause },
  );
}

export function isShortRead(e: unknown): boolean {
  return e instanceof StoreError && e.code === 'SHORT_READ';
}

export class BlobFile {
  readonly rowAddress: bigint;
  readonly descriptor: BlobDescriptor;
  /** Payload length in bytes. */
  readonly size: number;
  /** Where the bytes live (undefined for an empty blob). */
  readonly source: BlobFileSource | undefined;
  private cursor = 0;

  constructor(rowAddress: bigint, descriptor: BlobDescriptor, size: number, source: BlobFileSource | undefined) {
    this.rowAddress = rowAddress;
    this.descriptor = descriptor;
    this.size = size;
    this.source = source;
  }

  get kind(): BlobKind {
    return this.descriptor.kind;
  }

  /** Bytes [start, end) of the blob (blob-local offsets); cursor unchanged. */
  async readRange(start: number, end: number = this.size): Promise<Uint8Array> {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end >= start)) {
      throw new InvalidInputError('BAD_RANGE', `bad blob range [${start}, ${end})`);
    }
    if (end > this.size) throw new InvalidInputError('BAD_RANGE', `Blob range end ${end} exceeds blob size ${this.size}`);
    if (end === start || !this.source) return new Uint8Array();
    assertFitsInMemory(end - start, `the blob at row ${this.rowAddress}`);
    const { store, path, start: at } = this.source;
    let out: Uint8Array;
    try {
      out = await store.getRange(path, at + start, at + end);
    } catch (e) {
      throw isShortRead(e) ? truncatedBlob(this.rowAddress, path, end - start, undefined, e) : e;
    }
    if (out.length !== end - start) throw truncatedBlob(this.rowAddress, path, end - start, out.length);
    return out;
  }

  /** The rest of the blob from the cursor; moves the cursor to the end. */
  async read(): Promise<Uint8Array> {
    const out = await this.readRange(this.cursor, this.size);
    this.cursor = this.size;
    return out;
  }

  tell(): number {
    return this.cursor;
  }

  seek(pos: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos > this.size) throw new InvalidInputError('BAD_RANGE', `seek to ${pos} outside blob of ${this.size} bytes`);
    this.cursor = pos;
  }

  /** Streams [start, end) in store-sized chunks, never holding the blob whole. */
  chunks(start = 0, end = this.size): AsyncIterable<Uint8Array> {
    if (end > this.size || start < 0 || end < start) throw new InvalidInputError('BAD_RANGE', `bad blob range [${start}, ${end}) for size ${this.size}`);
    if (!this.source || start === end) return (async function* () {})();
    return this.countedChunks(this.source, start, end);
  }

  private async *countedChunks(source: BlobFileSource, start: number, end: number): AsyncIterable<Uint8Array> {
    const want = end - start;
    let got = 0;
    try {
      for await (const c of source.store.readStream(source.path, source.start + start, source.start + end)) {
        got += c.length;
        if (got > want) throw new StoreError('LONG_READ', `store streamed ${got} bytes for a ${want}-byte blob range`, source.path);
        yield c;
      }
    } catch (e) {
      if (isShortRead(e)) throw truncatedBlob(this.rowAddress, source.path, want, got, e);
      throw e;
    }
    if (got < want) throw truncatedBlob(this.rowAddress, source.path, want, got);
  }

  stream(start?: number, end?: number): Readable {
    return Readable.from(this.chunks(start, end), { objectMode: false });
  }

  webStream(start?: number, end?: number): ReadableStream<Uint8Array> {
    const it = this.chunks(start, end)[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() {
        await it.return?.();
      },
    });
  }
}
