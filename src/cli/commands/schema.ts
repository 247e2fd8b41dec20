import type { Command } from '../command.js';
import { parseCommandArgs, intOption } from '../args.js';
import { openDatasetArg } from '../open.js';
import { renderTable, toJson, writeLine } from '../output.js';
import { isBlobV2Field, walkFields, BLOB_INLINE_THRESHOLD_KEY, BLOB_DEDICATED_THRESHOLD_KEY, BLOB_PACK_FILE_THRESHOLD_KEY, type LanceField } from '../../format/schema.js';

function depthOf(fields: LanceField[]): Map<number, number> {
  const depth = new Map<number, number>();
  const visit = (f: LanceField, d: number) => {
    depth.set(f.id, d);
    f.children.forEach((c) => visit(c, d + 1));
  };
  fields.forEach((f) => visit(f, 0));
  return depth;
}

function blobThresholds(f: LanceField): Record<string, string> | undefined {
  if (!isBlobV2Field(f)) return undefined;
  return {
    inline: f.metadata[BLOB_INLINE_THRESHOLD_KEY] ?? '65536 (default)',
    dedicated: f.metadata[BLOB_DEDICATED_THRESHOLD_KEY] ?? '4194304 (default)',
    packFile: f.metadata[BLOB_PACK_FILE_THRESHOLD_KEY] ?? '1073741824 (default)',
  };
}

export const schemaCommand: Command = {
  path: ['schema'],
  usage: 'lancet schema DATASET [--version N] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { version: { type: 'string' } }, ['DATASET']);
    const ds = await openDatasetArg(positionals[0]!, intOption(values, 'version'));
    const depth = depthOf(ds.schema.fields);
    const fields = [...walkFields(ds.schema.fields)].map((f) => ({
      id: f.id,
      name: f.name,
      path: f.name,
      depth: depth.get(f.id) ?? 0,
      type: f.logicalType,
      nullable: f.nullable,
      metadata: f.metadata,
      blobThresholds: blobThresholds(f),
    }));
    if (values.json) {
      writeLine(io, toJson({ version: ds.version, fields, metadata: ds.schema.metadata }));
      return 0;
    }
    const rows = fields.map((f) => [
      f.id,
      '  '.repeat(f.depth) + f.name,
      f.type,
      f.nullable ? 'yes' : 'no',
      [
        ...Object.entries(f.metadata).map(([k, v]) => `${k}=${v}`),
        ...(f.blobThresholds ? [`thresholds inline=${f.blobThresholds.inline} dedicated=${f.blobThresholds.dedicated} pack=${f.blobThresholds.packFile}`] : []),
      ].join('; '),
    ]);
    writeLine(io, renderTable(['id', 'field', 'type', 'nullable', 'metadata'], rows, io));
    return 0;
  },
};
