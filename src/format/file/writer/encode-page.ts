// Page encoders: turn a PageInput into page buffers + the PageLayout message, choosing the
// layout the way Lance 12 does for these shapes (LANCE-FORMAT §7.1, §9.1).
import { create } from '@bufbuild/protobuf';
import {
  CompressiveEncodingSchema,
  PageLayoutSchema,
  RepDefLayer,
  type CompressiveEncoding,
  type PageLayout,
} from '../../proto/encodings_v2_1_pb.js';
import type { FileVersion } from '../footer.js';
import type { PageInput } from './page-input.js';
import { encodeMiniBlock } from './mini-block.js';
import { encodeFullZip } from './full-zip.js';
import type { EncodingParams } from './encoding-choice.js';

export interface EncodedPage {
  buffers: Uint8Array[];
  layout: PageLayout;
}

/** Values at least this large go to full-zip instead of mini-block (Lance's rule). */
export const FULL_ZIP_THRESHOLD = 256;

export function flat(bits: number): CompressiveEncoding {
  return create(CompressiveEncodingSchema, { compression: { case: 'flat', value: { bitsPerValue: BigInt(bits) } } });
}

export function variable(offsetBits: number): CompressiveEncoding {
  return create(CompressiveEncodingSchema, { compression: { case: 'variable', value: { offsets: flat(offsetBits) } } });
}

function maxValueBytes(offsets: Float64Array): number {
  let m = 0;
  for (let i = 1; i < offsets.length; i++) m = Math.max(m, offsets[i]! - offsets[i - 1]!);
  return m;
}

/** `params` enables Lance's per-page compression choice for mini-block values (see encoding-choice.ts). */
export function encodePage(input: PageInput, version: FileVersion, params?: EncodingParams): EncodedPage {
  const v = input.values;
  // Lance writes an all-null leaf with no nesting as a buffer-less ConstantLayout.
  if (input.allNull && input.layers.length === 1 && v.kind !== 'blob') {
    return {
      buffers: [],
      layout: create(PageLayoutSchema, { layout: { case: 'constantLayout', value: { layers: [RepDefLayer.REPDEF_NULLABLE_ITEM] } } }),
    };
  }
  switch (v.kind) {
    case 'blob':
      return encodeFullZip(input, version);
    case 'variable':
      return maxValueBytes(v.offsets) >= FULL_ZIP_THRESHOLD ? encodeFullZip(input, version) : encodeMiniBlock(input, version, params);
    case 'fsl': {
      const rowBits = v.dim * v.itemBits;
      // Full-zip rows must be byte aligned; sub-byte rows stay in mini-blocks.
      return rowBits >= FULL_ZIP_THRESHOLD * 8 && rowBits % 8 === 0 && v.itemBits % 8 === 0
        ? encodeFullZip(input, version)
        : encodeMiniBlock(input, version);
    }
    case 'fixed':
      return v.bits >= FULL_ZIP_THRESHOLD * 8 ? encodeFullZip(input, version) : encodeMiniBlock(input, version, params);
  }
}
