import { InvalidInputError } from '../errors.js';
import { HttpStore } from './http-store.js';
import { LocalStore } from './local-store.js';
import { memoryStoreForUri } from './memory-registry.js';
import type { ObjectStore } from './object-store.js';
import { s3OptionsFromUri } from './s3-options.js';
import { S3Store } from './s3-store.js';

export interface OpenStoreOptions {
  /**
   * Lance-style storage options for remote stores, e.g. for s3://: `aws_endpoint`,
   * `aws_region`, `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`,
   * `aws_virtual_hosted_style_request` (see s3OptionsFromUri). Without credentials the
   * SDK's default chain is used.
   */
  storageOptions?: Readonly<Record<string, string>>;
}

/**
 * Opens the store that holds `uri` and returns it with the path of `uri` inside it.
 * Plain paths and file:// URIs are local; memory://name is a process-wide in-memory store;
 * s3://bucket/prefix is an S3Store rooted at the prefix (path ''); http(s)://host/dir is a
 * read-only HttpStore rooted at dir.
 */
export function storeForUri(uri: string, options: OpenStoreOptions = {}): { store: ObjectStore; path: string } {
  if (/^s3a?:\/\//i.test(uri)) return { store: new S3Store(s3OptionsFromUri(uri, options.storageOptions)), path: '' };
  if (/^https?:\/\//i.test(uri)) return { store: new HttpStore(uri), path: '' };
  if (uri.startsWith('memory://')) return memoryStoreForUri(uri);
  if (uri.startsWith('file://')) return { store: new LocalStore(new URL(uri).pathname), path: '' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new InvalidInputError('UNSUPPORTED_SCHEME', `no object store for URI scheme of ${uri}`, { uri });
  }
  return { store: new LocalStore(uri), path: '' };
}
