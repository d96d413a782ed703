/**
 * The interface of a send buffer: where a socket keeps messages while it is
 * disconnected, to flush them in order when it is back. `RingBuffer`, exported
 * with this interface from `@lifeline/realtime/buffer`, is the bounded
 * implementation.
 *
 * @module
 */

/**
 * A first-in, first-out queue of messages with a running byte count.
 * Iteration yields the items oldest first without removing them.
 *
 * @typeParam T The type of the items.
 *
 * @example Draining a buffer
 * ```ts
 * import { type MessageBuffer, RingBuffer } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const buffer: MessageBuffer<string> = new RingBuffer<string>();
 * buffer.push("a");
 * buffer.push("b");
 * const sent: string[] = [];
 * for (let item = buffer.shift(); item !== undefined; item = buffer.shift()) {
 *   sent.push(item);
 * }
 * assert.deepEqual(sent, ["a", "b"]);
 * assert.equal(buffer.size, 0);
 * ```
 */
export interface MessageBuffer<T> extends Iterable<T> {
  /**
   * Appends an item. Returns `false` if the buffer refused it (it was full
   * and its policy drops new items).
   */
  push(item: T): boolean;
  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined;
  /** Returns the oldest item without removing it, or `undefined` when empty. */
  peek(): T | undefined;
  /** The number of items held. */
  readonly size: number;
  /** The total size in bytes of the items held. */
  readonly bytes: number;
  /** Removes every item. */
  clear(): void;
}
