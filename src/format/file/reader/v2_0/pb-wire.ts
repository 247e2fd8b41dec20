// A schema-less protobuf reader for the 2.0 page encodings (ArrayEncoding trees) and the legacy
// v1 file metadata: lancet's generated protos cover only the messages 2.1+ files still carry,
// and these older trees are walked once per page, so a field-number view is enough.
import { LanceFormatError } from '../../../../errors.js';

/** One decoded message: field number -> its values in wire order (varints as bigint, the rest as bytes). */
export type PbMessage = Map<number, Array<bigint | Uint8Array>>;

export function decodePbMessage(bytes: Uint8Array, where: { path: string; offset: number }): PbMessage {
  const out: PbMessage = new Map();
  let p = 0;
  const fail = (why: string): never => {
    throw new LanceFormatError('BAD_PROTOBUF', `cannot decode protobuf message: ${why} at byte ${p} of ${bytes.length}`, where);
  };
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (p >= bytes.length) fail('truncated varint');
      const b = bytes[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
      if (shift > 63n) fail('varint longer than 10 bytes');
    }
  };
  while (p < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: bigint | Uint8Array;
    switch (wire) {
      case 0:
        value = varint();
        break;
      case 1:
        if (p + 8 > bytes.length) fail('truncated fixed64');
        value = bytes.subarray(p, p + 8);
        p += 8;
        break;
      case 2: {
        const n = Number(varint());
        if (p + n > bytes.length) fail(`length ${n} past the end`);
        value = bytes.subarray(p, p + n);
        p += n;
        break;
      }
      case 5:
        if (p + 4 > bytes.length) fail('truncated fixed32');
        value = bytes.subarray(p, p + 4);
        p += 4;
        break;
      default:
        return fail(`unsupported wire type ${wire}`);
    }
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

export function pbUint(m: PbMessage, field: number, dflt = 0n): bigint {
  const v = m.get(field);
  const last = v?.[v.length - 1];
  return typeof last === 'bigint' ? last : dflt;
}

export function pbNum(m: PbMessage, field: number, dflt = 0): number {
  return Number(pbUint(m, field, BigInt(dflt)));
}

export function pbBytes(m: PbMessage, field: number): Uint8Array | undefined {
  const v = m.get(field);
  const last = v?.[v.length - 1];
  return last instanceof Uint8Array ? last : undefined;
}

export function pbString(m: PbMessage, field: number): string {
  const b = pbBytes(m, field);
  return b ? new TextDecoder().decode(b) : '';
}

/** All length-delimited values of a repeated message/bytes field. */
export function pbRepeatedBytes(m: PbMessage, field: number): Uint8Array[] {
  return (m.get(field) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array);
}

/** Repeated integers, packed or not. */
export function pbRepeatedUint(m: PbMessage, field: number): bigint[] {
  const out: bigint[] = [];
  for (const v of m.get(field) ?? []) {
    if (typeof v === 'bigint') out.push(v);
    else {
      let p = 0;
      while (p < v.length) {
        let x = 0n;
        let shift = 0n;
        for (;;) {
          const b = v[p++]!;
          x |= BigInt(b & 0x7f) << shift;
          if ((b & 0x80) === 0) break;
          shift += 7n;
        }
        out.push(x);
      }
    }
  }
  return out;
}

export function pbSub(m: PbMessage, field: number, where: { path: string; offset: number }): PbMessage | undefined {
  const b = pbBytes(m, field);
  return b === undefined ? undefined : decodePbMessage(b, where);
}
