// Public surface of the codecs: pure decoders (and simple encoders) for the compressive encodings
// Lance 12 writes by default, plus the general-compression registry.
export { FASTLANES_BLOCK, fastlanesPack, fastlanesUnpack, packedBlockBytes, type WordBits } from './fastlanes.js';
export {
  decodeInlineBitpacking,
  decodeInlineBitpackingBlock,
  decodeOutOfLineBitpacking,
  encodeInlineBitpacking,
  encodeOutOfLineBitpacking,
  maxBitWidth,
} from './bitpacking.js';
export { decodeRle, decodeRleBlock, encodeRle, encodeRleBlock, type RleBuffers } from './rle.js';
export { decodeFsst, encodeFsst, fsstTableFor, parseFsstSymbolTable, FSST_TABLE_BYTES, type FsstSymbolTable, type StringBatch } from './fsst.js';
export { lz4CompressBlock, lz4DecompressBlock } from './lz4.js';
export { looksLikeBareZstdFrame, zstdDecompress } from './zstd.js';
export { decodeByteStreamSplit, encodeByteStreamSplit } from './byte-stream-split.js';
export { applyDictionary, readIndices } from './dictionary.js';
export { decodeConstantScalar, encodeConstantScalar } from './constant-scalar.js';
export {
  compressGeneral,
  decompressGeneral,
  getCodec,
  registerCodec,
  schemeName,
  unregisterCodec,
  type Codec,
  type CodecScheme,
} from './registry.js';
