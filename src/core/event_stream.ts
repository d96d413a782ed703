/**
 * Event streams: a value source you can both subscribe to with a callback and
 * iterate with `for await`. {@linkcode ReconnectingWebSocket.messages} is one;
 * the state stream in `state_stream.ts` builds on it.
 *
 * Delivery is synchronous and in order. A value emitted from inside a
 * listener is queued and delivered after the current one has reached every
 * listener, so no listener ever hears values out of order.
 *
 * @module
 */

import { checkFunction, checkKeys } from "./_options.ts";

/**
 * A callback that receives each value of a stream.
 *
 * @example A listener for a socket's messages
 * ```ts
 * import { type Listener, type MessageData, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: fake.WebSocket });
 * const heard: MessageData[] = [];
 * const listener: Listener<MessageData> = (data) => heard.push(data);
 * socket.messages.subscribe(listener);
 * fake.last.open();
 * fake.last.receive("hello");
 * assert.deepEqual(heard, ["hello"]);
 * ```
 */
export type Listener<T> = (value: T) => void;

/**
 * Options for {@linkcode EventStream.subscribe}.
 *
 * @example Unsubscribing with an AbortSignal
 * ```ts
 * import { ReconnectingWebSocket, type SubscribeOptions } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: fake.WebSocket });
 * const controller = new AbortController();
 * const options: SubscribeOptions = { signal: controller.signal };
 * const heard: unknown[] = [];
 * socket.messages.subscribe((data) => heard.push(data), options);
 * fake.last.open();
 * fake.last.receive("one");
 * controller.abort();
 * fake.last.receive("two");
 * assert.deepEqual(heard, ["one"]);
 * ```
 */
export interface SubscribeOptions {
  /** Unsubscribes the listener when aborted. */
  signal?: AbortSignal;
}

/**
 * A stream of values: subscribe with a callback, or iterate it with
 * `for await`. An iterator hears every value emitted after it was created,
 * even before its first `next()` call; it ends when the stream ends, and
 * `break` (its `return()`) detaches it.
 *
 * @typeParam T The type of the values.
 *
 * @example Iterating a socket's messages until it closes
 * ```ts
 * import { type EventStream, type MessageData, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * const socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: fake.WebSocket });
 * const stream: EventStream<MessageData> = socket.messages;
 * const collected = Array.fromAsync(stream);
 * fake.last.open();
 * fake.last.receive("a");
 * fake.last.receive("b");
 * await socket.close();
 * assert.deepEqual(await collected, ["a", "b"]);
 * ```
 */
export interface EventStream<T> extends AsyncIterable<T> {
  /**
   * Calls `listener` with every value emitted from now on.
   *
   * @returns A function that unsubscribes; calling it twice is harmless.
   */
  subscribe(listener: Listener<T>, options?: SubscribeOptions): () => void;
  /** Iterates the values emitted from now on; see {@linkcode EventStream}. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}

/**
 * Options for {@linkcode Emitter}.
 *
 * @example Collecting what listeners throw
 * ```ts
 * import { Emitter, type EmitterOptions } from "./event_stream.ts";
 * import assert from "node:assert/strict";
 *
 * const errors: unknown[] = [];
 * const options: EmitterOptions = { onError: (error) => errors.push(error) };
 * const emitter = new Emitter<number>(options);
 * emitter.subscribe(() => {
 *   throw new Error("boom");
 * });
 * emitter.emit(1);
 * assert.equal((errors[0] as Error).message, "boom");
 * ```
 */
export interface EmitterOptions {
  /**
   * Receives what a listener threw. The other listeners are called anyway.
   * The default rethrows it from a microtask, as `EventTarget` reports a
   * throwing listener: the error is not swallowed, and it cannot break the
   * emitter's caller.
   * @default {(error) => queueMicrotask(() => { throw error; })}
   */
  onError?: (error: unknown) => void;
}

interface Subscription<T> {
  listener: Listener<T>;
  /** The ticket of the last item queued before it subscribed. */
  since: number;
}

type Pending<T> =
  | { end: false; ticket: number; value: T }
  | { end: true; ticket: number };

/**
 * The writable side of an {@linkcode EventStream}: the owner calls
 * {@linkcode Emitter.emit} and hands out the emitter typed as the read-only
 * `EventStream`. {@linkcode Emitter.end} ends the iterators that are open now
 * but keeps the stream usable; {@linkcode Emitter.close} ends it for good.
 * It is the library's one event system, used inside it and not part of the
 * public API: users see only `EventStream`s.
 *
 * Async iterators buffer values their consumer has not taken yet, without a
 * limit; a consumer that falls behind for good should use `subscribe`.
 *
 * @typeParam T The type of the values.
 *
 * @example Subscribing and iterating
 * ```ts
 * import { Emitter, type EventStream } from "./event_stream.ts";
 * import assert from "node:assert/strict";
 *
 * const emitter = new Emitter<number>();
 * const stream: EventStream<number> = emitter;
 * const heard: number[] = [];
 * const unsubscribe = stream.subscribe((n) => heard.push(n));
 * const iterator = stream[Symbol.asyncIterator]();
 * emitter.emit(1);
 * emitter.emit(2);
 * unsubscribe();
 * emitter.emit(3);
 * emitter.close();
 * assert.deepEqual(heard, [1, 2]);
 * const iterated: number[] = [];
 * for await (const n of { [Symbol.asyncIterator]: () => iterator }) {
 *   iterated.push(n);
 * }
 * assert.deepEqual(iterated, [1, 2, 3]);
 * ```
 */
export class Emitter<T> implements EventStream<T> {
  #subscriptions: Subscription<T>[] = [];
  #iterators: Set<StreamIterator<T>> = new Set();
  #onError: (error: unknown) => void;
  #ticket = 0;
  #queue: Pending<T>[] = [];
  #delivering = false;
  #closed = false;

  /**
   * Creates an emitter with no listeners.
   *
   * @param options See {@linkcode EmitterOptions}.
   */
  constructor(options: EmitterOptions = {}) {
    checkKeys("Emitter", options, ["onError"]);
    const { onError = rethrowLater } = options;
    this.#onError = checkFunction("Emitter", "onError", onError);
  }

  /** Whether {@linkcode Emitter.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The number of listeners and iterators attached. */
  get listenerCount(): number {
    return this.#subscriptions.length;
  }

  /** Sends `value` to every listener and iterator; ignored once closed. */
  emit(value: T): void {
    if (this.#closed) return;
    const ticket = ++this.#ticket;
    if (this.#delivering) {
      this.#queue.push({ end: false, ticket, value });
      return;
    }
    // Not inside a delivery: the queue is empty, so the value goes straight
    // to the listeners, with no queue entry made for it.
    this.#delivering = true;
    // #deliver never throws: a listener's error goes to #report.
    this.#deliver(ticket, value);
    this.#delivering = false;
    if (this.#queue.length > 0) this.#drain();
  }

  /**
   * Ends the iterators open now, after the values already emitted reach
   * them. Listeners stay subscribed, and iterators created later work as
   * usual.
   */
  end(): void {
    if (this.#closed) return;
    this.#queue.push({ end: true, ticket: ++this.#ticket });
    this.#drain();
  }

  /**
   * Emits `value`, then ends the iterators open now: they yield `value` as
   * their last item, even if a listener emits more in response.
   */
  finish(value: T): void {
    if (this.#closed) return;
    this.#queue.push({ end: false, ticket: ++this.#ticket, value });
    this.#queue.push({ end: true, ticket: ++this.#ticket });
    this.#drain();
  }

  /**
   * Ends every iterator, detaches every listener and ignores later calls:
   * `subscribe` then does nothing and new iterators are done at once.
   */
  close(): void {
    if (this.#closed) return;
    this.end();
    this.#closed = true;
    this.#subscriptions = [];
  }

  /** {@inheritDoc EventStream.subscribe} */
  subscribe(listener: Listener<T>, options: SubscribeOptions = {}): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(
        `Cannot subscribe as 'listener' must be a function: current value is ${
          String(listener)
        }`,
      );
    }
    const { signal } = options;
    if (this.#closed || signal?.aborted) return noop;
    const subscription: Subscription<T> = {
      listener,
      since: this.#ticket,
    };
    this.#subscriptions = [...this.#subscriptions, subscription];
    const unsubscribe = (): void => {
      signal?.removeEventListener("abort", unsubscribe);
      this.#subscriptions = this.#subscriptions.filter((s) =>
        s !== subscription
      );
    };
    signal?.addEventListener("abort", unsubscribe, { once: true });
    return unsubscribe;
  }

  /** {@inheritDoc EventStream.[Symbol.asyncIterator]} */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this.iterate([]);
  }

  /**
   * Creates an iterator that yields `first` and then every value emitted
   * from now on. Meant for streams built on this one, such as a state stream
   * whose iterators start with the current state.
   */
  iterate(first: readonly T[]): AsyncIterableIterator<T> {
    let unsubscribe = noop;
    const iterator = new StreamIterator<T>(first, this.#ticket, () => {
      this.#iterators.delete(iterator);
      unsubscribe();
    });
    if (this.#closed) {
      iterator.finish();
      return iterator;
    }
    unsubscribe = this.subscribe((value) => iterator.push(value));
    this.#iterators.add(iterator);
    return iterator;
  }

  #drain(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
        if (item.end) {
          for (const iterator of this.#iterators) {
            if (iterator.since < item.ticket) iterator.finish();
          }
          continue;
        }
        this.#deliver(item.ticket, item.value);
      }
    } finally {
      this.#delivering = false;
    }
  }

  /** Calls the listeners subscribed before `ticket` with `value`. */
  #deliver(ticket: number, value: T): void {
    // An indexed loop over the array of now (subscribing replaces it, never
    // changes it): no iterator per value, on the path of every message.
    const subscriptions = this.#subscriptions;
    for (let i = 0; i < subscriptions.length; i++) {
      const { listener, since } = subscriptions[i];
      if (since >= ticket) continue;
      try {
        listener(value);
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    try {
      this.#onError(error);
    } catch (secondError) {
      rethrowLater(secondError);
    }
  }
}

class StreamIterator<T> implements AsyncIterableIterator<T> {
  #values: T[];
  #waiting: ((result: IteratorResult<T>) => void)[] = [];
  #done = false;
  #detach: () => void;
  readonly since: number;

  constructor(first: readonly T[], since: number, detach: () => void) {
    this.#values = [...first];
    this.since = since;
    this.#detach = detach;
  }

  push(value: T): void {
    if (this.#done) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ done: false, value });
    else this.#values.push(value);
  }

  finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#detach();
    for (const waiter of this.#waiting.splice(0)) {
      waiter({ done: true, value: undefined });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#values.length > 0) {
      return Promise.resolve({ done: false, value: this.#values.shift()! });
    }
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    this.#values = [];
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/** Does nothing: the listener of a stream nobody handles. Internal. */
export function noop(): void {}

/**
 * Throws `error` from a microtask: an error nobody handles is reported as
 * uncaught, without breaking the emit that found it. Internal.
 */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
