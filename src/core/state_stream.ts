/**
 * State streams: an event stream of a changing value that also remembers the
 * current one. {@linkcode ReconnectingWebSocket.connection} is one. A new
 * listener or iterator hears the current state first, and
 * {@linkcode StateStream.until} waits for a state that matches.
 *
 * @module
 */

import { checkFunction, checkKeys } from "./_options.ts";
import { type Clock, systemClock, type TimerId } from "./clock.ts";
import {
  Emitter,
  type EmitterOptions,
  type EventStream,
  type Listener,
  rethrowLater,
  type SubscribeOptions,
} from "./event_stream.ts";
import { WaitError } from "./wait_error.ts";

/**
 * Options for {@linkcode StateStream.until}. By default a wait has no time
 * limit and cannot be aborted.
 *
 * @example Giving up after a timeout on a fake clock
 * ```ts
 * import { ReconnectingWebSocket, type UntilOptions, WaitError } from "@lifeline/realtime";
 * import { FakeWebSocket, fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock = fromFakeTimers(createClock());
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket, // never opens
 *   clock,
 * });
 * const options: UntilOptions = { timeout: 1000, clock };
 * const wait = socket.connection.until((state) => state.type === "connected", options);
 * clock.tick(1000);
 * await assert.rejects(wait, (e) => e instanceof WaitError && e.code === "timeout");
 * ```
 */
export interface UntilOptions {
  /** Rejects the wait with a {@linkcode WaitError} of code `"aborted"`. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait before rejecting with a {@linkcode WaitError} of
   * code `"timeout"`.
   * @default {Infinity}
   */
  timeout?: number;
  /**
   * The source of time for `timeout`.
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * An {@linkcode EventStream} of states that remembers the current one in
 * {@linkcode StateStream.value}. `subscribe` calls the listener with the
 * current state at once, then with every change; an iterator likewise yields
 * the current state first.
 *
 * @typeParam T The type of the states.
 *
 * @example A new listener hears the current state first
 * ```ts
 * import { type ConnectionState, ReconnectingWebSocket, type StateStream } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: fake.WebSocket });
 * const stream: StateStream<ConnectionState> = socket.connection;
 * fake.last.open();
 * const heard: string[] = [];
 * stream.subscribe((state) => heard.push(state.type));
 * fake.last.serverClose(1001, "restart");
 * assert.deepEqual(heard, ["connected", "reconnecting"]);
 * assert.equal(stream.value.type, "reconnecting");
 * ```
 */
export interface StateStream<T> extends EventStream<T> {
  /** The current state. */
  readonly value: T;
  /**
   * Resolves with the first state that satisfies `predicate`: the current
   * one if it does, otherwise the first matching change. Rejects with a
   * {@linkcode WaitError} on timeout (`"timeout"`), abort (`"aborted"`) or
   * when the stream is closed (`"closed"`), and with what `predicate` throws.
   */
  until(predicate: (state: T) => boolean, options?: UntilOptions): Promise<T>;
}

/**
 * The writable side of a {@linkcode StateStream}: its owner calls
 * {@linkcode StateEmitter.emit} with each new state and hands it out typed as
 * the read-only `StateStream`. Listener errors are handled as in
 * {@linkcode Emitter}. Used inside the library, not part of the public API.
 *
 * @typeParam T The type of the states.
 *
 * @example Waiting for a state
 * ```ts
 * import { StateEmitter, type StateStream } from "./state_stream.ts";
 * import assert from "node:assert/strict";
 *
 * const light = new StateEmitter<"red" | "amber" | "green">("red");
 * const stream: StateStream<"red" | "amber" | "green"> = light;
 * const heard: string[] = [];
 * stream.subscribe((state) => heard.push(state));
 * const green = stream.until((state) => state === "green");
 * light.emit("amber");
 * light.emit("green");
 * assert.equal(await green, "green");
 * assert.equal(stream.value, "green");
 * assert.deepEqual(heard, ["red", "amber", "green"]);
 * ```
 */
export class StateEmitter<T> implements StateStream<T> {
  #value: T;
  #emitter: Emitter<T>;
  #onClose: Set<() => void> = new Set();
  #onError: (error: unknown) => void;

  /**
   * Creates a state stream whose current state is `initial`.
   *
   * @param initial The current state until the first `emit`.
   * @param options See {@linkcode EmitterOptions}.
   */
  constructor(initial: T, options: EmitterOptions = {}) {
    checkKeys("StateEmitter", options, ["onError"]);
    checkFunction("StateEmitter", "onError", options.onError, true);
    this.#value = initial;
    this.#emitter = new Emitter(options);
    this.#onError = options.onError ?? rethrowLater;
  }

  /** {@inheritDoc StateStream.value} */
  get value(): T {
    return this.#value;
  }

  /** Whether {@linkcode StateEmitter.close} was called. */
  get closed(): boolean {
    return this.#emitter.closed;
  }

  /** The number of listeners and iterators attached. */
  get listenerCount(): number {
    return this.#emitter.listenerCount;
  }

  /** Makes `state` the current state and sends it to every listener. */
  emit(state: T): void {
    if (this.#emitter.closed) return;
    this.#value = state;
    this.#emitter.emit(state);
  }

  /**
   * Makes `state` the current state, sends it to every listener, and ends
   * the iterators open now after they yield it; see {@linkcode Emitter.finish}.
   */
  finish(state: T): void {
    if (this.#emitter.closed) return;
    this.#value = state;
    this.#emitter.finish(state);
  }

  /** Ends the iterators open now; see {@linkcode Emitter.end}. */
  end(): void {
    this.#emitter.end();
  }

  /**
   * Ends every iterator, detaches every listener and rejects pending
   * `until` calls with a {@linkcode WaitError} of code `"closed"`.
   */
  close(): void {
    this.#emitter.close();
    for (const onClose of [...this.#onClose]) onClose();
  }

  /**
   * Calls `listener` with the current state at once, then with every
   * change.
   *
   * @returns A function that unsubscribes.
   */
  subscribe(listener: Listener<T>, options: SubscribeOptions = {}): () => void {
    const unsubscribe = this.#emitter.subscribe(listener, options);
    if (this.#emitter.closed || options.signal?.aborted) return unsubscribe;
    try {
      listener(this.#value);
    } catch (error) {
      this.#onError(error);
    }
    return unsubscribe;
  }

  /** Iterates the current state, then every change. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this.#emitter.iterate(this.#emitter.closed ? [] : [this.#value]);
  }

  /** {@inheritDoc StateStream.until} */
  until(
    predicate: (state: T) => boolean,
    options: UntilOptions = {},
  ): Promise<T> {
    const { signal, timeout = Infinity, clock = systemClock } = options;
    if (typeof predicate !== "function") {
      return Promise.reject(
        new TypeError(
          `Cannot wait as 'predicate' must be a function: current value is ${
            String(predicate)
          }`,
        ),
      );
    }
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      return Promise.reject(
        new RangeError(
          `Cannot wait as 'timeout' must be a non-negative number: current value is ${
            String(timeout)
          }`,
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(aborted(signal));
    try {
      if (predicate(this.#value)) return Promise.resolve(this.#value);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#emitter.closed) return Promise.reject(closed());
    return new Promise<T>((resolve, reject) => {
      let timer: TimerId | undefined;
      const settle = (): void => {
        unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        if (timer !== undefined) clock.clearTimeout(timer);
        this.#onClose.delete(onClose);
      };
      const onAbort = (): void => {
        settle();
        reject(aborted(signal!));
      };
      const onClose = (): void => {
        settle();
        reject(closed());
      };
      const unsubscribe = this.#emitter.subscribe((state) => {
        let matched: boolean;
        try {
          matched = predicate(state);
        } catch (error) {
          settle();
          reject(error);
          return;
        }
        if (matched) {
          settle();
          resolve(state);
        }
      });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#onClose.add(onClose);
      if (timeout !== Infinity) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          settle();
          reject(new WaitError("timeout", `Timed out after ${timeout} ms`));
        }, timeout);
      }
    });
  }
}

function aborted(signal: AbortSignal): WaitError {
  return new WaitError("aborted", "The wait was aborted", {
    cause: signal.reason,
  });
}

function closed(): WaitError {
  return new WaitError("closed", "The stream was closed");
}
