/**
 * A bounded send buffer: a ring of messages limited both in count and in
 * bytes, with a choice of what happens when it is full.
 *
 * @module
 */

import {
  checkFunction,
  checkKeys,
  checkNumber,
  checkOneOf,
} from "./_options.ts";
import { byteLength } from "./byte_length.ts";
import { CodedError } from "./coded_error.ts";
import type { MessageBuffer } from "./message_buffer.ts";

export { CodedError } from "./coded_error.ts";
export type { MessageBuffer } from "./message_buffer.ts";

/**
 * What a {@linkcode RingBuffer} does with a new item when it is full:
 *
 * - `"drop-oldest"`: evicts the oldest items until the new one fits.
 * - `"drop-newest"`: refuses the new item; `push` returns `false`.
 * - `"reject"`: throws a {@linkcode BufferFullError}.
 *
 * @example Refusing new items instead of evicting old ones
 * ```ts
 * import { type OverflowPolicy, RingBuffer } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const overflow: OverflowPolicy = "drop-newest";
 * const buffer = new RingBuffer<string>({ capacity: 1, overflow });
 * assert.equal(buffer.push("a"), true);
 * assert.equal(buffer.push("b"), false);
 * assert.deepEqual([...buffer], ["a"]);
 * ```
 */
export type OverflowPolicy = "drop-oldest" | "drop-newest" | "reject";

/**
 * Why {@linkcode RingBufferOptions.onDrop} was called: `"evicted"` for an
 * item removed to make room, `"refused"` for an item that was never accepted.
 *
 * @example Counting drops by reason
 * ```ts
 * import { type DropReason, RingBuffer } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const reasons: DropReason[] = [];
 * const buffer = new RingBuffer<string>({
 *   maxBytes: 3,
 *   onDrop: (_item, reason) => reasons.push(reason),
 * });
 * buffer.push("ab");
 * buffer.push("cd"); // evicts "ab" to fit
 * buffer.push("too long"); // larger than maxBytes on its own
 * assert.deepEqual(reasons, ["evicted", "refused"]);
 * ```
 */
export type DropReason = "evicted" | "refused";

/**
 * The types a WebSocket can send, the default item type of a
 * {@linkcode RingBuffer}.
 *
 * @example Buffering text and binary messages together
 * ```ts
 * import { RingBuffer, type WebSocketData } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const messages: WebSocketData[] = ["hi", new Uint8Array([1, 2, 3])];
 * const buffer = new RingBuffer();
 * for (const message of messages) buffer.push(message);
 * assert.equal(buffer.bytes, 5);
 * ```
 */
export type WebSocketData = string | ArrayBufferLike | ArrayBufferView | Blob;

/**
 * Options for {@linkcode RingBuffer}. The defaults are 1000 items, 1 MiB,
 * `"drop-oldest"` and {@linkcode byteLength} as the measure.
 *
 * @typeParam T The type of the items.
 *
 * @example Limiting a buffer of objects by a custom size
 * ```ts
 * import { RingBuffer, type RingBufferOptions } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * type Job = { id: number; cost: number };
 * const options: RingBufferOptions<Job> = { maxBytes: 10, sizeOf: (job) => job.cost };
 * const buffer = new RingBuffer(options);
 * buffer.push({ id: 1, cost: 6 });
 * buffer.push({ id: 2, cost: 6 }); // evicts job 1
 * assert.deepEqual([...buffer].map((job) => job.id), [2]);
 * assert.equal(buffer.bytes, 6);
 * ```
 */
export interface RingBufferOptions<T> {
  /**
   * The most items held at once; a positive integer or `Infinity`.
   * @default {1000}
   */
  capacity?: number;
  /**
   * The most bytes held at once, as measured by `sizeOf`; non-negative, may
   * be `Infinity`.
   * @default {1048576}
   */
  maxBytes?: number;
  /**
   * What to do with a new item when the buffer is full.
   * @default {"drop-oldest"}
   */
  overflow?: OverflowPolicy;
  /**
   * Called with every item that is evicted or refused, so that nothing is
   * lost silently. Not called by `clear()`, nor when `"reject"` throws. It
   * runs inside `push`, after the buffer has been updated.
   */
  onDrop?: (item: T, reason: DropReason) => void;
  /**
   * Measures an item in bytes; must return a non-negative finite number.
   * The default, {@linkcode byteLength}, counts strings in UTF-8, binary
   * data by `byteLength`, `Blob`s by `size`, and anything else as 0.
   * @default {byteLength}
   */
  sizeOf?: (item: T) => number;
}

/**
 * Thrown by {@linkcode RingBuffer.push} when the buffer is full and its
 * overflow policy is `"reject"`. The buffer is unchanged.
 *
 * @example Switching on the code
 * ```ts
 * import { BufferFullError, RingBuffer } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const buffer = new RingBuffer<string>({ capacity: 1, overflow: "reject" });
 * buffer.push("a");
 * assert.throws(() => buffer.push("b"), (error: unknown) =>
 *   error instanceof BufferFullError && error.code === "buffer_full");
 * ```
 */
export class BufferFullError extends CodedError<"buffer_full"> {
  /**
   * Creates the error; the buffer supplies a message with its limits.
   *
   * @param message What was full.
   * @param options The standard error options, such as `cause`.
   */
  constructor(message = "The buffer is full", options?: ErrorOptions) {
    super("buffer_full", message, options);
    this.name = "BufferFullError";
  }
}

const KEYS = ["capacity", "maxBytes", "overflow", "onDrop", "sizeOf"];

const POLICIES: readonly OverflowPolicy[] = [
  "drop-oldest",
  "drop-newest",
  "reject",
];

/**
 * A first-in, first-out buffer bounded by item count and total bytes, with
 * O(1) `push` and `shift`. Storage grows as needed up to `capacity`. The
 * default limits are 1000 items and 1 MiB; when full it evicts the oldest
 * items.
 *
 * @typeParam T The type of the items; WebSocket data by default.
 *
 * @example Keeping the newest messages
 * ```ts
 * import { type DropReason, RingBuffer } from "@lifeline/realtime/buffer";
 * import assert from "node:assert/strict";
 *
 * const dropped: [string, DropReason][] = [];
 * const buffer = new RingBuffer<string>({
 *   capacity: 2,
 *   onDrop: (item, reason) => dropped.push([item, reason]),
 * });
 * buffer.push("a");
 * buffer.push("b");
 * buffer.push("c");
 * assert.deepEqual([...buffer], ["b", "c"]);
 * assert.deepEqual(dropped, [["a", "evicted"]]);
 * assert.equal(buffer.bytes, 2);
 * ```
 */
export class RingBuffer<T = WebSocketData> implements MessageBuffer<T> {
  #capacity: number;
  #maxBytes: number;
  #overflow: OverflowPolicy;
  #onDrop: ((item: T, reason: DropReason) => void) | undefined;
  #sizeOf: (item: T) => number;
  #items: (T | undefined)[];
  #sizes: number[];
  #head = 0;
  #size = 0;
  #bytes = 0;

  /**
   * Creates an empty buffer.
   *
   * @param options The limits and policy; see {@linkcode RingBufferOptions}.
   */
  constructor(options: RingBufferOptions<T> = {}) {
    checkKeys("RingBuffer", options, KEYS);
    const {
      capacity = 1000,
      maxBytes = 1_048_576,
      overflow = "drop-oldest",
      onDrop,
      sizeOf = byteLength,
    } = options;
    // Two checks for two messages: 0 "must be positive", 2.5 "an integer".
    checkNumber("RingBuffer", "capacity", capacity, { positive: true });
    this.#capacity = checkNumber("RingBuffer", "capacity", capacity, {
      integer: true,
      allowInfinity: true,
    });
    this.#maxBytes = checkNumber("RingBuffer", "maxBytes", maxBytes, {
      min: 0,
    });
    this.#overflow = checkOneOf("RingBuffer", "overflow", overflow, POLICIES);
    this.#onDrop = checkFunction("RingBuffer", "onDrop", onDrop, true);
    this.#sizeOf = checkFunction("RingBuffer", "sizeOf", sizeOf);
    const initial = Math.min(capacity, 16);
    this.#items = new Array(initial);
    this.#sizes = new Array(initial);
  }

  /** The most items held at once. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The most bytes held at once. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** The number of items held. */
  get size(): number {
    return this.#size;
  }

  /** The total size in bytes of the items held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Appends an item, applying the overflow policy if it does not fit.
   * An item larger than `maxBytes` on its own never fits: it is refused
   * (or, with `"reject"`, throws) and nothing is evicted for it.
   *
   * @param item The item to append.
   * @returns `true` if the item was accepted, `false` if it was refused.
   * @throws {BufferFullError} If the item does not fit and the policy is `"reject"`.
   * @throws {RangeError} If `sizeOf` returns a negative or non-finite number.
   */
  push(item: T): boolean {
    const size = this.#sizeOf(item);
    if (!(size >= 0 && size < Infinity)) {
      throw new RangeError(
        `Cannot push to RingBuffer as 'sizeOf' must return a non-negative finite number: current value is ${size}`,
      );
    }
    if (this.#size >= this.#capacity || this.#bytes + size > this.#maxBytes) {
      if (this.#overflow === "reject") {
        throw new BufferFullError(
          `Cannot push to RingBuffer as it is full: ${this.#size} of ${this.#capacity} items, ${this.#bytes} + ${size} of ${this.#maxBytes} bytes`,
        );
      }
      if (this.#overflow === "drop-newest" || size > this.#maxBytes) {
        this.#onDrop?.(item, "refused");
        return false;
      }
      while (
        this.#size >= this.#capacity || this.#bytes + size > this.#maxBytes
      ) {
        const evicted = this.#removeHead();
        this.#onDrop?.(evicted, "evicted");
      }
    }
    if (this.#size === this.#items.length) this.#grow();
    const index = (this.#head + this.#size) % this.#items.length;
    this.#items[index] = item;
    this.#sizes[index] = size;
    this.#size++;
    this.#bytes += size;
    return true;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    return this.#size === 0 ? undefined : this.#removeHead();
  }

  /** Returns the oldest item without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes every item, without calling `onDrop`. */
  clear(): void {
    const initial = Math.min(this.#capacity, 16);
    this.#items = new Array(initial);
    this.#sizes = new Array(initial);
    this.#head = 0;
    this.#size = 0;
    this.#bytes = 0;
  }

  /** Yields the items oldest first, without removing them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#size; i++) {
      yield this.#items[(this.#head + i) % this.#items.length] as T;
    }
  }

  #removeHead(): T {
    const head = this.#head;
    const item = this.#items[head] as T;
    this.#items[head] = undefined;
    this.#bytes -= this.#sizes[head];
    this.#head = (head + 1) % this.#items.length;
    this.#size--;
    if (this.#size === 0) {
      this.#head = 0;
      // Floating-point sizes could leave a residue; an empty buffer holds 0.
      this.#bytes = 0;
    }
    return item;
  }

  #grow(): void {
    const length = this.#items.length;
    const grown = Math.min(this.#capacity, Math.max(16, length * 2));
    const items: (T | undefined)[] = new Array(grown);
    const sizes: number[] = new Array(grown);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) % length;
      items[i] = this.#items[from];
      sizes[i] = this.#sizes[from];
    }
    this.#items = items;
    this.#sizes = sizes;
    this.#head = 0;
  }
}
