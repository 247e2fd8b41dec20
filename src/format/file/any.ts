// Lance stores page and column encodings as google.protobuf.Any inside DirectEncoding bytes.
// Lance (prost) writes type URLs as "/<full message name>" with no domain, so we build and
// parse the Any ourselves instead of using the wkt helpers (which expect a domain).
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { LanceFormatError } from '../../errors.js';

export const PAGE_LAYOUT_URL = '/lance.encodings21.PageLayout';
export const COLUMN_ENCODING_URL = '/lance.encodings.ColumnEncoding';
export const LEGACY_ARRAY_ENCODING_URL = '/lance.encodings.ArrayEncoding';

/** Serialized Any wrapping `msg` with Lance's slash-prefixed type URL. */
export function packAny<D extends DescMessage>(schema: D, msg: MessageShape<D>): Uint8Array {
  return toBinary(AnySchema, create(AnySchema, { typeUrl: `/${schema.typeName}`, value: toBinary(schema, msg) }));
}

/** Parses Any bytes and checks the type URL (with or without a domain) names `schema`'s type. */
export function unpackAny<D extends DescMessage>(
  schema: D,
  bytes: Uint8Array,
  where: { path?: string; offset?: number } = {},
): MessageShape<D> {
  let any;
  try {
    any = fromBinary(AnySchema, bytes);
  } catch (e) {
    throw new LanceFormatError('BAD_PROTOBUF', `encoding is not a valid google.protobuf.Any: ${(e as Error).message}`, where, { cause: e });
  }
  const name = any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
  if (name !== schema.typeName) {
    const code = any.typeUrl === LEGACY_ARRAY_ENCODING_URL ? 'UNSUPPORTED_VERSION' : 'UNSUPPORTED_ENCODING';
    throw new LanceFormatError(code, `expected an Any of ${schema.typeName}, found type URL "${any.typeUrl}"`, where);
  }
  try {
    return fromBinary(schema, any.value);
  } catch (e) {
    throw new LanceFormatError('BAD_PROTOBUF', `cannot decode ${schema.typeName}: ${(e as Error).message}`, where, { cause: e });
  }
}

/** Column-level encoding Lance writes for every 2.1+ column: ColumnEncoding{values: Empty}. */
export function columnEncodingAny(): Uint8Array {
  // ColumnEncoding is a 2.0 message we have no generated schema for; its bytes are `0a 00`.
  return toBinary(AnySchema, create(AnySchema, { typeUrl: COLUMN_ENCODING_URL, value: new Uint8Array([0x0a, 0x00]) }));
}
