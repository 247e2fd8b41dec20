import { InvalidInputError } from '../errors.js';

/** Static credentials. Leave them out to use the SDK's default chain (env, profile, IMDS, ...). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix every path is placed under ('' = bucket root). */
  prefix?: string;
  /** Custom endpoint (radosgw, MinIO, ...): `http://127.0.0.1:7480`. */
  endpoint?: string;
  region?: string;
  /** `bucket` in the path instead of the host name. Defaults to true when `endpoint` is set. */
  forcePathStyle?: boolean;
  credentials?: S3Credentials;
  /** Attempts per request including the first (SDK retry policy). */
  maxAttempts?: number;
  /** Multipart upload part size in bytes, at least 5 MiB. The writer buffers one part at a time. */
  partSize?: number;
  /** Keys per ListObjectsV2 page (at most 1000). */
  listPageSize?: number;
  /** Largest object copied with one CopyObject; larger copies use UploadPartCopy (S3 limit: 5 GiB). */
  maxSingleCopy?: number;
  /** Part size of server-side multipart copies, at least 5 MiB, at most 5 GiB. */
  copyPartSize?: number;
}

export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;

/** Splits `s3://bucket/some/prefix` into its bucket and key prefix (no leading/trailing '/'). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3a?:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri);
  if (!m) throw new InvalidInputError('BAD_S3_URI', `not an s3://bucket/prefix URI: ${uri}`, { uri });
  const prefix = (m[2] ?? '').split('/').filter((p) => p.length > 0);
  if (prefix.some((p) => p === '..' || p === '.')) throw new InvalidInputError('UNSAFE_PATH', `S3 URI prefix has '.' or '..' segments: ${uri}`, { uri });
  return { bucket: m[1]!, prefix: prefix.join('/') };
}

function flag(value: string, key: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new InvalidInputError('BAD_STORAGE_OPTION', `storage option ${key} must be true or false`, { key });
}

function positiveInt(value: string, key: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidInputError('BAD_STORAGE_OPTION', `storage option ${key} must be a positive integer`, { key });
  return n;
}

/**
 * Builds S3 store options from a URI and Lance-style storage options. Keys are matched
 * case-insensitively, with or without the `aws_` prefix: endpoint (or endpoint_url), region,
 * access_key_id, secret_access_key, session_token, virtual_hosted_style_request,
 * force_path_style, max_attempts, part_size. Values are never echoed in errors (they may be secrets).
 */
export function s3OptionsFromUri(uri: string, storageOptions: Readonly<Record<string, string>> = {}): S3StoreOptions {
  const { bucket, prefix } = parseS3Uri(uri);
  const opts: S3StoreOptions = { bucket, prefix };
  let accessKeyId: string | undefined;
  let secretAccessKey: string | undefined;
  let sessionToken: string | undefined;
  for (const [rawKey, value] of Object.entries(storageOptions)) {
    const key = rawKey.toLowerCase().replace(/^aws_/, '');
    switch (key) {
      case 'endpoint':
      case 'endpoint_url':
        opts.endpoint = value;
        break;
      case 'region':
      case 'default_region':
        opts.region = value;
        break;
      case 'access_key_id':
        accessKeyId = value;
        break;
      case 'secret_access_key':
        secretAccessKey = value;
        break;
      case 'session_token':
        sessionToken = value;
        break;
      case 'virtual_hosted_style_request':
        opts.forcePathStyle = !flag(value, rawKey);
        break;
      case 'force_path_style':
        opts.forcePathStyle = flag(value, rawKey);
        break;
      case 'max_attempts':
        opts.maxAttempts = positiveInt(value, rawKey);
        break;
      case 'part_size':
        opts.partSize = positiveInt(value, rawKey);
        break;
      case 'allow_http':
        break; // the scheme of the endpoint decides; accepted for compatibility with Lance options
      default:
        throw new InvalidInputError('BAD_STORAGE_OPTION', `unknown S3 storage option ${rawKey}`, { key: rawKey });
    }
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new InvalidInputError('BAD_STORAGE_OPTION', 'S3 storage options need both access_key_id and secret_access_key, or neither');
  }
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    opts.credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  }
  return opts;
}

/** Checks the numeric options and fills in defaults. */
export function resolveS3Options(o: S3StoreOptions): Required<Pick<S3StoreOptions, 'partSize' | 'listPageSize' | 'maxSingleCopy' | 'copyPartSize'>> {
  const partSize = o.partSize ?? 8 * MIB;
  const copyPartSize = o.copyPartSize ?? 1024 * MIB;
  const maxSingleCopy = o.maxSingleCopy ?? MAX_PART_SIZE;
  const listPageSize = o.listPageSize ?? 1000;
  const bad = (what: string) => new InvalidInputError('BAD_S3_OPTION', `S3 option ${what}`);
  if (!(Number.isSafeInteger(partSize) && partSize >= MIN_PART_SIZE && partSize <= MAX_PART_SIZE)) throw bad('partSize must be between 5 MiB and 5 GiB');
  if (!(Number.isSafeInteger(copyPartSize) && copyPartSize >= MIN_PART_SIZE && copyPartSize <= MAX_PART_SIZE)) throw bad('copyPartSize must be between 5 MiB and 5 GiB');
  if (!(Number.isSafeInteger(maxSingleCopy) && maxSingleCopy >= 0 && maxSingleCopy <= MAX_PART_SIZE)) throw bad('maxSingleCopy must be at most 5 GiB');
  if (!(Number.isSafeInteger(listPageSize) && listPageSize >= 1 && listPageSize <= 1000)) throw bad('listPageSize must be between 1 and 1000');
  if (!o.bucket) throw bad('bucket is required');
  return { partSize, listPageSize, maxSingleCopy, copyPartSize };
}
