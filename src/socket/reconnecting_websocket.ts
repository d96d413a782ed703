/**
 * A WebSocket client that stays connected: it reconnects with jittered
 * backoff, buffers what is sent while it is down and flushes it in order on
 * reconnect, detects dead connections with a keepalive, and reports its
 * connection state as a stream you can subscribe to, iterate or wait on.
 *
 * @module
 */

import {
  checkFunction,
  checkMethods,
  checkNumber,
  optionMessage,
} from "../core/_options.ts";
import { type Backoff, ExponentialBackoff } from "../core/backoff.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { isThenable } from "../core/_thenable.ts";
import { ConnectionError } from "./connection_error.ts";
import { Emitter, type EventStream } from "../core/event_stream.ts";
import { Keepalive, type KeepaliveOptions } from "../core/keepalive.ts";
import type { MessageBuffer } from "../core/message_buffer.ts";
import { RingBuffer, type WebSocketData } from "../core/ring_buffer.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";
import {
  abnormalClosure,
  normalClosure,
  policyViolation,
} from "../core/status.ts";

/**
 * Where to connect: a URL, or a function returning one (or a promise of one)
 * that is called before every attempt, e.g. to fetch a fresh token. A
 * function that throws or rejects fails that attempt only; the client
 * retries as usual.
 *
 * @example A fresh token in the URL of every attempt
 * ```ts
 * import { ReconnectingWebSocket, type UrlProvider } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * let token = 0;
 * const url: UrlProvider = () => `wss://example.test/live?token=${++token}`;
 * await using socket = new ReconnectingWebSocket(url, { WebSocket: NeverOpens });
 * assert.equal(socket.url, "wss://example.test/live?token=1");
 * ```
 */
export type UrlProvider =
  | string
  | URL
  | (() => string | URL | PromiseLike<string | URL>);

/**
 * How binary messages are delivered: as `ArrayBuffer`s or `Blob`s.
 *
 * @example Receiving binary messages as Blobs
 * ```ts
 * import { type BinaryType, ReconnectingWebSocket } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * const binaryType: BinaryType = "blob";
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: NeverOpens,
 *   binaryType,
 * });
 * assert.equal(socket.binaryType, "blob");
 * ```
 */
export type BinaryType = "arraybuffer" | "blob";

/**
 * A received message: text, or binary as set by `binaryType`.
 *
 * @example Handling text and binary messages
 * ```ts
 * import type { MessageData } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * function describe(data: MessageData): string {
 *   if (typeof data === "string") return `text: ${data}`;
 *   if (data instanceof ArrayBuffer) return `${data.byteLength} bytes`;
 *   return `a blob of ${data.size} bytes`;
 * }
 * assert.equal(describe("hi"), "text: hi");
 * assert.equal(describe(new Uint8Array([1, 2]).buffer), "2 bytes");
 * assert.equal(describe(new Blob(["abc"])), "a blob of 3 bytes");
 * ```
 */
export type MessageData = string | ArrayBuffer | Blob;

/**
 * What {@linkcode ReconnectingWebSocket.send} did with a message: `"sent"`
 * it on the open socket, `"queued"` it in the buffer for the next
 * connection, or `"dropped"` it (the buffer refused it, buffering is off, or
 * the client is closed).
 *
 * @example Without a buffer, a message sent while disconnected is dropped
 * ```ts
 * import { ReconnectingWebSocket, type SendResult } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: NeverOpens,
 *   buffer: false,
 * });
 * const result: SendResult = socket.send("hello");
 * assert.equal(result, "dropped");
 * ```
 */
export type SendResult = "sent" | "queued" | "dropped";

/**
 * How a connection or an attempt ended, as passed to
 * {@linkcode ReconnectingWebSocketOptions.shouldReconnect}. When no close
 * frame was received (a network error, a timeout, a dead keepalive) `code`
 * is 1006 and `error` says what happened. Deno reports a refused connection
 * as an error, then a close with code 0.
 *
 * @example A reconnect policy that also stops on an application close code
 * ```ts
 * import { type CloseInfo, ConnectionError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const shouldReconnect = (info: CloseInfo) => info.code !== 1008 && info.code !== 4001;
 * assert.equal(shouldReconnect({ code: 4001, reason: "unauthorized", wasClean: true }), false);
 * const timeout = new ConnectionError("connect_timeout", "Timed out");
 * assert.equal(shouldReconnect({ code: 1006, reason: "", wasClean: false, error: timeout }), true);
 * ```
 */
export interface CloseInfo {
  /** The close code. */
  readonly code: number;
  /** The close reason; empty if none. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** What went wrong, if the connection failed rather than closed. */
  readonly error?: ConnectionError;
}

/**
 * The state of a {@linkcode ReconnectingWebSocket}, discriminated on `type`:
 *
 * - `connecting`: the first attempt (of the client, or after `reconnect()`).
 * - `connected`: that attempt opened.
 * - `reconnecting`: retry number `attempt` (counting from 1) is scheduled in
 *   `delay` ms; the state lasts through the wait and the attempt.
 * - `reconnected`: a retry opened.
 * - `disconnecting`: `close()` was called; waiting for the socket to close.
 * - `disconnected`: the client has stopped, after `close()`, a refusal by
 *   `shouldReconnect`, or when `maxRetries` ran out. Never the state while a
 *   retry is pending.
 *
 * @example Narrowing a state on its type
 * ```ts
 * import type { ConnectionState } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * function label(state: ConnectionState): string {
 *   switch (state.type) {
 *     case "reconnecting":
 *       return `retry ${state.attempt} in ${state.delay} ms`;
 *     case "disconnected":
 *       return `offline (${state.error?.code ?? state.code ?? "closed"})`;
 *     default:
 *       return state.type;
 *   }
 * }
 * assert.equal(label({ type: "reconnecting", attempt: 2, delay: 1000 }), "retry 2 in 1000 ms");
 * assert.equal(label({ type: "disconnected", code: 1000 }), "offline (1000)");
 * assert.equal(label({ type: "connected" }), "connected");
 * ```
 */
export type ConnectionState =
  | { readonly type: "connecting" }
  | { readonly type: "connected" }
  | {
    readonly type: "reconnecting";
    readonly attempt: number;
    readonly delay: number;
  }
  | { readonly type: "reconnected" }
  | { readonly type: "disconnecting" }
  | {
    readonly type: "disconnected";
    readonly code?: number;
    readonly reason?: string;
    readonly error?: ConnectionError;
  };

/**
 * The part of the WebSocket API the client uses; the global `WebSocket` of
 * Deno, Bun, browsers and workers has it.
 *
 * @example A test double that records what is sent
 * ```ts
 * import type { WebSocketData, WebSocketLike } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class Recorder extends EventTarget implements WebSocketLike {
 *   readyState = 1;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "arraybuffer";
 *   sent: WebSocketData[] = [];
 *   send(data: WebSocketData) {
 *     this.sent.push(data);
 *   }
 *   close() {
 *     this.readyState = 3;
 *   }
 * }
 * const ws = new Recorder();
 * ws.send("hi");
 * ws.close();
 * assert.deepEqual(ws.sent, ["hi"]);
 * assert.equal(ws.readyState, 3);
 * ```
 */
export interface WebSocketLike extends EventTarget {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /**
   * The subprotocol the server chose; workerd's WebSocket reports `null`,
   * which the client reads as `""`.
   */
  readonly protocol: string | null;
  /** The extensions the server chose; `null` on workerd, as `protocol`. */
  readonly extensions: string | null;
  /** Bytes queued by `send` and not yet sent. */
  readonly bufferedAmount: number;
  /** How binary messages are delivered. */
  binaryType: string;
  /** Sends a message. */
  send(data: WebSocketData): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/**
 * The second constructor argument used when `headers` are set: the shape
 * Deno's and Bun's `WebSocket` accept.
 *
 * @example What a WebSocket constructor receives when headers are set
 * ```ts
 * import { ReconnectingWebSocket, type WebSocketInit } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const inits: unknown[] = [];
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   constructor(_url: string, init?: string | string[] | WebSocketInit) {
 *     super();
 *     inits.push(init);
 *   }
 *   send() {}
 *   close() {}
 * }
 * await using _socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: NeverOpens,
 *   protocols: "chat.v1",
 *   headers: { authorization: "Bearer abc" },
 * });
 * assert.deepEqual(inits, [{ protocols: "chat.v1", headers: { authorization: "Bearer abc" } }]);
 * ```
 */
export interface WebSocketInit {
  /** The subprotocols to offer. */
  protocols?: string | string[];
  /** Extra handshake request headers. */
  headers?: HeadersInit;
}

/**
 * A `WebSocket` constructor. It is called as `new WebSocket(url)`,
 * `new WebSocket(url, protocols)`, or, when `headers` are set,
 * `new WebSocket(url, { protocols, headers })`.
 *
 * @example A constructor that records the URLs it is given
 * ```ts
 * import { ReconnectingWebSocket, type WebSocketConstructor } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const urls: string[] = [];
 * const Recording: WebSocketConstructor = class extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   constructor(url: string) {
 *     super();
 *     urls.push(url);
 *   }
 *   send() {}
 *   close() {}
 * };
 * await using _socket = new ReconnectingWebSocket("wss://example.test/a", { WebSocket: Recording });
 * assert.deepEqual(urls, ["wss://example.test/a"]);
 * ```
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[] | WebSocketInit,
) => WebSocketLike;

/**
 * Keepalive settings; see {@linkcode KeepaliveOptions}. The socket supplies
 * the clock itself.
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
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * const options: ReconnectingWebSocketOptions = {
 *   protocols: ["chat.v1"],
 *   timeout: 5000,
 *   backoff: new ExponentialBackoff({ initial: 250, maximum: 10_000 }),
 *   maxRetries: 10,
 *   buffer: new RingBuffer({ capacity: 100 }),
 *   WebSocket: NeverOpens, // globalThis.WebSocket by default
 * };
 * await using socket = new ReconnectingWebSocket("wss://example.test/chat", options);
 * assert.equal(socket.send("hello"), "queued");
 * ```
 */
export interface ReconnectingWebSocketOptions {
  /** The subprotocols to offer. */
  protocols?: string | string[];
  /**
   * Extra handshake request headers. Only Deno's and Bun's `WebSocket` can
   * send them (browsers and workers cannot): setting them elsewhere throws
   * a `TypeError`, unless a `WebSocket` constructor is given, which then
   * receives `(url, { protocols, headers })`.
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
   * Pings after `interval` of silence and reconnects if nothing arrives
   * within `timeout`; pongs are not put on `messages`. The server must
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
   * Never consulted for `close()`, which always stops.
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
}

/**
 * Options for {@linkcode ReconnectingWebSocket.ready}. By default the wait
 * has no time limit.
 *
 * @example Giving up on the wait when a signal is aborted
 * ```ts
 * import { ReconnectingWebSocket, type ReadyOptions, WaitError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: NeverOpens });
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

/**
 * The default reconnect policy: reconnect after every close and every
 * failure except a close with code 1008 (policy violation), the server's
 * way of saying "not you, not again".
 *
 * @example Refusing a policy violation
 * ```ts
 * import { defaultShouldReconnect } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultShouldReconnect({ code: 1008, reason: "banned", wasClean: true }), false);
 * assert.equal(defaultShouldReconnect({ code: 1001, reason: "", wasClean: true }), true);
 * assert.equal(defaultShouldReconnect({ code: 0, reason: "", wasClean: false }), true);
 * ```
 */
export function defaultShouldReconnect(info: CloseInfo): boolean {
  return info.code !== policyViolation;
}

// Timers treat a longer delay as 1 ms, which would turn a long backoff into a
// retry storm.
const MAX_DELAY = 2_147_483_647;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const SOCKET_EVENTS = ["open", "message", "error", "close"] as const;

/**
 * A WebSocket that reconnects. It connects on construction; when the
 * connection drops it retries after a jittered, growing delay, announcing
 * each change on {@linkcode ReconnectingWebSocket.connection}. Messages sent
 * while it is down are buffered and flushed in order before the reconnect is
 * announced. Received messages arrive on
 * {@linkcode ReconnectingWebSocket.messages}. `close()` stops it;
 * `reconnect()` starts it again.
 *
 * Defaults: 10 s connect timeout, exponential backoff from 500 ms to 30 s
 * with full jitter, unlimited retries, backoff reset after 5 s of uptime, a
 * ring buffer of 1000 messages / 1 MiB, a keepalive ping after 25 s of
 * silence with 10 s to answer.
 *
 * A message handed to an open socket is gone from the client's hands: if the
 * connection drops before the socket transmits it, it is lost. Messages sent
 * while the socket is not open are kept until a connection takes them.
 *
 * @example Connecting, buffering, closing
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const socket = new ReconnectingWebSocket("ws://127.0.0.1:9/updates");
 * const states: string[] = [];
 * socket.connection.subscribe((state) => states.push(state.type));
 * socket.messages.subscribe((data) => console.log("received", data));
 * assert.equal(socket.send("hello"), "queued"); // kept until it connects
 * await socket.close();
 * assert.deepEqual(states, ["connecting", "disconnecting", "disconnected"]);
 * assert.equal(socket.send("too late"), "dropped");
 * ```
 *
 * @example Waiting for the connection, with a fake WebSocket
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class OpensAtOnce extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   sent: unknown[] = [];
 *   constructor(readonly url: string) {
 *     super();
 *     queueMicrotask(() => {
 *       this.readyState = 1;
 *       this.dispatchEvent(new Event("open"));
 *     });
 *   }
 *   send(data: unknown) {
 *     this.sent.push(data);
 *   }
 *   close() {
 *     this.readyState = 3;
 *     queueMicrotask(() => this.dispatchEvent(new CloseEvent("close", { code: 1000 })));
 *   }
 * }
 *
 * await using socket = new ReconnectingWebSocket(
 *   () => "ws://example.test/?token=abc",
 *   { WebSocket: OpensAtOnce, keepalive: false },
 * );
 * await socket.ready({ timeout: 1000 });
 * assert.equal(socket.connection.value.type, "connected");
 * assert.equal(socket.send("hi"), "sent");
 * ```
 */
export class ReconnectingWebSocket implements AsyncDisposable {
  /**
   * The connection state: read `.value`, `subscribe` (the listener hears
   * the current state first), iterate with `for await`, or wait with
   * `until`. Each change is emitted once, in order. An iterator ends after
   * yielding `disconnected`.
   */
  readonly connection: StateStream<ConnectionState>;
  /**
   * The received messages, pongs excluded. An iterator ends when the client
   * is `disconnected`; listeners stay subscribed across `reconnect()`.
   */
  readonly messages: EventStream<MessageData>;

  #state: StateEmitter<ConnectionState>;
  #messages: Emitter<MessageData> = new Emitter();
  #urlProvider: UrlProvider;
  #protocols: string | string[] | undefined;
  #headers: HeadersInit | undefined;
  #timeout: number;
  #backoff: Backoff;
  #maxRetries: number;
  #minUptime: number;
  #buffer: MessageBuffer<WebSocketData> | undefined;
  #keepalive: Keepalive | undefined;
  #binaryType: BinaryType;
  #shouldReconnect: (info: CloseInfo) => boolean;
  #WebSocket: WebSocketConstructor;
  #clock: Clock;
  #signal: AbortSignal | undefined;
  #onAbort = (): void => void this.close();

  #ws: WebSocketLike | undefined;
  #detach: (() => void) | undefined;
  #opened = false;
  #flushing = false;
  #attempt = 0;
  #retries = 0;
  #attemptTimer: TimerId | undefined;
  #retryTimer: TimerId | undefined;
  #uptimeTimer: TimerId | undefined;
  #closing: Promise<void> | undefined;
  #finishClosing: (() => void) | undefined;
  #url = "";
  #protocol = "";
  #extensions = "";
  #closeCode: number | undefined;
  #closeReason: string | undefined;

  /**
   * Creates the client and starts connecting at once (unless `signal` is
   * already aborted).
   *
   * @param url Where to connect; see {@linkcode UrlProvider}.
   * @param options See {@linkcode ReconnectingWebSocketOptions}.
   */
  constructor(url: UrlProvider, options: ReconnectingWebSocketOptions = {}) {
    const owner = "ReconnectingWebSocket";
    if (
      typeof url !== "string" && !(url instanceof URL) &&
      typeof url !== "function"
    ) {
      const must = "be a string, a URL or a function";
      throw new TypeError(optionMessage(owner, "url", must, url));
    }
    const {
      protocols,
      headers,
      timeout = 10_000,
      maxRetries = Infinity,
      minUptime = 5_000,
      buffer = new RingBuffer<WebSocketData>(),
      keepalive = {},
      binaryType = "arraybuffer",
      shouldReconnect = defaultShouldReconnect,
      WebSocket = globalThis.WebSocket as unknown as WebSocketConstructor,
      clock = systemClock,
      random = Math.random,
      signal,
      backoff = new ExponentialBackoff({ random }),
    } = options;
    if (typeof WebSocket !== "function") {
      const must = "be a constructor";
      throw new TypeError(optionMessage(owner, "WebSocket", must, WebSocket));
    }
    if (
      headers !== undefined && options.WebSocket === undefined &&
      !("Deno" in globalThis || "Bun" in globalThis)
    ) {
      throw new TypeError(
        "Cannot create ReconnectingWebSocket as 'headers' cannot be sent by this runtime's WebSocket: only Deno and Bun support them; pass credentials in the URL or a subprotocol, or give a 'WebSocket' constructor that takes (url, { protocols, headers })",
      );
    }
    this.#timeout = checkNumber(owner, "timeout", timeout, { positive: true });
    this.#maxRetries = checkNumber(owner, "maxRetries", maxRetries, {
      min: 0,
      integer: true,
      allowInfinity: true,
    });
    this.#minUptime = checkNumber(owner, "minUptime", minUptime, { min: 0 });
    this.#shouldReconnect = checkFunction(
      owner,
      "shouldReconnect",
      shouldReconnect,
    );
    this.#backoff = checkMethods(owner, "backoff", backoff, ["next", "reset"]);
    this.#urlProvider = url;
    this.#protocols = protocols;
    this.#headers = headers;
    this.#buffer = buffer === false ? undefined : buffer;
    this.#binaryType = checkBinaryType(binaryType);
    this.#WebSocket = WebSocket;
    this.#clock = clock;
    this.#signal = signal;
    if (keepalive !== false) {
      this.#keepalive = new Keepalive({
        send: (ping) => this.#ws?.send(ping),
        onDead: (cause) =>
          this.#fail(
            failure(
              new ConnectionError(
                "keepalive_timeout",
                "The server did not answer a ping in time",
                { cause },
              ),
            ),
          ),
      }, { ...keepalive, clock });
    }

    const aborted = signal?.aborted === true;
    this.#state = new StateEmitter<ConnectionState>(
      aborted ? { type: "disconnected" } : { type: "connecting" },
    );
    this.connection = this.#state;
    this.messages = this.#messages;
    if (aborted) return;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#connect();
  }

  /** The URL of the latest attempt; empty until a URL provider resolves. */
  get url(): string {
    return this.#url;
  }

  /**
   * The readyState of a WebSocket in the same situation: `0` while
   * connecting or reconnecting, `1` while connected, `2` while
   * disconnecting, `3` when disconnected.
   */
  get readyState(): number {
    const { type } = this.#state.value;
    if (type === "connected" || type === "reconnected") return OPEN;
    if (type === "disconnecting") return CLOSING;
    if (type === "disconnected") return CLOSED;
    return CONNECTING;
  }

  /** The subprotocol the server chose on the latest connection. */
  get protocol(): string {
    return this.#protocol;
  }

  /** The extensions the server chose on the latest connection. */
  get extensions(): string {
    return this.#extensions;
  }

  /** The code of the latest close frame received, if any. */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  /** The reason of the latest close frame received, if any. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /**
   * Bytes waiting to be sent: the open socket's `bufferedAmount` plus the
   * bytes held in the buffer.
   */
  get bufferedAmount(): number {
    return (this.#ws?.bufferedAmount ?? 0) + (this.#buffer?.bytes ?? 0);
  }

  /** How binary messages are delivered; a change applies at once and to every later connection. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(value: BinaryType) {
    this.#binaryType = checkBinaryType(value);
    if (this.#ws) this.#ws.binaryType = value;
  }

  /**
   * Sends `data` if the socket is open, otherwise keeps it in the buffer for
   * the next connection. Returns what it did; see {@linkcode SendResult}.
   * Once the client is disconnecting or disconnected it drops everything.
   * A buffer with the `"reject"` overflow policy throws its error from here.
   */
  send(data: WebSocketData): SendResult {
    const type = this.#state.value.type;
    if (type === "disconnecting" || type === "disconnected") return "dropped";
    const ws = this.#ws;
    if (
      ws !== undefined && this.#opened && !this.#flushing &&
      ws.readyState === OPEN && (this.#buffer?.size ?? 0) === 0
    ) {
      try {
        ws.send(data);
        return "sent";
      } catch (error) {
        const result = this.#queue(data);
        this.#fail(failure(sendFailed(error)));
        return result;
      }
    }
    return this.#queue(data);
  }

  /**
   * Stops the client: clears every timer, closes the socket with `code` and
   * `reason`, and resolves once it is closed (within `timeout`). A socket
   * still connecting is abandoned at once. Messages in the buffer stay
   * there for a later `reconnect()`. Calling it again returns the same
   * promise.
   *
   * @param code 1000 or an application code from 3000 to 4999.
   * @param reason At most 123 bytes of UTF-8.
   */
  close(code: number = normalClosure, reason: string = ""): Promise<void> {
    if (code !== normalClosure && !(code >= 3000 && code <= 4999)) {
      throw new RangeError(
        `Cannot close as 'code' must be 1000 or from 3000 to 4999: current value is ${code}`,
      );
    }
    if (new TextEncoder().encode(reason).length > 123) {
      throw new RangeError(
        "Cannot close as 'reason' must be at most 123 bytes of UTF-8",
      );
    }
    if (this.#closing) return this.#closing;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#state.value.type === "disconnected") return Promise.resolve();
    this.#clearRetry();
    const ws = this.#ws;
    if (ws === undefined || !this.#opened || ws.readyState !== OPEN) {
      this.#teardown();
      const disconnecting: ConnectionState = { type: "disconnecting" };
      this.#state.emit(disconnecting);
      // Unless a listener of "disconnecting" called reconnect().
      if (this.#state.value === disconnecting) {
        this.#stop({ code, reason, wasClean: false });
      }
      return Promise.resolve();
    }
    this.#detach?.();
    this.#detach = undefined;
    this.#ws = undefined;
    this.#teardown();
    let timer: TimerId | undefined;
    const onClose = (event: Event): void => {
      const close = event as CloseEvent;
      if (event.type === "close") {
        this.#closeCode = close.code;
        this.#closeReason = close.reason;
      }
      finish(
        event.type === "close"
          ? { code: close.code, reason: close.reason, wasClean: close.wasClean }
          : { code, reason, wasClean: false },
      );
    };
    let finished = false;
    const finish = (info: CloseInfo): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      ws.removeEventListener("close", onClose);
      ws.removeEventListener("error", onClose);
      this.#closing = undefined;
      this.#finishClosing = undefined;
      this.#stop(info);
      resolve();
    };
    let resolve!: () => void;
    this.#closing = new Promise<void>((r) => resolve = r);
    this.#finishClosing = () => finish({ code, reason, wasClean: false });
    ws.addEventListener("close", onClose);
    ws.addEventListener("error", onClose);
    timer = this.#clock.setTimeout(() => {
      timer = undefined;
      finish({ code, reason, wasClean: false });
    }, this.#timeout);
    const closing = this.#closing;
    this.#state.emit({ type: "disconnecting" });
    try {
      // If a listener of "disconnecting" called reconnect(), the close is
      // already finished and this just abandons the socket.
      ws.close(code, reason);
    } catch {
      finish({ code, reason, wasClean: false });
    }
    return closing;
  }

  /**
   * Drops the current connection, or the pending retry, and connects again
   * at once, with the backoff and retry count reset. Works after `close()`
   * and after `maxRetries` ran out (not once `signal` is aborted). The
   * buffer is flushed when the new connection opens.
   */
  reconnect(): void {
    if (this.#signal?.aborted) return;
    this.#finishClosing?.();
    this.#clearRetry();
    this.#teardown();
    this.#backoff.reset();
    this.#retries = 0;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    const state: ConnectionState = { type: "connecting" };
    this.#state.emit(state);
    if (this.#state.value === state) this.#connect();
  }

  /**
   * Resolves at the next `connected` or `reconnected` state, at once if the
   * client is connected. Rejects with a `WaitError` on timeout or abort, and
   * with a {@linkcode ConnectionError} of code `"disconnected"` if the
   * client stops first (or has stopped).
   */
  async ready(options: ReadyOptions = {}): Promise<void> {
    const state = await this.#state.until(
      (state) =>
        state.type === "connected" || state.type === "reconnected" ||
        state.type === "disconnected",
      { signal: options.signal, timeout: options.timeout, clock: this.#clock },
    );
    if (state.type === "disconnected") {
      throw new ConnectionError(
        "disconnected",
        "The client stopped before it connected",
        { cause: state.error },
      );
    }
  }

  /** Closes the client; the same as {@linkcode ReconnectingWebSocket.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #connect(): void {
    const attempt = ++this.#attempt;
    this.#attemptTimer = this.#clock.setTimeout(() => {
      this.#attemptTimer = undefined;
      this.#fail(failure(
        new ConnectionError(
          "connect_timeout",
          `The connection did not open within ${this.#timeout} ms`,
        ),
      ));
    }, this.#timeout);
    const provider = this.#urlProvider;
    let url: string | URL | PromiseLike<string | URL>;
    try {
      url = typeof provider === "function" ? provider() : provider;
    } catch (error) {
      this.#fail(failure(urlFailed(error)));
      return;
    }
    if (isThenable(url)) {
      url.then(
        (resolved) => {
          if (attempt === this.#attempt) this.#open(resolved);
        },
        (error) => {
          if (attempt === this.#attempt) this.#fail(failure(urlFailed(error)));
        },
      );
    } else {
      this.#open(url);
    }
  }

  #open(url: string | URL): void {
    const href = String(url);
    this.#url = href;
    let ws: WebSocketLike;
    try {
      ws = this.#headers !== undefined
        ? new this.#WebSocket(href, {
          ...(this.#protocols === undefined
            ? {}
            : { protocols: this.#protocols }),
          headers: this.#headers,
        })
        : this.#protocols !== undefined
        ? new this.#WebSocket(href, this.#protocols)
        : new this.#WebSocket(href);
      ws.binaryType = this.#binaryType;
    } catch (error) {
      this.#fail(failure(
        new ConnectionError(
          "connect_failed",
          `Cannot open a WebSocket to ${href}`,
          { cause: error },
        ),
      ));
      return;
    }
    const listener = (event: Event): void => this.#onSocketEvent(ws, event);
    for (const type of SOCKET_EVENTS) ws.addEventListener(type, listener);
    this.#ws = ws;
    this.#opened = false;
    this.#detach = () => {
      for (const type of SOCKET_EVENTS) ws.removeEventListener(type, listener);
    };
  }

  #onSocketEvent(ws: WebSocketLike, event: Event): void {
    if (ws !== this.#ws) return;
    switch (event.type) {
      case "open":
        this.#onOpen(ws);
        return;
      case "message": {
        const data = (event as MessageEvent).data;
        if (this.#keepalive?.received(data)) return;
        this.#messages.emit(data);
        return;
      }
      case "error": {
        const message = (event as ErrorEvent).message;
        this.#fail(failure(
          new ConnectionError(
            this.#opened ? "socket_error" : "connect_failed",
            typeof message === "string" && message !== ""
              ? message
              : "The WebSocket reported an error",
            { cause: (event as ErrorEvent).error ?? event },
          ),
        ));
        return;
      }
      case "close": {
        const { code, reason, wasClean } = event as CloseEvent;
        this.#closeCode = code;
        this.#closeReason = reason;
        this.#fail({ code, reason, wasClean });
        return;
      }
    }
  }

  #onOpen(ws: WebSocketLike): void {
    this.#clearTimer("attempt");
    this.#opened = true;
    // workerd reports null for both; the client's getters are never null.
    this.#protocol = ws.protocol ?? "";
    this.#extensions = ws.extensions ?? "";
    if (!this.#flush(ws)) return;
    this.#keepalive?.start();
    this.#uptimeTimer = this.#clock.setTimeout(() => {
      this.#uptimeTimer = undefined;
      this.#backoff.reset();
      this.#retries = 0;
    }, this.#minUptime);
    this.#state.emit({
      type: this.#state.value.type === "reconnecting"
        ? "reconnected"
        : "connected",
    });
  }

  /** Sends the buffer in order; false if the connection failed meanwhile. */
  #flush(ws: WebSocketLike): boolean {
    const buffer = this.#buffer;
    if (buffer === undefined) return true;
    this.#flushing = true;
    try {
      // peek, send, then shift: a message whose send throws stays first.
      for (let item = buffer.peek(); item !== undefined; item = buffer.peek()) {
        ws.send(item);
        buffer.shift();
        if (ws !== this.#ws) return false;
      }
    } catch (error) {
      this.#flushing = false;
      this.#fail(failure(sendFailed(error)));
      return false;
    } finally {
      this.#flushing = false;
    }
    return true;
  }

  #queue(data: WebSocketData): SendResult {
    if (this.#buffer === undefined) return "dropped";
    return this.#buffer.push(data) ? "queued" : "dropped";
  }

  /** Ends the current connection or attempt, then retries or stops. */
  #fail(info: CloseInfo): void {
    this.#teardown();
    let reconnect = false;
    try {
      reconnect = this.#shouldReconnect(info);
    } catch (error) {
      // A broken policy stops the client rather than retrying blindly; its
      // error is reported the way a throwing event listener's is.
      queueMicrotask(() => {
        throw error;
      });
    }
    if (!reconnect || this.#retries >= this.#maxRetries) {
      this.#stop(info);
      return;
    }
    const attempt = ++this.#retries;
    const delay = Math.min(MAX_DELAY, Math.max(0, this.#backoff.next()));
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
    this.#state.emit({ type: "reconnecting", attempt, delay });
  }

  /** Abandons the current socket or attempt and clears its timers. */
  #teardown(): void {
    this.#attempt++;
    this.#clearTimer("attempt");
    this.#clearTimer("uptime");
    this.#keepalive?.stop();
    this.#opened = false;
    this.#flushing = false;
    const ws = this.#ws;
    if (ws === undefined) return;
    this.#ws = undefined;
    this.#detach?.();
    this.#detach = undefined;
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) {
      try {
        ws.close();
      } catch {
        // Already closing or closed: nothing left to abandon.
      }
    }
  }

  #stop(info: CloseInfo): void {
    this.#clearRetry();
    this.#teardown();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#messages.end();
    const state: {
      type: "disconnected";
      code?: number;
      reason?: string;
      error?: ConnectionError;
    } = { type: "disconnected", code: info.code, reason: info.reason };
    if (info.error !== undefined) state.error = info.error;
    this.#state.finish(state);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== undefined) {
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
  }

  #clearTimer(which: "attempt" | "uptime"): void {
    const timer = which === "attempt" ? this.#attemptTimer : this.#uptimeTimer;
    if (timer === undefined) return;
    this.#clock.clearTimeout(timer);
    if (which === "attempt") this.#attemptTimer = undefined;
    else this.#uptimeTimer = undefined;
  }
}

function failure(error: ConnectionError): CloseInfo {
  return { code: abnormalClosure, reason: "", wasClean: false, error };
}

function urlFailed(cause: unknown): ConnectionError {
  return new ConnectionError("url_failed", "The URL provider failed", {
    cause,
  });
}

function sendFailed(cause: unknown): ConnectionError {
  return new ConnectionError("send_failed", "The WebSocket failed to send", {
    cause,
  });
}

function checkBinaryType(value: unknown): BinaryType {
  if (value !== "arraybuffer" && value !== "blob") {
    throw new TypeError(
      `Cannot set 'binaryType' as it must be "arraybuffer" or "blob": current value is ${
        String(value)
      }`,
    );
  }
  return value;
}
