/**
 * The options of a `ReconnectingWebSocket` and of its `ready()` wait: one
 * vocabulary, each option documented once with its default.
 *
 * @module
 */

import type { Backoff } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import type { KeepaliveOptions } from "../core/keepalive.ts";
import type { Logger } from "../core/log.ts";
import type { MessageBuffer } from "../core/message_buffer.ts";
import type { WebSocketData } from "../core/ring_buffer.ts";
import type { CloseInfo } from "./close_info.ts";
import type { BinaryType, WebSocketConstructor } from "./web_socket_like.ts";

/**
 * Where to connect: a URL, or a function returning one (or a promise of one)
 * that is called before every attempt, e.g. to fetch a fresh token. A
 * function that throws or rejects fails that attempt only; the client
 * retries as usual.
 *
 * @example A fresh token in the URL of every attempt
 * ```ts
 * import { ReconnectingWebSocket, type UrlProvider } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * let token = 0;
 * const url: UrlProvider = () => `wss://example.test/live?token=${++token}`;
 * await using socket = new ReconnectingWebSocket(url, { WebSocket: FakeWebSocket });
 * assert.equal(socket.url, "wss://example.test/live?token=1");
 * ```
 */
export type UrlProvider =
  | string
  | URL
  | (() => string | URL | PromiseLike<string | URL>);

/**
 * The subprotocols to offer: a list, or a function returning one (or a
 * promise of one) that is called before every attempt, e.g. to carry a
 * fresh token. A function that throws or rejects fails that attempt with
 * code `"url_failed"`.
 *
 * @example A fresh token in the subprotocols of every attempt
 * ```ts
 * import { type ProtocolsProvider, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * let token = 0;
 * const protocols: ProtocolsProvider = () => ["lifeline", `token.t${++token}`];
 * await using _socket = new ReconnectingWebSocket("wss://example.test/live", {
 *   protocols,
 *   WebSocket: fake.WebSocket,
 * });
 * assert.deepEqual(fake.last.init, ["lifeline", "token.t1"]);
 * ```
 */
export type ProtocolsProvider =
  | string
  | string[]
  | (() => string | string[] | PromiseLike<string | string[]>);

/**
 * Keepalive settings; see {@linkcode KeepaliveOptions}. The socket supplies
 * the clock itself (its `clock` option), so `clock` is not one of them.
 *
 * @example JSON pings every 10 seconds
 * ```ts
 * import type { KeepaliveSettings, ReconnectingWebSocketOptions } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const keepalive: KeepaliveSettings = {
 *   interval: 10_000,
 *   timeout: 5_000,
 *   ping: '{"type":"ping"}',
 *   isPong: (data) => data === '{"type":"pong"}',
 * };
 * const options: ReconnectingWebSocketOptions = { keepalive };
 * assert.equal(keepalive.isPong?.('{"type":"pong"}'), true);
 * assert.notEqual(options.keepalive, false);
 * ```
 */
export type KeepaliveSettings = Pick<
  KeepaliveOptions,
  "interval" | "timeout" | "ping" | "isPong"
>;

/**
 * Where a {@linkcode ReconnectingWebSocket} hears about the network: an
 * EventTarget-like that fires `online`, `offline` and `visibilitychange`, as
 * a browser's `window` does. `navigator.onLine` and `document.visibilityState`
 * are read from it when present. On `online`, or when the page becomes
 * visible, a waiting retry runs at once instead of waiting out its backoff;
 * while offline, retries wait for `online`.
 *
 * @example A fake network for tests
 * ```ts
 * import { type NetworkEventSource, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const network = new EventTarget(); // a browser's window, in tests
 * const networkEvents: NetworkEventSource = network;
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   networkEvents,
 *   keepalive: false,
 * });
 * fake.last.fail(); // the first attempt fails: a retry waits its backoff
 * assert.equal(socket.connection.value.type, "reconnecting");
 * network.dispatchEvent(new Event("online")); // ... or not: it runs now
 * assert.equal(fake.sockets.length, 2);
 * ```
 */
export interface NetworkEventSource {
  /** Adds a listener, as `EventTarget.addEventListener`. */
  addEventListener(type: string, listener: () => void): void;
  /** Removes a listener, as `EventTarget.removeEventListener`. */
  removeEventListener(type: string, listener: () => void): void;
  /** `onLine === false` means offline when a retry starts waiting. */
  readonly navigator?: { readonly onLine?: boolean };
  /** `visibilityState === "visible"` on `visibilitychange` retries at once. */
  readonly document?: { readonly visibilityState?: string };
}

/**
 * Options for {@linkcode ReconnectingWebSocket}. Times are milliseconds;
 * every field is optional.
 *
 * @example A small buffer, a quicker backoff and at most ten retries
 * ```ts
 * import {
 *   ExponentialBackoff,
 *   ReconnectingWebSocket,
 *   type ReconnectingWebSocketOptions,
 *   RingBuffer,
 * } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const options: ReconnectingWebSocketOptions = {
 *   protocols: ["chat.v1"],
 *   timeout: 5000,
 *   backoff: new ExponentialBackoff({ initial: 250, maximum: 10_000 }),
 *   maxRetries: 10,
 *   buffer: new RingBuffer({ capacity: 100 }),
 *   WebSocket: FakeWebSocket, // globalThis.WebSocket by default
 * };
 * await using socket = new ReconnectingWebSocket("wss://example.test/chat", options);
 * assert.equal(socket.send("hello"), "queued");
 * ```
 */
export interface ReconnectingWebSocketOptions {
  /**
   * The subprotocols to offer; see {@linkcode ProtocolsProvider}. They
   * stay out of the URL, so a credential sent in one stays out of access
   * logs and of error messages.
   */
  protocols?: ProtocolsProvider;
  /**
   * Extra handshake request headers. Deno's and Bun's `WebSocket` send
   * them; in workerd (Cloudflare Workers) the client opens the socket with a
   * `fetch` upgrade instead (`FetchWebSocket`, from
   * `@lifeline/realtime/fetch-websocket`), which sends them. Browsers cannot:
   * setting them elsewhere throws a `TypeError`, unless a `WebSocket`
   * constructor is given, which then receives `(url, { protocols, headers })`.
   */
  headers?: HeadersInit;
  /**
   * How long one connection attempt may take, URL provider included,
   * before it is abandoned and counted as failed.
   * @default {10000}
   */
  timeout?: number;
  /**
   * The delays between retries.
   * @default {new ExponentialBackoff({ random })}
   */
  backoff?: Backoff;
  /**
   * How many retries in a row before the client gives up and is
   * `disconnected`. The first attempt is not a retry.
   * @default {Infinity}
   */
  maxRetries?: number;
  /**
   * How long a connection must stay up before the backoff and the retry
   * count are reset, so a server that accepts and drops at once is not
   * hammered.
   * @default {5000}
   */
  minUptime?: number;
  /**
   * Where messages sent while disconnected wait, to be flushed in order on
   * reconnect; `false` drops them instead.
   * @default {new RingBuffer()}
   */
  buffer?: MessageBuffer<WebSocketData> | false;
  /**
   * Pings after `interval` of silence (at most `interval / 8` more, after
   * traffic) and reconnects if nothing arrives within `timeout`; pongs are
   * not put on `messages`. The server must
   * answer the text `ping` (or tolerate it). `false` disables it.
   * @default {{ interval: 25000, timeout: 10000, ping: "ping", isPong: (data) => data === "pong" }}
   */
  keepalive?: KeepaliveSettings | false;
  /**
   * How binary messages are delivered, kept across reconnects.
   * @default {"arraybuffer"}
   */
  binaryType?: BinaryType;
  /**
   * Decides whether to reconnect after a connection or an attempt ended.
   * Never consulted for `close()`, which always stops. The default stops on
   * close code 1008, an invalid URL and a handshake refused with 401, 403
   * or 404.
   * @default {defaultShouldReconnect}
   */
  shouldReconnect?: (info: CloseInfo) => boolean;
  /**
   * The WebSocket constructor.
   * @default {globalThis.WebSocket}
   */
  WebSocket?: WebSocketConstructor;
  /**
   * The source of time for every timer.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * The source of randomness for the default backoff's jitter.
   * @default {Math.random}
   */
  random?: () => number;
  /** Closes the client, as `close()` does, when aborted. */
  signal?: AbortSignal;
  /**
   * Receives a {@linkcode LogEntry} for each notable event: `state` (a
   * change of connection state: `state`, and `code`, `reason`, `error` when
   * it stopped), `attempt` (a retry scheduled: `attempt`, `delay` in ms,
   * `error` and `message` of the failure), `flush` (`count` messages sent
   * from the buffer on connect) and `drop` (a message not sent: `reason` is
   * `closed`, `buffer_full` or `no_buffer`). A `RealtimeManager` adds its
   * own: `flush` (requests sent from its queue once ready), `drop`
   * (`buffer_full`, or `not_connected` with `bufferMessages` off) and
   * `resync` (`channel`, `reason`). Never the data sent or received.
   * Silent by default.
   */
  logger?: Logger;
  /**
   * Shorthand for a `logger` that prints every entry with `console.debug`;
   * ignored when `logger` is given.
   * @default {false}
   */
  debug?: boolean;
  /**
   * Where the client hears `online`, `offline` and `visibilitychange`; see
   * {@linkcode NetworkEventSource}. `false` ignores the network.
   * @default {globalThis, where it has addEventListener}
   */
  networkEvents?: NetworkEventSource | false;
}

/**
 * Options for {@linkcode ReconnectingWebSocket.ready}. By default the wait
 * has no time limit.
 *
 * @example Giving up on the wait when a signal is aborted
 * ```ts
 * import { ReconnectingWebSocket, type ReadyOptions, WaitError } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: FakeWebSocket });
 * const options: ReadyOptions = { signal: AbortSignal.abort(), timeout: 5000 };
 * await assert.rejects(
 *   socket.ready(options),
 *   (error) => error instanceof WaitError && error.code === "aborted",
 * );
 * ```
 */
export interface ReadyOptions {
  /** Rejects with a `WaitError` of code `"aborted"`. */
  signal?: AbortSignal;
  /**
   * Milliseconds before rejecting with a `WaitError` of code `"timeout"`.
   * @default {Infinity}
   */
  timeout?: number;
}
