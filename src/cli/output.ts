// Output conventions shared by the subcommands: exact JSON (64-bit numbers as strings when
// they exceed 2^53), NDJSON for listings, aligned tables on a TTY, colour only on a TTY.
import pc from 'picocolors';
import type { CliIo } from './command.js';

/** JSON.stringify that keeps 64-bit integers exact: safe bigints as numbers, others as strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
      if (v instanceof Map) return Object.fromEntries(v);
      return v;
    },
    indent,
  );
}

export function useColour(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

export function colours(io: CliIo) {
  return pc.createColors(useColour(io));
}

export function writeLine(io: CliIo, line = ''): void {
  io.stdout.write(line + '\n');
}

/** Renders rows as an aligned text table; numbers right-aligned. */
export function renderTable(headers: string[], rows: unknown[][], io?: CliIo): string {
  const cells = rows.map((r) => r.map((c) => cellText(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || typeof r[i] === 'bigint' || r[i] == null));
  const c = io ? colours(io) : pc.createColors(false);
  const fmt = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [c.bold(fmt(headers)), c.dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...cells.map(fmt)];
  return out.join('\n');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  return toJson(v);
}

export function formatBytes(n: number | bigint): string {
  const x = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = x;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${x} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}
