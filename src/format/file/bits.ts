// LSB-first bit-buffer helpers shared by the writer and reader (Arrow validity bitmaps, bool
// values, FixedSizeList item validity).

export function getBit(b: Uint8Array, i: number): number {
  return (b[i >> 3]! >> (i & 7)) & 1;
}

export function setBit(b: Uint8Array, i: number): void {
  b[i >> 3]! |= 1 << (i & 7);
}

/** ORs `count` bits of `src` starting at bit `from` into `dst` at bit `to` (dst bits start cleared). */
export function copyBits(src: Uint8Array, from: number, dst: Uint8Array, to: number, count: number): void {
  if (count <= 0) return;
  if ((from & 7) === 0 && (to & 7) === 0) {
    const whole = count >> 3;
    dst.set(src.subarray(from >> 3, (from >> 3) + whole), to >> 3);
    for (let i = whole * 8; i < count; i++) if (getBit(src, from + i)) setBit(dst, to + i);
    return;
  }
  const shift = to & 7;
  if ((from & 7) === 0 && count >= 16) {
    // Source byte aligned: spread each source byte over two destination bytes.
    const whole = count >> 3;
    let d = to >> 3;
    const s0 = from >> 3;
    for (let k = 0; k < whole; k++, d++) {
      const byte = src[s0 + k]!;
      dst[d]! |= (byte << shift) & 0xff;
      dst[d + 1]! |= byte >> (8 - shift);
    }
    for (let i = whole * 8; i < count; i++) if (getBit(src, from + i)) setBit(dst, to + i);
    return;
  }
  for (let i = 0; i < count; i++) if (getBit(src, from + i)) setBit(dst, to + i);
}
