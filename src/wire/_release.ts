/**
 * Releasing a byte stream, whatever state it is in. Internal.
 *
 * @module
 */

import type { ByteStream } from "./byte_stream.ts";

/** Cancels the readable, aborts the writable, calls `close()`; never throws. */
export async function closeQuietly(stream: ByteStream): Promise<void> {
  // An abort waits for a write in flight: not awaited, as a peer that
  // stopped reading never lets one finish.
  stream.writable.abort().catch(() => {});
  await stream.readable.cancel().catch(() => {});
  try {
    await stream.close?.();
  } catch {
    // Already closed.
  }
}
