// A one-line progress bar on stderr. Drawn only when stderr is a terminal, so pipes, logs and
// --json consumers never see carriage returns; redraws are throttled to keep output cheap.
import type { CliIo } from './command.js';

export interface Progress {
  /** Advance by `n` units (default 1), optionally naming the current item. */
  tick(n?: number, item?: string): void;
  /** Add units discovered after the start. */
  grow(n: number): void;
  /** Erase the bar. */
  done(): void;
}

const WIDTH = 24;
const FRAME_MS = 80;

export function progress(io: CliIo, label: string, total: number): Progress {
  const enabled = Boolean(io.stderr.isTTY) && io.env.TERM !== 'dumb';
  let done = 0;
  let last = 0;
  let drawn = false;
  const draw = (item?: string) => {
    const now = Date.now();
    if (now - last < FRAME_MS && done < total) return;
    last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const fill = Math.round(frac * WIDTH);
    const tail = item ? ` ${item.length > 40 ? '…' + item.slice(-39) : item}` : '';
    io.stderr.write(`\r\x1b[2K${label} [${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${done}/${total}${tail}`);
    drawn = true;
  };
  return {
    tick(n = 1, item) {
      done += n;
      if (enabled) draw(item);
    },
    grow(n) {
      total += n;
    },
    done() {
      if (enabled && drawn) io.stderr.write('\r\x1b[2K');
    },
  };
}
