// Typed errors. Every error lancet raises on purpose is a LancetError with a stable `code`,
// so callers (and the CLI) can branch on the code and print one actionable line.

export type ErrorDetails = Record<string, string | number | bigint | boolean | undefined>;

export class LancetError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A data file, manifest, transaction, deletion file or sidecar is malformed or unsupported. */
export class LanceFormatError extends LancetError {
  readonly path: string | undefined;
  readonly offset: number | bigint | undefined;

  constructor(
    code: string,
    message: string,
    where: { path?: string; offset?: number | bigint } & ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    const loc = [where.path ? `in ${where.path}` : '', where.offset !== undefined ? `at byte ${where.offset}` : '']
      .filter(Boolean)
      .join(' ');
    super(code, loc ? `${message} (${loc})` : message, where, options);
    this.path = where.path;
    this.offset = where.offset;
  }
}

/** A compression scheme is used by a file but no codec for it is registered. */
export class MissingCodecError extends LanceFormatError {}

/** An object-store operation failed (not found, permission, network). */
export class StoreError extends LancetError {
  readonly path: string;
  constructor(code: string, message: string, path: string, options?: { cause?: unknown }) {
    super(code, `${message}: ${path}`, { path }, options);
    this.path = path;
  }
}

/** The object already exists (put-if-absent lost the race). */
export class AlreadyExistsError extends StoreError {
  constructor(path: string, options?: { cause?: unknown }) {
    super('ALREADY_EXISTS', 'object already exists', path, options);
  }
}

export class NotFoundError extends StoreError {
  constructor(path: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', 'object not found', path, options);
  }
}

/** A commit could not be rebased over concurrent commits, or retries ran out. */
export class CommitConflictError extends LancetError {}

/** A request is invalid: wrong types, unknown columns, unsafe URIs, bad arguments. */
export class InvalidInputError extends LancetError {}

/** A SQL statement or filter expression failed to parse or plan. */
export class SqlError extends LancetError {}

/**
 * A dataset names an external blob outside the places this connection lets it read (the dataset
 * root, its registered base paths, and the roots the connection allowed by name).
 */
export class ExternalBlobAccessError extends LancetError {}

export function formatError(code: string, message: string, where: { path?: string; offset?: number | bigint } = {}): LanceFormatError {
  return new LanceFormatError(code, message, where);
}
