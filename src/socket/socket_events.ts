/**
 * The events a `ReconnectingWebSocket` dispatches the way a `WebSocket`
 * does (`open`, `message`, `close`, `error`), so code written for the
 * standard API, partysocket or reconnecting-websocket listens unchanged:
 * their map, the `on…` handler type, and {@linkcode SocketEventTarget}, the
 * `EventTarget` that carries the typed listeners, the `on…` properties and
 * the `readyState` constants.
 *
 * @module
 */

/**
 * The event of each type a `ReconnectingWebSocket` dispatches, the same as
 * a `WebSocket`'s: `open` for every connection that opens (after the buffer
 * is flushed), `message` for every message received (pongs excluded), `error`
 * when a connection or an attempt fails (its `error` is the
 * `ConnectionError`), and `close` when a connection or an attempt ends,
 * whether or not a retry follows.
 *
 * @example Typed listeners
 * ```ts
 * import {
 *   ReconnectingWebSocket,
 *   type ReconnectingWebSocketEventMap,
 * } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   keepalive: false,
 * });
 * const received: ReconnectingWebSocketEventMap["message"][] = [];
 * socket.addEventListener("message", (event) => received.push(event));
 * fake.last.open();
 * fake.last.receive("hi");
 * assert.equal(received[0].data, "hi");
 * ```
 */
export interface ReconnectingWebSocketEventMap {
  /** A connection opened. */
  open: Event;
  /** A message arrived; `data` is text, or binary as set by `binaryType`. */
  message: MessageEvent;
  /** A connection or an attempt ended; `code`, `reason`, `wasClean`. */
  close: CloseEvent;
  /** A connection or an attempt failed; `error` says why. */
  error: ErrorEvent;
}

/**
 * What an `on…` property of a `ReconnectingWebSocket` holds: a function
 * called with each event of its type, or `null`.
 *
 * @example Assigning `onmessage`
 * ```ts
 * import { ReconnectingWebSocket, type SocketEventHandler } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   keepalive: false,
 * });
 * const seen: unknown[] = [];
 * const handler: SocketEventHandler<"message"> = (event) => seen.push(event.data);
 * socket.onmessage = handler;
 * fake.last.open();
 * fake.last.receive("hi");
 * assert.deepEqual(seen, ["hi"]);
 * ```
 */
export type SocketEventHandler<K extends keyof ReconnectingWebSocketEventMap> =
  | ((event: ReconnectingWebSocketEventMap[K]) => unknown)
  | null;

/**
 * The typed `removeEventListener` of a {@linkcode SocketEventTarget},
 * merged with the class (its `addEventListener` is typed the same way in
 * the class itself): the event types and
 * their events are those of {@linkcode ReconnectingWebSocketEventMap}.
 */
export interface SocketEventTarget {
  /** Removes a listener added with `addEventListener`. */
  removeEventListener<K extends keyof ReconnectingWebSocketEventMap>(
    type: K,
    listener: (
      this: SocketEventTarget,
      event: ReconnectingWebSocketEventMap[K],
    ) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a listener for any event type. */
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** What each target calls when its first `message` listener is added. */
const messageListened = new WeakMap<SocketEventTarget, () => void>();

/**
 * Calls `callback` once, when `target` gets its first `message` listener
 * (`addEventListener` or `onmessage`): a target dispatches `message` events
 * only from then on, so that no event is built for nobody. Internal.
 */
export function onFirstMessageListener(
  target: SocketEventTarget,
  callback: () => void,
): void {
  messageListened.set(target, callback);
}

type Handlers = {
  [K in keyof ReconnectingWebSocketEventMap]: SocketEventHandler<K>;
};

/**
 * The WebSocket-shaped face of a `ReconnectingWebSocket`, on its own: an
 * `EventTarget` with typed listeners for `open`, `message`, `close` and
 * `error`, the `onopen`, `onmessage`, `onclose` and `onerror` properties
 * (each runs where among the listeners it was first set, as a `WebSocket`'s
 * does; `null` removes it), and the `readyState` constants on the class and
 * on each instance. It dispatches nothing itself: the socket does.
 *
 * @example The constants and a handler, on the socket that extends it
 * ```ts
 * import { ReconnectingWebSocket, SocketEventTarget } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket,
 * });
 * assert.ok(socket instanceof SocketEventTarget);
 * assert.deepEqual([socket.CONNECTING, socket.OPEN, socket.CLOSING, socket.CLOSED], [0, 1, 2, 3]);
 * const seen: string[] = [];
 * socket.onopen = () => seen.push("open");
 * socket.dispatchEvent(new Event("open"));
 * assert.deepEqual(seen, ["open"]);
 * ```
 */
export class SocketEventTarget extends EventTarget {
  /** `readyState` while connecting or waiting to retry. */
  static readonly CONNECTING: 0 = 0;
  /** `readyState` while connected. */
  static readonly OPEN: 1 = 1;
  /** `readyState` while closing. */
  static readonly CLOSING: 2 = 2;
  /** `readyState` once stopped. */
  static readonly CLOSED: 3 = 3;

  #handlers: Handlers = { open: null, message: null, close: null, error: null };

  /** Adds a listener for `open`, `message`, `close` or `error`. */
  override addEventListener<K extends keyof ReconnectingWebSocketEventMap>(
    type: K,
    listener: (
      this: SocketEventTarget,
      event: ReconnectingWebSocketEventMap[K],
    ) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Adds a listener for any event type. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  // The first `message` listener tells the subclass to start building
  // `message` events: until then none is made for the messages that arrive.
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (type === "message" && listener !== null) {
      const listened = messageListened.get(this);
      if (listened !== undefined) {
        messageListened.delete(this);
        listened();
      }
    }
    super.addEventListener(type, listener, options);
  }
  #unset: Partial<Record<keyof ReconnectingWebSocketEventMap, () => void>> = {};

  /** `readyState` while connecting or waiting to retry. */
  get CONNECTING(): 0 {
    return 0;
  }

  /** `readyState` while connected. */
  get OPEN(): 1 {
    return 1;
  }

  /** `readyState` while closing. */
  get CLOSING(): 2 {
    return 2;
  }

  /** `readyState` once stopped. */
  get CLOSED(): 3 {
    return 3;
  }

  /** Called on every `open` event, as `WebSocket.onopen` is. */
  get onopen(): SocketEventHandler<"open"> {
    return this.#handlers.open;
  }

  set onopen(handler: SocketEventHandler<"open">) {
    this.#set("open", handler);
  }

  /** Called on every `message` event, as `WebSocket.onmessage` is. */
  get onmessage(): SocketEventHandler<"message"> {
    return this.#handlers.message;
  }

  set onmessage(handler: SocketEventHandler<"message">) {
    this.#set("message", handler);
  }

  /** Called on every `close` event, as `WebSocket.onclose` is. */
  get onclose(): SocketEventHandler<"close"> {
    return this.#handlers.close;
  }

  set onclose(handler: SocketEventHandler<"close">) {
    this.#set("close", handler);
  }

  /** Called on every `error` event, as `WebSocket.onerror` is. */
  get onerror(): SocketEventHandler<"error"> {
    return this.#handlers.error;
  }

  set onerror(handler: SocketEventHandler<"error">) {
    this.#set("error", handler);
  }

  #set<K extends keyof ReconnectingWebSocketEventMap>(
    type: K,
    handler: SocketEventHandler<K>,
  ): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(
        `Cannot set 'on${type}' as it must be a function or null: current value is ${
          String(handler)
        }`,
      );
    }
    const first = this.#handlers[type] === null;
    (this.#handlers[type] as SocketEventHandler<K>) = handler;
    if (handler === null) {
      this.#unset[type]?.();
      delete this.#unset[type];
    } else if (first) {
      // Like a WebSocket's, the handler runs in the place among the
      // listeners where it was first set; a new one takes that place.
      const call = (event: Event): void => {
        const current = this.#handlers[type] as
          | ((event: Event) => unknown)
          | null;
        current?.call(this, event);
      };
      this.addEventListener(type, call);
      this.#unset[type] = () => this.removeEventListener(type, call);
    }
  }
}
