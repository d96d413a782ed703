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
  await closeStream(stream);
}

/** Calls the stream's `close()`, if it has one; never throws. */
export async function closeStream(stream: ByteStream): Promise<void> {
  try {
    await stream.close?.();
  } catch {
    // Already closed.
  }
}
