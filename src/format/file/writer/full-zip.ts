// Full-zip pages: per row `[control word (def level)] [value]`, where a variable value is a
// u32/u64 length + bytes and is omitted for null rows, and a fixed value is always present.
// Variable pages get a second buffer, the repetition index: rows + 1 byte offsets in the
// smallest of 1/2/4/8 bytes that holds the total length.
import { create } from '@bufbuild/protobuf';
import { CompressiveEncodingSchema, PageLayoutSchema, type CompressiveEncoding } from '../../proto/encodings_v2_1_pb.js';
import type { FileVersion } from '../footer.js';
import type { PageInput } from './page-input.js';
import { flat, variable, type EncodedPage } from './encode-page.js';
import { InvalidInputError } from '../../../errors.js';
import { copyBits } from '../bits.js';

/** Bits of a control word holding levels up to `maxDef`. */
export function bitsFor(maxDef: number): number {
  let bits = 0;
  while (1 << bits <= maxDef) bits++;
  return bits;
}

/** Bytes of a control word with `bits` bits (0, 1, 2 or 4). */
export function controlBytes(bits: number): number {
  return bits === 0 ? 0 : bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
}

/** The blob v2 descriptor encoding Lance uses: kind u8, position u64, size u64, blob_id u32, uri. */
export function blobDescriptorEncoding(): CompressiveEncoding {
  const fixed = (bits: number) => ({ value: flat(bits), layout: { case: 'bitsPerValue' as const, value: BigInt(bits) } });
  return create(CompressiveEncodingSchema, {
    compression: {
      case: 'variablePackedStruct',
      value: { fields: [fixed(8), fixed(64), fixed(64), fixed(32), { value: variable(32), layout: { case: 'bitsPerLength', value: 32n } }] },
    },
  });
}

function writeControl(out: DataView, at: number, width: number, level: number): void {
  if (width === 1) out.setUint8(at, level);
  else if (width === 2) out.setUint16(at, level, true);
  else if (width === 4) out.setUint32(at, level, true);
}

export function repIndexWidth(total: number): 1 | 2 | 4 | 8 {
  return total < 0x100 ? 1 : total < 0x10000 ? 2 : total < 0x100000000 ? 4 : 8;
}

export function encodeFullZip(input: PageInput, _version: FileVersion): EncodedPage {
  const v = input.values;
  const n = input.numRows;
  const bitsDef = input.def ? bitsFor(input.maxDef) : 0;
  const cw = controlBytes(bitsDef);
  const def = input.def;
  if (v.kind === 'fixed' || v.kind === 'fsl') {
    if (v.kind === 'fixed' && v.bits % 8 !== 0) throw new InvalidInputError('BAD_LAYOUT', 'full-zip needs byte-aligned values');
    let rowBytes: number;
    let valueCompression: CompressiveEncoding;
    let valueAt: (i: number, out: Uint8Array, at: number) => void;
    if (v.kind === 'fixed') {
      rowBytes = v.bits / 8;
      valueCompression = flat(v.bits);
      valueAt = (i, out, at) => out.set(v.data.subarray(i * rowBytes, (i + 1) * rowBytes), at);
    } else {
      const dataBytes = (v.dim * v.itemBits) / 8;
      const vBytes = v.validity ? Math.ceil(v.dim / 8) : 0;
      rowBytes = vBytes + dataBytes;
      valueCompression = create(CompressiveEncodingSchema, {
        compression: { case: 'fixedSizeList', value: { itemsPerValue: BigInt(v.dim), values: flat(v.itemBits), hasValidity: !!v.validity } },
      });
      valueAt = (i, out, at) => {
        if (v.validity) copyBits(v.validity, i * v.dim, out.subarray(at, at + vBytes), 0, v.dim);
        out.set(v.data.subarray(i * dataBytes, (i + 1) * dataBytes), at + vBytes);
      };
    }
    const stride = cw + rowBytes;
    const out = new Uint8Array(stride * n);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) {
      if (cw) writeControl(dv, i * stride, cw, def![i]!);
      valueAt(i, out, i * stride + cw);
    }
    const layout = create(PageLayoutSchema, {
      layout: {
        case: 'fullZipLayout',
        value: {
          bitsDef,
          details: { case: 'bitsPerValue', value: rowBytes * 8 },
          numItems: n,
          numVisibleItems: n,
          valueCompression,
          layers: input.layers,
        },
      },
    });
    return { buffers: [out], layout };
  }
  // Variable-width: strings/binary or packed blob descriptors (which list valid rows only).
  const offsetBits = v.kind === 'variable' ? v.offsetBits : 32;
  const lw = offsetBits / 8;
  const denseValid = v.kind === 'blob';
  let total = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    total += cw;
    if (def && def[i] !== 0) continue;
    const j = denseValid ? k++ : i;
    total += lw + v.offsets[j + 1]! - v.offsets[j]!;
  }
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const iw = repIndexWidth(total);
  const index = new Uint8Array((n + 1) * iw);
  const iv = new DataView(index.buffer);
  const putIndex = (i: number, pos: number) => {
    if (iw === 1) iv.setUint8(i, pos);
    else if (iw === 2) iv.setUint16(i * 2, pos, true);
    else if (iw === 4) iv.setUint32(i * 4, pos, true);
    else iv.setBigUint64(i * 8, BigInt(pos), true);
  };
  let p = 0;
  k = 0;
  for (let i = 0; i < n; i++) {
    putIndex(i, p);
    if (cw) writeControl(dv, p, cw, def![i]!);
    p += cw;
    if (def && def[i] !== 0) continue;
    const j = denseValid ? k++ : i;
    const a = v.offsets[j]!;
    const b = v.offsets[j + 1]!;
    if (lw === 4) dv.setUint32(p, b - a, true);
    else dv.setBigUint64(p, BigInt(b - a), true);
    p += lw;
    out.set(v.data.subarray(a, b), p);
    p += b - a;
  }
  putIndex(n, p);
  const layout = create(PageLayoutSchema, {
    layout: {
      case: 'fullZipLayout',
      value: {
        bitsDef,
        details: { case: 'bitsPerOffset', value: offsetBits },
        numItems: n,
        numVisibleItems: n,
        valueCompression: v.kind === 'blob' ? blobDescriptorEncoding() : variable(offsetBits),
        layers: input.layers,
      },
    },
  });
  return { buffers: [out, index], layout };
}
