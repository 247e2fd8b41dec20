import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { StoreError } from '../errors.js';
import type { IoCounters, ObjectWriter } from './object-store.js';
import { MAX_PART_SIZE } from './s3-options.js';
import type { S3Sdk } from './s3-sdk.js';

/** What a writer needs from its store: where the object goes and how to report I/O. */
export interface S3WriteTarget {
  sdk: S3Sdk;
  client: S3Client;
  bucket: string;
  key: string;
  /** Store-relative path, for errors. */
  path: string;
  partSize: number;
  counters: IoCounters;
  /** Maps an SDK error to a StoreError for `op`. */
  fail(e: unknown, op: string): Error;
}

const MAX_PARTS = 10_000;
/**
 * Small objects (manifests) never allocate a whole part: the buffer starts small and grows in
 * two big steps rather than by doubling, since every outgrown buffer is garbage until the next
 * GC and doubling up to a part would leave about one more part's worth of it.
 */
const BUFFER_STEPS = [64 * 1024, 1024 * 1024];

/**
 * Streaming writer over S3 multipart upload. Holds at most one part in memory: when the buffer
 * reaches the part size, write() waits for that part's upload before accepting more, which is
 * the back-pressure the interface promises. An object that never fills a part is sent as one
 * PutObject on close, so small files cost one request and leave no upload to clean up.
 */
export class S3ObjectWriter implements ObjectWriter {
  private buf = new Uint8Array(0);
  private fill = 0;
  private written = 0;
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private partSize: number;
  private state: 'open' | 'closed' | 'aborted' = 'open';
  /** CompleteMultipartUpload succeeded: the object is visible and no upload is left. */
  private completed = false;
  // Calls are serialised so a caller that does not await each write still gets ordered parts;
  // a failed part poisons the chain, so every later write/close reports the failure.
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<number> | undefined;

  constructor(private readonly t: S3WriteTarget) {
    this.partSize = t.partSize;
  }

  get position(): number {
    return this.written;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new StoreError('WRITER_CLOSED', `write after ${this.state}`, this.t.path));
    this.written += chunk.length;
    const p = this.queue.then(() => this.append(chunk));
    this.queue = p;
    return p;
  }

  close(): Promise<number> {
    // A repeated close reports what the first one did, failure included.
    if (this.closing) return this.closing;
    if (this.state === 'aborted') return Promise.reject(new StoreError('WRITER_CLOSED', 'close after abort', this.t.path));
    this.state = 'closed';
    const p = this.queue.then(() => this.finish());
    this.queue = p;
    this.closing = p;
    return p;
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    await this.queue.catch(() => undefined);
    this.buf = new Uint8Array(0);
    // After a successful close the object is visible and there is no upload left to abort.
    if (this.uploadId === undefined || this.completed) return;
    const { client, bucket, key } = this.t;
    this.t.counters.writeRequests++;
    try {
      await client.send(new this.t.sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId }));
    } catch (e) {
      throw this.t.fail(e, 'abortMultipartUpload');
    } finally {
      this.uploadId = undefined;
    }
  }

  private async append(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      if (this.fill === this.buf.length) {
        if (this.buf.length >= this.partSize) await this.flushPart();
        else this.grow();
      }
      const n = Math.min(chunk.length - off, this.buf.length - this.fill);
      this.buf.set(chunk.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
    }
  }

  private grow(): void {
    const step = BUFFER_STEPS.find((n) => n > this.buf.length) ?? this.partSize;
    const next = new Uint8Array(Math.min(this.partSize, step));
    next.set(this.buf.subarray(0, this.fill));
    this.buf = next;
  }

  private async flushPart(): Promise<void> {
    const { client, bucket, key } = this.t;
    if (this.uploadId === undefined) {
      this.t.counters.writeRequests++;
      try {
        const out = await client.send(new this.t.sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
        if (!out.UploadId) throw new StoreError('S3_ERROR', 'CreateMultipartUpload returned no UploadId', this.t.path);
        this.uploadId = out.UploadId;
      } catch (e) {
        throw this.t.fail(e, 'createMultipartUpload');
      }
    }
    const partNumber = this.parts.length + 1;
    if (partNumber > MAX_PARTS) throw new StoreError('OBJECT_TOO_LARGE', `more than ${MAX_PARTS} parts`, this.t.path);
    const body = this.buf.subarray(0, this.fill);
    this.t.counters.writeRequests++;
    try {
      const out = await client.send(
        new this.t.sdk.UploadPartCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }),
      );
      this.parts.push({ ETag: out.ETag, PartNumber: partNumber });
    } catch (e) {
      throw this.t.fail(e, 'uploadPart');
    }
    this.t.counters.bytesWritten += body.length;
    this.fill = 0;
    // S3 allows 10,000 parts: double the part size every 1,000 parts so that objects far larger
    // than 10,000 x partSize still fit, at the cost of a bigger (still single) buffer.
    if (this.parts.length % 1000 === 0 && this.partSize * 2 <= MAX_PART_SIZE) {
      this.partSize *= 2;
      this.buf = new Uint8Array(this.partSize);
    }
  }

  private async finish(): Promise<number> {
    const { client, bucket, key } = this.t;
    if (this.uploadId === undefined) {
      const body = this.buf.subarray(0, this.fill);
      this.t.counters.writeRequests++;
      try {
        await client.send(new this.t.sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
      } catch (e) {
        throw this.t.fail(e, 'put');
      }
      this.t.counters.bytesWritten += body.length;
    } else {
      try {
        if (this.fill > 0) await this.flushPart();
        this.t.counters.writeRequests++;
        try {
          await client.send(
            new this.t.sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }),
          );
        } catch (e) {
          throw this.t.fail(e, 'completeMultipartUpload');
        }
        this.completed = true;
      } catch (e) {
        // A failed close leaves nothing behind: the upload's parts are dropped server-side.
        this.state = 'closed';
        await this.abortQuietly();
        throw e;
      }
    }
    this.buf = new Uint8Array(0);
    this.fill = 0;
    return this.written;
  }

  private async abortQuietly(): Promise<void> {
    if (this.uploadId === undefined) return;
    const { client, bucket, key } = this.t;
    this.t.counters.writeRequests++;
    await client.send(new this.t.sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: this.uploadId })).catch(() => undefined);
    this.uploadId = undefined;
  }
}
