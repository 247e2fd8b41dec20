import { LancetError } from '../errors.js';

/**
 * An optional package lancet needs for what was asked is not installed (e.g. @aws-sdk/client-s3
 * for s3://). Its own module so that the public types never import the optional package's types.
 */
export class MissingDependencyError extends LancetError {}
