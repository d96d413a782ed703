/**
 * Releasing a byte stream, whatever state it is in. Internal.
 *
 * @module
 */

import type { ByteStream } from "./byte_stream.ts";

/** Cancels the readable, aborts the writable, calls `close()`; never throws. */
export async function closeQuietly(stream: ByteStream): Promise<void> {
  await Promise.allSettled([
    stream.readable.cancel().catch(() => {}),
    stream.writable.abort().catch(() => {}),
  ]);
  try {
    await stream.close?.();
  } catch {
    // Already closed.
  }
}
