/**
 * Releasing a byte stream, whatever state it is in. Internal.
 *
 * @module
 */

import type { Clock, TimerId } from "../core/clock.ts";
import type { ByteStream } from "./byte_stream.ts";

/** A connection's byte stream and the reader and writer it holds on it. */
export interface HeldStream {
  stream: ByteStream | undefined;
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
}

/**
 * Releases a connection's byte stream; with `flushFor`, after letting the
 * queued frames (the close frame last) go out for at most that many ms.
 */
export async function release(
  { stream, reader, writer }: HeldStream,
  clock: Clock,
  flushFor?: number,
): Promise<void> {
  if (flushFor !== undefined && writer !== undefined) {
    const flushed = writer.close().catch(() => {});
    let timer: TimerId | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, flushFor);
    });
    await Promise.race([flushed, timeout]);
    clock.clearTimeout(timer);
  }
  // An abort waits for a write in flight, which a peer that stopped
  // reading never finishes: it is not awaited.
  writer?.abort().catch(() => {});
  await Promise.allSettled([
    reader?.cancel().catch(() => {}),
    stream === undefined ? undefined : closeStream(stream),
  ]);
}

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
