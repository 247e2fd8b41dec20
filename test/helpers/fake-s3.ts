// A minimal S3 HTTP server on 127.0.0.1 for fast tests through the real AWS SDK. It implements
// only what S3Store uses, with S3's semantics where they matter for correctness: conditional
// PUT (If-None-Match / If-Match → 412), ranges including suffix ranges, ListObjectsV2
// pagination, CopyObject, and multipart upload including UploadPartCopy with a source range.
// Signatures are not checked. Behaviour the SDK could silently rely on but this server does not
// implement (aws-chunked bodies, unknown subresources) is refused with 501 so it cannot pass
// unnoticed.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeObject {
  data: Uint8Array;
  etag: string;
  mtime: Date;
}

interface Upload {
  bucket: string;
  key: string;
  parts: Map<number, { data: Uint8Array; etag: string }>;
}

/** An injected failure: answer the next `times` requests of `op` with this error. */
export interface FakeFault {
  op: string;
  status: number;
  code: string;
  /** Carry the request out first, then answer with the error (a lost response). */
  afterApply?: boolean;
  /** GetObject only: send the headers and half the body, then drop the connection. */
  cutBody?: boolean;
  times?: number;
}

export interface FakeS3Stats {
  /** Requests served, by operation name (PutObject, GetObject, UploadPart, ...). */
  ops: Record<string, number>;
  /** Body sizes of UploadPart requests, in arrival order. */
  partSizes: number[];
  /** Most UploadPart requests in progress at one time. */
  maxConcurrentParts: number;
}

export interface FakeS3 {
  endpoint: string;
  stats: FakeS3Stats;
  bucket(name: string): Map<string, FakeObject>;
  /** Multipart uploads begun and neither completed nor aborted. */
  openUploads(): number;
  fail(fault: FakeFault): void;
  /** Drops injected faults not yet used up. */
  clearFaults(): void;
  close(): Promise<void>;
}

export interface FakeS3Options {
  buckets?: string[];
  /** Smallest non-last part CompleteMultipartUpload accepts (S3: 5 MiB). */
  minPartSize?: number;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const b = Buffer.concat(chunks);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Parses a Range header against an object size into an inclusive [first, last], or throws 416. */
export function parseRange(header: string, size: number): [number, number] {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw new S3Failure(416, 'InvalidRange');
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw new S3Failure(416, 'InvalidRange');
    return [Math.max(0, size - n), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (first >= size || last < first) throw new S3Failure(416, 'InvalidRange');
  return [first, last];
}

function xml(res: ServerResponse, status: number, body: string): void {
  const buf = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': buf.length });
  res.end(buf);
}

export async function startFakeS3(options: FakeS3Options = {}): Promise<FakeS3> {
  const buckets = new Map<string, Map<string, FakeObject>>();
  for (const b of options.buckets ?? []) buckets.set(b, new Map());
  const uploads = new Map<string, Upload>();
  const faults: FakeFault[] = [];
  const stats: FakeS3Stats = { ops: {}, partSizes: [], maxConcurrentParts: 0 };
  const minPartSize = options.minPartSize ?? 5 * 1024 * 1024;
  let partsInFlight = 0;

  const bucketOf = (name: string) => {
    const b = buckets.get(name);
    if (!b) throw new S3Failure(404, 'NoSuchBucket');
    return b;
  };
  const objectOf = (bucket: string, key: string) => {
    const o = bucketOf(bucket).get(key);
    if (!o) throw new S3Failure(404, 'NoSuchKey');
    return o;
  };
  const checkConditions = (req: IncomingMessage, existing: FakeObject | undefined) => {
    const inm = req.headers['if-none-match'];
    if (inm === '*' && existing) throw new S3Failure(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const im = req.headers['if-match'];
    if (im !== undefined && (!existing || (im !== '*' && im !== existing.etag))) throw new S3Failure(412, 'PreconditionFailed');
  };
  const copySourceOf = (req: IncomingMessage): FakeObject => {
    const raw = String(req.headers['x-amz-copy-source']).replace(/^\//, '').split('?')[0]!;
    const slash = raw.indexOf('/');
    return objectOf(decodeURIComponent(raw.slice(0, slash)), raw.slice(slash + 1).split('/').map(decodeURIComponent).join('/'));
  };
  const opName = (method: string, q: URLSearchParams, hasKey: boolean, copy: boolean): string => {
    if (!hasKey) return method === 'GET' ? 'ListObjectsV2' : method === 'PUT' ? 'CreateBucket' : `${method}Bucket`;
    if (method === 'POST') return q.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload';
    if (method === 'PUT' && q.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
    if (method === 'PUT') return copy ? 'CopyObject' : 'PutObject';
    if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    return method === 'HEAD' ? 'HeadObject' : 'GetObject';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, op: string, bucket: string, key: string, q: URLSearchParams, cut = false) => {
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    switch (op) {
      case 'CreateBucket':
        if (!buckets.has(bucket)) buckets.set(bucket, new Map());
        res.writeHead(200).end();
        return;
      case 'HEADBucket':
        bucketOf(bucket);
        res.writeHead(200).end();
        return;
      case 'ListObjectsV2': {
        const prefix = q.get('prefix') ?? '';
        const maxKeys = Math.min(1000, Number(q.get('max-keys') ?? 1000));
        const token = q.get('continuation-token');
        const after = token ? Buffer.from(token, 'base64url').toString() : (q.get('start-after') ?? '');
        const keys = [...bucketOf(bucket).keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const page = keys.slice(0, maxKeys);
        const truncated = keys.length > page.length;
        const contents = page
          .map((k) => {
            const o = bucketOf(bucket).get(k)!;
            return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.mtime.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.data.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
          })
          .join('');
        const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</NextContinuationToken>` : '';
        xml(res, 200, `<ListBucketResult><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`);
        return;
      }
      case 'HeadObject':
      case 'GetObject': {
        const o = objectOf(bucket, key);
        const im = req.headers['if-match'];
        if (im !== undefined && im !== '*' && im !== o.etag) throw new S3Failure(412, 'PreconditionFailed');
        const range = req.headers.range;
        const [first, last] = range ? parseRange(range, o.data.length) : [0, o.data.length - 1];
        const slice = o.data.subarray(first, last + 1);
        const headers: Record<string, string | number> = {
          'content-length': slice.length,
          etag: o.etag,
          'last-modified': o.mtime.toUTCString(),
          'accept-ranges': 'bytes',
          'content-type': 'application/octet-stream',
        };
        if (range) headers['content-range'] = `bytes ${first}-${last}/${o.data.length}`;
        res.writeHead(range ? 206 : 200, headers);
        if (cut && method !== 'HEAD') {
          res.write(slice.subarray(0, slice.length >> 1), () => setTimeout(() => res.destroy(), 10));
          return;
        }
        res.end(method === 'HEAD' ? undefined : slice);
        return;
      }
      case 'PutObject': {
        const objects = bucketOf(bucket);
        checkConditions(req, objects.get(key));
        const etag = `"${md5(body)}"`;
        objects.set(key, { data: body, etag, mtime: new Date() });
        res.writeHead(200, { etag }).end();
        return;
      }
      case 'CopyObject': {
        const src = copySourceOf(req);
        const objects = bucketOf(bucket);
        checkConditions(req, objects.get(key));
        const copy = { data: src.data, etag: src.etag, mtime: new Date() };
        objects.set(key, copy);
        xml(res, 200, `<CopyObjectResult><ETag>${xmlEscape(copy.etag)}</ETag><LastModified>${copy.mtime.toISOString()}</LastModified></CopyObjectResult>`);
        return;
      }
      case 'DeleteObject':
        bucketOf(bucket).delete(key);
        res.writeHead(204).end();
        return;
      case 'CreateMultipartUpload': {
        bucketOf(bucket);
        const id = randomUUID();
        uploads.set(id, { bucket, key, parts: new Map() });
        xml(res, 200, `<InitiateMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
        return;
      }
      case 'UploadPart':
      case 'UploadPartCopy': {
        const upload = uploads.get(q.get('uploadId') ?? '');
        if (!upload || upload.bucket !== bucket || upload.key !== key) throw new S3Failure(404, 'NoSuchUpload');
        const n = Number(q.get('partNumber'));
        if (!(n >= 1 && n <= 10000)) throw new S3Failure(400, 'InvalidArgument', 'bad partNumber');
        let data = body;
        if (op === 'UploadPartCopy') {
          const src = copySourceOf(req);
          const r = req.headers['x-amz-copy-source-range'];
          if (r !== undefined) {
            const m = /^bytes=(\d+)-(\d+)$/.exec(String(r));
            if (!m || Number(m[2]) >= src.data.length || Number(m[1]) > Number(m[2])) throw new S3Failure(416, 'InvalidRange');
            data = src.data.subarray(Number(m[1]), Number(m[2]) + 1);
          } else data = src.data;
        } else stats.partSizes.push(body.length);
        const etag = `"${md5(data)}"`;
        upload.parts.set(n, { data, etag });
        if (op === 'UploadPart') res.writeHead(200, { etag }).end();
        else xml(res, 200, `<CopyPartResult><ETag>${xmlEscape(etag)}</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyPartResult>`);
        return;
      }
      case 'CompleteMultipartUpload': {
        const id = q.get('uploadId') ?? '';
        const upload = uploads.get(id);
        if (!upload || upload.bucket !== bucket || upload.key !== key) throw new S3Failure(404, 'NoSuchUpload');
        const listed = [...new TextDecoder().decode(body).matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
          n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
          etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]!)?.[1] ?? '').replace(/&quot;/g, '"'),
        }));
        if (listed.length === 0) throw new S3Failure(400, 'MalformedXML');
        const parts = listed.map((p, i) => {
          const part = upload.parts.get(p.n);
          if (!part || part.etag !== p.etag || (i > 0 && p.n <= listed[i - 1]!.n)) throw new S3Failure(400, 'InvalidPart');
          if (i < listed.length - 1 && part.data.length < minPartSize) throw new S3Failure(400, 'EntityTooSmall');
          return part;
        });
        const objects = bucketOf(bucket);
        checkConditions(req, objects.get(key));
        const data = new Uint8Array(parts.reduce((s, p) => s + p.data.length, 0));
        let off = 0;
        for (const p of parts) {
          data.set(p.data, off);
          off += p.data.length;
        }
        const etag = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex'))))}-${parts.length}"`;
        objects.set(key, { data, etag, mtime: new Date() });
        uploads.delete(id);
        xml(res, 200, `<CompleteMultipartUploadResult><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`);
        return;
      }
      case 'AbortMultipartUpload':
        if (!uploads.delete(q.get('uploadId') ?? '')) throw new S3Failure(404, 'NoSuchUpload');
        res.writeHead(204).end();
        return;
      default:
        throw new S3Failure(501, 'NotImplemented', `fake S3 does not implement ${op}`);
    }
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const copy = req.headers['x-amz-copy-source'] !== undefined;
    const op = opName(req.method ?? 'GET', url.searchParams, key.length > 0, copy);
    stats.ops[op] = (stats.ops[op] ?? 0) + 1;
    if (op === 'UploadPart') stats.maxConcurrentParts = Math.max(stats.maxConcurrentParts, ++partsInFlight);
    const sendError = (e: unknown) => {
      const f = e instanceof S3Failure ? e : new S3Failure(500, 'InternalError', String(e));
      if (res.headersSent) return void res.destroy();
      if (req.method === 'HEAD') return void res.writeHead(f.status).end();
      xml(res, f.status, `<Error><Code>${f.code}</Code><Message>${xmlEscape(f.message)}</Message><Key>${xmlEscape(key)}</Key><RequestId>fake</RequestId></Error>`);
    };
    const done = () => {
      if (op === 'UploadPart') partsInFlight--;
    };
    const fault = faults.find((f) => f.op === op);
    if (fault && (fault.times = (fault.times ?? 1) - 1) <= 0) faults.splice(faults.indexOf(fault), 1);
    const encoding = `${req.headers['content-encoding'] ?? ''} ${req.headers['x-amz-content-sha256'] ?? ''}`;
    if (/aws-chunked|STREAMING-/.test(encoding)) {
      done();
      return sendError(new S3Failure(501, 'NotImplemented', 'aws-chunked bodies are not supported'));
    }
    if (fault && !fault.afterApply && !fault.cutBody) {
      void readBody(req).then(() => {
        done();
        sendError(new S3Failure(fault.status, fault.code));
      });
      return;
    }
    // A lost response: do the work into a throwaway response, then answer with the error.
    const target = fault?.afterApply ? (new Proxy(res, { get: (t, p) => (p === 'writeHead' ? () => ({ end: () => undefined }) : p === 'end' ? () => undefined : Reflect.get(t, p)) }) as ServerResponse) : res;
    handle(req, target, op, bucket, key, url.searchParams, fault?.cutBody === true)
      .then(() => {
        if (fault?.afterApply) sendError(new S3Failure(fault.status, fault.code));
      }, sendError)
      .finally(done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    bucket: (name) => bucketOf(name),
    openUploads: () => uploads.size,
    fail: (f) => void faults.push({ times: 1, ...f }),
    clearFaults: () => void faults.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
