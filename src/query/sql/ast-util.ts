// Small readers over the parser's JSON AST (single-key `{ Variant: payload }` objects).
import { SqlError } from '../../errors.js';

export type Node = unknown;
export type Obj = Record<string, unknown>;

/** [variant name, payload] of a node; bare strings are payload-less variants. */
export function variant(node: Node): [string, unknown] {
  if (typeof node === 'string') return [node, undefined];
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1) return [keys[0]!, (node as Obj)[keys[0]!]];
  }
  throw new SqlError('UNSUPPORTED_SQL', `unrecognised SQL construct ${JSON.stringify(node)?.slice(0, 80)}`);
}

export function unsupported(what: string): never {
  throw new SqlError('UNSUPPORTED_SQL', `unsupported SQL: ${what}`, { construct: what });
}

export function identValue(id: unknown): string {
  return String((id as Obj).value);
}

/** Parts of an ObjectName (`lance.db.products` -> ['lance', 'db', 'products']). */
export function objectNameParts(name: unknown): string[] {
  return (name as unknown[]).map((p) => {
    const [k, v] = variant(p);
    if (k !== 'Identifier') unsupported(`name part ${k}`);
    return identValue(v);
  });
}

/** First source position found inside a node, for pointing at a construct in messages. */
export function firstSpan(node: unknown): { line: number; column: number } | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const o = node as Obj;
  const span = o.span as { start?: { line: number; column: number } } | undefined;
  if (span?.start && span.start.line > 0) return span.start;
  for (const v of Object.values(o)) {
    const s = firstSpan(v);
    if (s) return s;
  }
  return undefined;
}

/** A number literal node as a JS number (LIMIT, OFFSET, VERSION AS OF). */
export function intLiteral(node: Node, what: string): number {
  const [k, v] = variant(node);
  if (k === 'Value') {
    const [vk, vv] = variant((v as Obj).value);
    if (vk === 'Number') {
      const n = Number((vv as unknown[])[0]);
      if (Number.isInteger(n) && n >= 0) return n;
    }
  }
  throw new SqlError('INVALID_LITERAL', `${what} must be a non-negative integer literal`);
}

/** Splits a conjunction into its AND-ed parts. */
export function conjuncts<T extends { kind: string }>(e: T | undefined): T[] {
  if (!e) return [];
  const b = e as unknown as { kind: string; op?: string; left?: T; right?: T };
  if (b.kind === 'binary' && b.op === 'and') return [...conjuncts(b.left), ...conjuncts(b.right)];
  return [e];
}
