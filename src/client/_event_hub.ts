/**
 * Named event streams over one typed event map, each an {@linkcode Emitter}:
 * what the manager's `on`, `once`, `off`, `onAny` and `on…` methods sit on.
 * A stream may be split by a key (a message's or user event's name), so
 * `on("chat")` hears only chat messages. Every listener can be removed by
 * its returned function, by `off`, or by aborting its `signal`. Internal to
 * the client layer.
 *
 * @module
 */

import { Emitter, noop, type SubscribeOptions } from "../core/event_stream.ts";

/** How a listener is added to an {@linkcode EventHub}. */
export interface ListenOptions extends SubscribeOptions {
  /** Hear only the values emitted under this key. */
  key?: string;
  /** Remove the listener after its first value. */
  once?: boolean;
}

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => void;

interface Stream {
  emitter: Emitter<unknown>;
  /** The remove functions of each listener as its caller gave it. */
  removers: Map<AnyFunction, Set<() => void>>;
}

/**
 * One emitter per event name (and key) of the event map `M`. What a
 * listener throws goes to `report`, except for the `unreported` event's own
 * listeners (the error event), whose throws are rethrown from a microtask.
 */
export class EventHub<M> {
  /** The streams of whole events. */
  #streams: Map<string, Stream> = new Map();
  /** The streams split by key: event name, then key (no string built per emit). */
  #keyed: Map<string, Map<string, Stream>> = new Map();
  #report: (error: unknown) => void;
  #unreported: keyof M;

  constructor(report: (error: unknown) => void, unreported: keyof M) {
    this.#report = report;
    this.#unreported = unreported;
  }

  /**
   * Calls `listener` with the values of `name` (under `options.key` only,
   * when given). `original` is the function `off` knows it by, when the
   * caller wrapped its own.
   *
   * @returns A function that removes the listener.
   */
  listen<K extends keyof M & string>(
    name: K,
    listener: (value: M[K]) => void,
    options: ListenOptions = {},
    original: AnyFunction = listener,
  ): () => void {
    checkListener(original);
    const { signal, key, once = false } = options;
    checkSignal(signal);
    if (signal?.aborted) return noop;
    let stream = this.#get(name, key);
    if (!stream) {
      const emitter = new Emitter<unknown>(
        name === this.#unreported ? {} : { onError: this.#report },
      );
      stream = { emitter, removers: new Map() };
      this.#set(name, key, stream);
    }
    const { emitter, removers } = stream;
    let unsubscribe = noop;
    const remove = (): void => {
      signal?.removeEventListener("abort", remove);
      unsubscribe();
      const own = removers.get(original);
      own?.delete(remove);
      if (own?.size === 0) removers.delete(original);
      if (emitter.listenerCount === 0) this.#delete(name, key, stream);
    };
    const call = listener as (value: unknown) => void;
    unsubscribe = emitter.subscribe(
      once
        ? (value) => {
          remove();
          call(value);
        }
        : call,
    );
    let own = removers.get(original);
    if (!own) removers.set(original, own = new Set());
    own.add(remove);
    signal?.addEventListener("abort", remove, { once: true });
    return remove;
  }

  /**
   * Removes `listener` from `name` (under `key`), or every listener there
   * when `listener` is omitted.
   */
  off(name: keyof M & string, key?: string, listener?: AnyFunction): void {
    const stream = this.#get(name, key);
    if (!stream) return;
    const sets = listener === undefined
      ? [...stream.removers.values()]
      : [stream.removers.get(listener) ?? new Set<() => void>()];
    for (const set of sets) for (const remove of [...set]) remove();
  }

  /**
   * Emits `value` to the listeners of `name` under `key`, then to those of
   * `name` as a whole.
   */
  emit<K extends keyof M & string>(name: K, value: M[K], key?: string): void {
    if (key !== undefined) {
      this.#keyed.get(name)?.get(key)?.emitter.emit(value);
    }
    this.#streams.get(name)?.emitter.emit(value);
  }

  /**
   * Emits `error` to the listeners of the error event (`unreported`), as an
   * `Error`. With no listener it is dropped, never thrown: the caller shows
   * it elsewhere too (a rejection, a state). Returns whether anyone heard it.
   */
  emitError(error: unknown): boolean {
    const stream = this.#streams.get(this.#unreported as string);
    if (stream === undefined) return false;
    stream.emitter.emit(
      error instanceof Error ? error : new Error(String(error)),
    );
    return true;
  }

  /** How many listeners `name` has, keys aside. */
  count(name: keyof M & string): number {
    return this.#streams.get(name)?.emitter.listenerCount ?? 0;
  }

  #get(name: string, key: string | undefined): Stream | undefined {
    return key === undefined
      ? this.#streams.get(name)
      : this.#keyed.get(name)?.get(key);
  }

  #set(name: string, key: string | undefined, stream: Stream): void {
    if (key === undefined) return void this.#streams.set(name, stream);
    let streams = this.#keyed.get(name);
    if (!streams) this.#keyed.set(name, streams = new Map());
    streams.set(key, stream);
  }

  /** Forgets `stream`, if it is still the one stored for `name` and `key`. */
  #delete(name: string, key: string | undefined, stream: Stream): void {
    if (this.#get(name, key) !== stream) return;
    if (key === undefined) return void this.#streams.delete(name);
    const streams = this.#keyed.get(name)!;
    streams.delete(key);
    if (streams.size === 0) this.#keyed.delete(name);
  }
}

function checkListener(listener: unknown): void {
  if (typeof listener !== "function") {
    throw new TypeError(
      `Cannot add listener as 'listener' must be a function: current value is ${
        String(listener)
      }`,
    );
  }
}

function checkSignal(signal: unknown): void {
  if (
    signal !== undefined &&
    (typeof signal !== "object" || signal === null ||
      typeof (signal as AbortSignal).addEventListener !== "function" ||
      typeof (signal as AbortSignal).aborted !== "boolean")
  ) {
    throw new TypeError(
      `Cannot add listener as 'signal' must be an AbortSignal: current value is ${
        String(signal)
      }`,
    );
  }
}
