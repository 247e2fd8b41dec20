// A lazy handle on one blob: nothing is read until asked, and reads are exact ranges of the
// object holding the payload. `read()` follows a cursor (LanceDB semantics: a second call
// returns what is left, i.e. empty); ranges and streams leave the cursor alone.
import { Readable } from 'node:stream';
import { InvalidInputError } from '../../errors.js';
import type { ObjectStore } from '../../io/object-store.js';
import type { BlobDescriptor } from '../../format/blob/descriptor.js';
import { BlobKind } from '../../format/blob/layout.js';

export interface BlobFileSource {
  store: ObjectStore;
  path: string;
  /** Offset of the payload inside the object. */
  start: number;
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
    return this.source.store.getRange(this.source.path, this.source.start + start, this.source.start + end);
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
    return this.source.store.readStream(this.source.path, this.source.start + start, this.source.start + end);
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
