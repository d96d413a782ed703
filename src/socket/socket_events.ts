/**
 * The events a `ReconnectingWebSocket` dispatches the way a `WebSocket`
 * does (`open`, `message`, `close`, `error`), so code written for the
 * standard API, partysocket or reconnecting-websocket listens unchanged.
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
