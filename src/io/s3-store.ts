import type { CompletedPart, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { AlreadyExistsError, InvalidInputError, NotFoundError, StoreError, type LancetError } from '../errors.js';
import { readCoalesced } from './range-plan.js';
import { isConditionFailed, isNotFound, s3Attempts, s3Status, toStoreError } from './s3-errors.js';
import { resolveS3Options, type S3StoreOptions } from './s3-options.js';
import { loadS3Sdk, type S3Sdk } from './s3-sdk.js';
import { S3ObjectWriter } from './s3-writer.js';
import { newCounters, type ByteRange, type CopyMethod, type IoCounters, type ObjectMeta, type ObjectStore, type ObjectWriter } from './object-store.js';

export type { S3Credentials, S3StoreOptions } from './s3-options.js';

type Body = AsyncIterable<Uint8Array> & { destroy?: (err?: Error) => void };

/** Ranged re-GETs a stream may issue after its connection drops mid-body. */
const MAX_STREAM_RESUMES = 3;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** S3 wants the copy source URL-encoded, with the '/' between segments kept. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Object store over an S3 bucket (AWS or a compatible server such as radosgw). Paths are keys
 * under `prefix`. put-if-absent is a PutObject with `If-None-Match: *`, which the server
 * rejects with 412 when the key exists: that conditional write is the commit primitive.
 * Counters count HTTP requests: HEAD and GET are read requests, every upload step (create,
 * part, complete, abort, copy) a write request; server-side copies add to bytesLinked.
 */
export class S3Store implements ObjectStore {
  readonly kind = 's3';
  readonly root: string;
  readonly counters: IoCounters = newCounters();
  readonly bucket: string;
  /** Key prefix with a trailing '/', or '' at the bucket root. */
  private readonly keyPrefix: string;
  private readonly limits: ReturnType<typeof resolveS3Options>;
  private readonly secrets: string[];
  private readonly options: S3StoreOptions & { client?: S3Client };
  private clientPromise: Promise<S3Client> | undefined;

  /** `client` shares one SDK client (and its sockets) between stores; the store won't destroy it. */
  constructor(options: S3StoreOptions & { client?: S3Client }) {
    this.limits = resolveS3Options(options);
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').split('/').filter((p) => p.length > 0).join('/');
    this.keyPrefix = prefix ? `${prefix}/` : '';
    this.root = `s3://${this.bucket}${prefix ? `/${prefix}` : ''}`;
    // Access key ids are blanked only when long enough (AWS's are 20 characters) not to mangle
    // ordinary words of a message; secrets and tokens always.
    const c = options.credentials;
    this.secrets = [c?.secretAccessKey ?? '', c?.sessionToken ?? '', (c?.accessKeyId.length ?? 0) >= 16 ? c!.accessKeyId : ''];
    this.options = options;
    if (options.client) this.clientPromise = Promise.resolve(options.client);
  }

  /** The SDK client, created on first use. */
  client(): Promise<S3Client> {
    return (this.clientPromise ??= loadS3Sdk().then(
      (sdk) =>
        new sdk.S3Client({
          endpoint: this.options.endpoint,
          region: this.options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          forcePathStyle: this.options.forcePathStyle ?? this.options.endpoint !== undefined,
          credentials: this.options.credentials,
          maxAttempts: this.options.maxAttempts,
          // Flexible checksums would switch streaming bodies to aws-chunked encoding, which
          // S3-compatible servers (radosgw 16) do not all speak; SigV4 already covers integrity.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    ));
  }

  /** The lazily loaded SDK module and client, for one request. */
  private async ctx(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const [sdk, client] = await Promise.all([loadS3Sdk(), this.client()]);
    return { sdk, client };
  }

  /** Releases the client's sockets (only if this store created the client). */
  async close(): Promise<void> {
    if (this.clientPromise && !this.options.client) (await this.clientPromise).destroy();
    this.clientPromise = undefined;
  }

  private key(path: string): string {
    const parts = path.split('/').filter((p) => p.length > 0);
    if (parts.some((p) => p === '..' || p === '.')) throw new InvalidInputError('UNSAFE_PATH', `path escapes the store root: ${path}`, { path });
    if (parts.length === 0) throw new InvalidInputError('BAD_PATH', 'empty object path', { path });
    return this.keyPrefix + parts.join('/');
  }

  private fail(e: unknown, op: string, path: string): LancetError {
    return toStoreError(e, op, path, this.secrets);
  }

  async head(path: string): Promise<ObjectMeta> {
    const Key = this.key(path);
    const { sdk, client } = await this.ctx();
    this.counters.readRequests++;
    try {
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { path: Key.slice(this.keyPrefix.length), size: out.ContentLength ?? 0, mtimeMs: out.LastModified?.getTime() ?? 0 };
    } catch (e) {
      throw this.fail(e, 'head', path);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.head(path);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** Sends a GetObject; resolves `undefined` when the range starts past the end (416). */
  private async getObject(path: string, range: string | undefined, ifMatch?: string): Promise<GetObjectCommandOutput | undefined> {
    const Key = this.key(path);
    const { sdk, client } = await this.ctx();
    this.counters.readRequests++;
    try {
      return await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key, Range: range, IfMatch: ifMatch }));
    } catch (e) {
      if (s3Status(e) === 416) return undefined;
      throw this.fail(e, 'get', path);
    }
  }

  async get(path: string): Promise<Uint8Array> {
    const out = await this.getObject(path, undefined);
    const body = out?.Body as Body | undefined;
    if (!out || !body) throw new StoreError('S3_ERROR', 'GetObject returned no body', path);
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const c of body) {
        chunks.push(c);
        total += c.length;
        this.counters.bytesRead += c.length;
      }
    } catch (e) {
      throw this.fail(e, 'get', path);
    }
    if (out.ContentLength !== undefined && total !== out.ContentLength) {
      throw new StoreError('SHORT_READ', `object body ended after ${total} of ${out.ContentLength} bytes`, path);
    }
    const data = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      data.set(c, off);
      off += c.length;
    }
    return data;
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start)) {
      throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${path}`, { path });
    }
    if (end === start) {
      // HTTP cannot express an empty range; still report a missing object or a range past the end.
      const meta = await this.head(path);
      if (end > meta.size) throw new StoreError('SHORT_READ', `range [${start}, ${end}) runs past the end of the object (${meta.size} bytes)`, path);
      return new Uint8Array(0);
    }
    const short = (got: number) => new StoreError('SHORT_READ', `range [${start}, ${end}) runs past the end of the object (got ${got} bytes)`, path);
    const data = new Uint8Array(end - start);
    let got = 0;
    let etag: string | undefined;
    // A connection that drops mid-body is resumed from the first missing byte (see readStream).
    for (let resumes = 0; ; resumes++) {
      const from = start + got;
      const out = await this.getObject(path, `bytes=${from}-${end - 1}`, etag);
      if (!out) throw short(got);
      const body = out.Body as Body | undefined;
      if (!body) throw new StoreError('S3_ERROR', 'GetObject returned no body', path);
      etag ??= out.ETag;
      // A server that ignores Range answers 200 with the whole object: only acceptable from 0.
      const served = /^bytes (\d+)-/.exec(out.ContentRange ?? '');
      if (served ? Number(served[1]) !== from : from !== 0) {
        body.destroy?.();
        throw new StoreError('BAD_RESPONSE', `server answered range [${from}, ${end}) with ${out.ContentRange ?? 'the whole object'}`, path);
      }
      let cause: unknown;
      try {
        for await (const c of body) {
          this.counters.bytesRead += c.length;
          const n = Math.min(c.length, data.length - got);
          data.set(c.subarray(0, n), got);
          got += n;
          if (got === data.length) break; // a whole-object answer from 0 carries more: ignore it
        }
      } catch (e) {
        cause = e;
      } finally {
        body.destroy?.();
      }
      if (got === data.length) return data;
      if (cause === undefined) throw short(got);
      if (resumes >= MAX_STREAM_RESUMES || s3Status(cause) !== undefined) throw this.fail(cause, 'getRange', path);
    }
  }

  getRanges(path: string, ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return readCoalesced(ranges, (s, e) => this.getRange(path, s, e));
  }

  /**
   * Streams [start, end) with one ranged GET. If the connection drops mid-body the rest is
   * fetched with another ranged GET (a few times at most), pinned with If-Match to the first
   * response's ETag so that bytes of two versions of an object are never spliced together.
   */
  async *readStream(path: string, start = 0, end?: number): AsyncIterable<Uint8Array> {
    if (end !== undefined && end <= start) return;
    let pos = start;
    let etag: string | undefined;
    for (let resumes = 0; ; resumes++) {
      const range = end !== undefined ? `bytes=${pos}-${end - 1}` : pos > 0 ? `bytes=${pos}-` : undefined;
      const out = await this.getObject(path, range, etag);
      // The object ends before the range does (S3 serves a range past the end cut short, or
      // not at all): a short stream must not pass as the whole range.
      const pastEnd = () => new StoreError('SHORT_READ', `object ends at byte ${pos}, before the end of range [${start}, ${end})`, path);
      if (!out) {
        if (end !== undefined) throw pastEnd();
        return; // open-ended and starting past the end: nothing to stream, as for the other stores
      }
      const body = out.Body as Body | undefined;
      if (!body) throw new StoreError('S3_ERROR', 'GetObject returned no body', path);
      etag ??= out.ETag;
      let got = 0;
      let cause: unknown;
      let complete = false;
      try {
        for await (const c of body) {
          got += c.length;
          pos += c.length;
          this.counters.bytesRead += c.length;
          yield c;
        }
        complete = out.ContentLength === undefined || got >= out.ContentLength;
        if (!complete) cause = new StoreError('SHORT_READ', `response body ended after ${got} of ${out.ContentLength} bytes`, path);
      } catch (e) {
        cause = e;
      } finally {
        // The consumer may stop early: release the socket instead of draining the rest.
        body.destroy?.();
      }
      if (complete) {
        if (end !== undefined && pos < end) throw pastEnd();
        return;
      }
      if (resumes >= MAX_STREAM_RESUMES || s3Status(cause) !== undefined) throw this.fail(cause, 'readStream', path);
    }
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const Key = this.key(path);
    const { sdk, client } = await this.ctx();
    this.counters.writeRequests++;
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length }));
    } catch (e) {
      throw this.fail(e, 'put', path);
    }
    this.counters.bytesWritten += data.length;
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const Key = this.key(path);
    const { sdk, client } = await this.ctx();
    this.counters.writeRequests++;
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length, IfNoneMatch: '*' }));
    } catch (e) {
      // If the SDK retried, an earlier attempt may have landed and only its answer got lost:
      // then the 412 is about our own write. Same bytes under the key means we won.
      if (isConditionFailed(e) && s3Attempts(e) > 1) {
        const current = await this.get(path).catch(() => undefined);
        if (current && bytesEqual(current, data)) {
          this.counters.bytesWritten += data.length;
          return;
        }
      }
      if (isConditionFailed(e)) throw new AlreadyExistsError(path, { cause: e });
      throw this.fail(e, 'putIfAbsent', path);
    }
    this.counters.bytesWritten += data.length;
  }

  async createWriter(path: string): Promise<ObjectWriter> {
    const { sdk, client } = await this.ctx();
    return new S3ObjectWriter({
      sdk,
      client,
      bucket: this.bucket,
      key: this.key(path),
      path,
      partSize: this.limits.partSize,
      counters: this.counters,
      fail: (e, op) => this.fail(e, op, path),
    });
  }

  async list(prefix: string): Promise<ObjectMeta[]> {
    const Prefix = this.keyPrefix + prefix.replace(/^\/+/, '');
    const out: ObjectMeta[] = [];
    const { sdk, client } = await this.ctx();
    let token: string | undefined;
    do {
      this.counters.listRequests++;
      try {
        const page = await client.send(
          new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token, MaxKeys: this.limits.listPageSize }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          // An object of unknown age counts as new: cleanup only removes unreferenced objects once old.
          out.push({ path: o.Key.slice(this.keyPrefix.length), size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? Date.now() });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } catch (e) {
        throw this.fail(e, 'list', prefix);
      }
    } while (token);
    return out;
  }

  async delete(path: string): Promise<void> {
    const Key = this.key(path);
    const { sdk, client } = await this.ctx();
    this.counters.deleteRequests++;
    try {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      if (!isNotFound(e)) throw this.fail(e, 'delete', path);
    }
  }

  /**
   * Server-side copy. `dst` must not exist; S3 has no conditional copy, so this is checked with
   * a HEAD first and is not atomic against a concurrent writer of `dst`.
   */
  async copy(src: string, dst: string): Promise<CopyMethod> {
    const meta = await this.head(src);
    await this.assertAbsent(dst);
    if (meta.size <= this.limits.maxSingleCopy) await this.copyWhole(src, dst);
    else await this.copyParts(src, 0, meta.size, dst);
    this.counters.bytesLinked += meta.size;
    return 'server-copy';
  }

  /** Server-side copy of [start, end): UploadPartCopy with a source range, or CopyObject when whole. */
  async copyRange(src: string, start: number, end: number, dst: string): Promise<CopyMethod> {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start)) {
      throw new InvalidInputError('BAD_RANGE', `bad byte range [${start}, ${end}) for ${src}`, { path: src });
    }
    const meta = await this.head(src);
    if (end > meta.size) throw new StoreError('SHORT_READ', `source ended before byte ${end} (${meta.size} bytes)`, src);
    await this.assertAbsent(dst);
    if (start === end) await this.put(dst, new Uint8Array(0));
    else if (start === 0 && end === meta.size && meta.size <= this.limits.maxSingleCopy) await this.copyWhole(src, dst);
    else await this.copyParts(src, start, end, dst);
    this.counters.bytesLinked += end - start;
    return 'server-copy';
  }

  private async assertAbsent(path: string): Promise<void> {
    if (await this.exists(path)) throw new AlreadyExistsError(path);
  }

  private async copyWhole(src: string, dst: string): Promise<void> {
    const { sdk, client } = await this.ctx();
    this.counters.writeRequests++;
    try {
      await client.send(new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: this.key(dst), CopySource: copySource(this.bucket, this.key(src)) }));
    } catch (e) {
      throw this.fail(e, 'copy', isNotFound(e) ? src : dst);
    }
  }

  private async copyParts(src: string, start: number, end: number, dst: string): Promise<void> {
    const Key = this.key(dst);
    const source = copySource(this.bucket, this.key(src));
    const { sdk, client } = await this.ctx();
    let uploadId: string | undefined;
    try {
      this.counters.writeRequests++;
      uploadId = (await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key }))).UploadId;
      if (!uploadId) throw new StoreError('S3_ERROR', 'CreateMultipartUpload returned no UploadId', dst);
      const parts: CompletedPart[] = [];
      for (let off = start, n = 1; off < end; off += this.limits.copyPartSize, n++) {
        const last = Math.min(end, off + this.limits.copyPartSize) - 1;
        this.counters.writeRequests++;
        const out = await client.send(
          new sdk.UploadPartCopyCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${off}-${last}` }),
        );
        parts.push({ ETag: out.CopyPartResult?.ETag, PartNumber: n });
      }
      this.counters.writeRequests++;
      await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      if (uploadId) {
        this.counters.writeRequests++;
        await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })).catch(() => undefined);
      }
      throw this.fail(e, 'copyRange', isNotFound(e) ? src : dst);
    }
  }
}
