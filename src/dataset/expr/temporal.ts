// Date and timestamp text <-> epoch numbers, shared by literals and casts. Timestamps are
// naive (no zone) or UTC; an explicit offset is applied so the result is always UTC.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Days since the epoch, or undefined when `text` is not a valid `YYYY-MM-DD` date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = validUtc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0);
  return ms === undefined ? undefined : ms / 86_400_000;
}

/** Microseconds since the epoch, or undefined when `text` is not a valid timestamp. */
export function parseTimestamp(text: string): bigint | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = validUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  if (ms === undefined) return undefined;
  const frac = BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  let micros = BigInt(ms) * 1000n + frac;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1n : 1n;
    const offsetMin = BigInt(Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
    micros -= sign * offsetMin * 60_000_000n;
  }
  return micros;
}

function validUtc(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  back.setUTCHours(h, mi, s, 0);
  const ms = back.getTime();
  // Date.UTC rolls 2021-02-30 over to March; reject instead.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms;
}
