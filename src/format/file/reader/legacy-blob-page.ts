// Legacy blob (v1, `lance-encoding:blob`) pages of 2.1 files: a BlobLayout wraps a page of
// packed {position: u64, size: u64} descriptors that has no levels of its own. Lance keeps the
// row's definition level inside the descriptor instead: a null row is size 0 with position
// `def << 16 | rep` (an empty value is position 0, size 0). These rows scan as the descriptors
// Lance 12 returns; the payload bytes sit at `position` in the same data file.
import { LanceFormatError } from '../../../errors.js';
import type { BlobLayout } from '../../proto/encodings_v2_1_pb.js';
import type { Where } from './compressive.js';
import { codeToLayer, type LeafPiece, type PageJob } from './page-jobs.js';

export function legacyBlobJob(blob: BlobLayout, inner: PageJob, where: Where): PageJob {
  // codeToLayer refuses list layers: a legacy blob below a list would carry rep levels too.
  const map = codeToLayer(blob.layers, where);
  return {
    phase1: () => inner.phase1(),
    phase2: (bufs) => inner.phase2(bufs),
    finish: (bufs) => inner.finish(bufs).map((p) => withDescriptorNulls(p, map, where)),
  };
}

function withDescriptorNulls(p: LeafPiece, map: number[], where: Where): LeafPiece {
  const v = p.values;
  if (v.kind === 'constant') return p;
  const [pos, size] = v.kind === 'struct' ? v.fields : [];
  if (v.kind !== 'struct' || v.fields.length !== 2 || pos?.kind !== 'fixed' || size?.kind !== 'fixed' || pos.bitsPerValue !== 64 || size.bitsPerValue !== 64) {
    throw new LanceFormatError('BAD_PAGE', `legacy blob descriptors decoded as ${v.kind}, expected a packed struct of two u64 fields`, where);
  }
  const pv = new DataView(pos.data.buffer, pos.data.byteOffset, pos.data.byteLength);
  const sv = new DataView(size.data.buffer, size.data.byteOffset, size.data.byteLength);
  let nullLayer: Int16Array | null = null;
  for (let i = 0; i < p.count; i++) {
    const j = p.start + i;
    const position = pv.getBigUint64(j * 8, true);
    if (position === 0n || sv.getBigUint64(j * 8, true) !== 0n) continue;
    const def = Number(position >> 16n);
    const layer = map[def];
    if (layer === undefined || layer < 0) throw new LanceFormatError('BAD_PAGE', `legacy blob row ${j} has definition level ${def}, the page has ${map.length - 1} nullable layers`, where);
    nullLayer ??= new Int16Array(p.count).fill(-1);
    nullLayer[i] = layer;
  }
  return { ...p, nullLayer };
}
