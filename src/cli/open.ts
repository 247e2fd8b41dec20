// Opening what a command names: datasets by path or URI, single data files by path.
import * as nodePath from 'node:path';
import { openDataset, type Dataset } from '../dataset/dataset.js';
import { openLanceFile, type LanceFileReader } from '../format/file/index.js';
import { LocalStore } from '../io/local-store.js';
import { storeForUri } from '../io/open-store.js';
import { NotFoundError, InvalidInputError } from '../errors.js';
import { VERSIONS_DIR } from '../format/table/file-names.js';
import type { ExternalBlobReadOptions } from '../format/blob/external-uri.js';

export async function openDatasetArg(uri: string, version?: number, external: ExternalBlobReadOptions = {}): Promise<Dataset> {
  const { store, path } = storeForUri(uri);
  const probe = path ? `${path}/${VERSIONS_DIR}/` : `${VERSIONS_DIR}/`;
  if ((await store.list(probe)).length === 0) {
    if (store.kind === 'local' && !(await store.list('')).length) throw new NotFoundError(uri);
    throw new InvalidInputError('NOT_A_DATASET', `${uri} is not a Lance dataset (no ${VERSIONS_DIR}/ directory with manifests)`, { uri });
  }
  return openDataset(uri, { ...(version === undefined ? {} : { version }), ...external });
}

export async function openFileArg(path: string): Promise<LanceFileReader> {
  const abs = nodePath.resolve(path);
  const store = new LocalStore(nodePath.dirname(abs));
  return openLanceFile(store, nodePath.basename(abs));
}
