// How big one read may be. Node's fs binding takes an int32 length (a larger one aborts the
// process instead of throwing), and one Buffer holds at most buffer.constants.MAX_LENGTH bytes.
import { constants as bufferConstants } from 'node:buffer';
import { InvalidInputError } from '../errors.js';

/** Largest length handed to one fs read call; bigger ranges are read in several calls. */
export const MAX_READ_CALL_BYTES = 1 << 30;

/**
 * Largest range read into memory at once: 2 GiB, or less where one Buffer holds less. A payload
 * that big is streamed, not held: filling a fresh multi-GiB buffer takes seconds to minutes of
 * page faults, and many JS APIs that receive it stop at 2^31 - 1.
 */
export const MAX_IN_MEMORY_READ_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 31);

/** Refuses an in-memory read of `bytes` that no Buffer could hold, pointing at streaming. */
export function assertFitsInMemory(bytes: number, where: string): void {
  if (bytes <= MAX_IN_MEMORY_READ_BYTES) return;
  throw new InvalidInputError(
    'READ_TOO_LARGE',
    `cannot read ${bytes} bytes of ${where} into memory at once (the limit is ${MAX_IN_MEMORY_READ_BYTES} bytes); ` +
      'stream it instead (fetchBlobFiles(...) then stream()/webStream(), or readRange() in pieces; ObjectStore.readStream)',
    { bytes, limit: MAX_IN_MEMORY_READ_BYTES, where },
  );
}

/** What readFully needs of a file handle (a FileHandle, or a fake in tests). */
export interface PositionalReader {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/**
 * Fills `out` from `position`, at most `maxCall` bytes per read call. Returns the bytes read:
 * fewer than `out.length` only when the file ended first.
 */
export async function readFully(fh: PositionalReader, out: Uint8Array, position: number, maxCall = MAX_READ_CALL_BYTES): Promise<number> {
  let done = 0;
  while (done < out.length) {
    const { bytesRead } = await fh.read(out, done, Math.min(maxCall, out.length - done), position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
