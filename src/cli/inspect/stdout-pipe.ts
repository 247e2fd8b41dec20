// A reader that goes away (`lancet blobs … | head`) closes the pipe under us: writes then fail
// with EPIPE. That is the reader's choice, not an error: stop writing and exit normally.
import type { CliIo } from '../command.js';

export interface PipeGuard {
  /** True once stdout is gone. */
  readonly closed: boolean;
  /** Removes the listener; rethrows a write error that was not EPIPE. */
  release(): void;
}

export function guardPipe(io: CliIo): PipeGuard {
  let error: (Error & { code?: string }) | undefined;
  const onError = (e: Error & { code?: string }) => {
    error ??= e;
  };
  io.stdout.on('error', onError);
  return {
    get closed() {
      return error !== undefined;
    },
    release() {
      io.stdout.off('error', onError);
      if (error && error.code !== 'EPIPE') throw error;
    },
  };
}
