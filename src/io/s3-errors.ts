import { AlreadyExistsError, LancetError, NotFoundError, StoreError } from '../errors.js';

/** HTTP status of an SDK error, if the server answered at all. */
export function s3Status(e: unknown): number | undefined {
  const status = (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** SDK attempts behind an error (more than 1 means the SDK retried). */
export function s3Attempts(e: unknown): number {
  return (e as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts ?? 1;
}

function errorName(e: unknown): string {
  const n = (e as { name?: unknown; Code?: unknown } | null)?.name;
  return typeof n === 'string' ? n : 'Error';
}

export function isNotFound(e: unknown): boolean {
  const n = errorName(e);
  return s3Status(e) === 404 || n === 'NoSuchKey' || n === 'NotFound';
}

/** A conditional write lost: the key exists (412) or a concurrent conditional write is in flight (409). */
export function isConditionFailed(e: unknown): boolean {
  const n = errorName(e);
  const s = s3Status(e);
  return s === 412 || n === 'PreconditionFailed' || (s === 409 && n === 'ConditionalRequestConflict');
}

/**
 * Maps an SDK error to a StoreError naming the object, never the credentials: the message
 * carries the operation, the S3 error name, the HTTP status and the server's message with any
 * of `secrets` blanked out (servers echo the access key id in some signature errors).
 */
export function toStoreError(e: unknown, op: string, path: string, secrets: readonly string[] = []): LancetError {
  if (e instanceof LancetError) return e;
  if (isNotFound(e)) return new NotFoundError(path, { cause: e });
  if (op === 'putIfAbsent' && isConditionFailed(e)) return new AlreadyExistsError(path, { cause: e });
  const status = s3Status(e);
  const name = errorName(e);
  let detail = e instanceof Error ? e.message : String(e);
  for (const s of secrets) if (s) detail = detail.split(s).join('***');
  if (detail.length > 200) detail = `${detail.slice(0, 200)}...`;
  const code =
    status === 403 || status === 401
      ? 'S3_ACCESS_DENIED'
      : status === undefined || status >= 500 || status === 429
        ? 'S3_UNAVAILABLE'
        : 'S3_ERROR';
  const shown = detail && detail !== name && detail !== 'UnknownError' ? `: ${detail}` : '';
  return new StoreError(code, `S3 ${op} failed with ${name}${status ? ` (HTTP ${status})` : ''}${shown}`, path, { cause: e });
}
