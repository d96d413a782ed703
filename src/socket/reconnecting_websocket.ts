/**
 * A WebSocket client that stays connected: it reconnects with jittered
 * backoff, buffers what is sent while it is down and flushes it in order on
 * reconnect, detects dead connections with a keepalive, and reports its
 * connection state as a stream you can subscribe to, iterate or wait on.
 *
 * Its vocabulary lives beside it, one concept per file, re-exported here;
 * `_settings.ts` checks the options and `_connector.ts` opens the sockets.
 *
 * Its WebSocket-shaped face (typed listeners, `on…` properties, the
 * `readyState` constants) is the class it extends, `SocketEventTarget` in
 * `socket_events.ts`; this class dispatches the events.
 *
 * The file is over 500 lines only because every public member carries its
 * documentation and asserted examples (the constructor's two forms each
 * have theirs); its code is about 410 lines, the state machine that must be
 * read in one piece. How it logs is `_state_log.ts`.
 *
 * @module
 */

import type { TimerId } from "../core/clock.ts";
import { Emitter, type EventStream } from "../core/event_stream.ts";
import type { WebSocketData } from "../core/ring_buffer.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";
import { abnormalClosure, normalClosure } from "../core/status.ts";
import { WaitError } from "../core/wait_error.ts";
import {
  checkBinaryType,
  constructorOptions,
  resolveSettings,
  type Settings,
} from "./_settings.ts";
import { closeEvent, errorEvent, messageEvent } from "./_dom_events.ts";
import { logState } from "./_state_log.ts";
import { onFirstMessageListener, SocketEventTarget } from "./socket_events.ts";
import {
  awaitClose,
  checkCloseArguments,
  CLOSED,
  CLOSING,
  CONNECTING,
  Connector,
  OPEN,
} from "./_connector.ts";
import { RetryTimer } from "./_network_events.ts";
import type { CloseInfo } from "./close_info.ts";
import { ConnectionError } from "./connection_error.ts";
import type { ConnectionState } from "./connection_state.ts";
import type { SendResult } from "./send_result.ts";
import type {
  ProtocolsProvider,
  ReadyOptions,
  ReconnectingWebSocketOptions,
  UrlProvider,
} from "./reconnecting_websocket_options.ts";
import type {
  BinaryType,
  MessageData,
  WebSocketLike,
} from "./web_socket_like.ts";

export { type CloseInfo, defaultShouldReconnect } from "./close_info.ts";
export type { ConnectionState } from "./connection_state.ts";
export type { SendResult } from "./send_result.ts";
export {
  type ReconnectingWebSocketEventMap,
  type SocketEventHandler,
  SocketEventTarget,
} from "./socket_events.ts";
export type {
  KeepaliveSettings,
  NetworkEventSource,
  ProtocolsProvider,
  ReadyOptions,
  ReconnectingWebSocketOptions,
  UrlProvider,
} from "./reconnecting_websocket_options.ts";
export type {
  BinaryType,
  MessageData,
  WebSocketConstructor,
  WebSocketInit,
  WebSocketLike,
} from "./web_socket_like.ts";

// Timers treat a longer delay as 1 ms, which would turn a long backoff into a
// retry storm.
const MAX_DELAY = 2_147_483_647;

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
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket(
 *   () => "ws://example.test/?token=abc",
 *   { WebSocket: fake.WebSocket, keepalive: false },
 * );
 * queueMicrotask(() => fake.last.open()); // the server accepts
 * await socket.ready({ timeout: 1000 });
 * assert.equal(socket.connection.value.type, "connected");
 * assert.equal(socket.send("hi"), "sent");
 * assert.deepEqual(fake.last.sent, ["hi"]);
 * ```
 *
 * @example The WebSocket API: partysocket's constructor, listeners, readyState
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * const ws = new ReconnectingWebSocket("wss://example.test", "chat", {
 *   WebSocket: fake.WebSocket,
 *   maxRetries: 3,
 * });
 * const received: unknown[] = [];
 * ws.addEventListener("open", () => ws.send("hello!"));
 * ws.onmessage = (event) => received.push(event.data);
 * fake.last.open("chat");
 * fake.last.receive("hi");
 * assert.equal(ws.readyState, ReconnectingWebSocket.OPEN);
 * assert.equal(ws.protocol, "chat");
 * assert.deepEqual(fake.last.sent, ["hello!"]);
 * assert.deepEqual(received, ["hi"]);
 * await ws.close();
 * assert.equal(ws.readyState, ws.CLOSED);
 * ```
 */
export class ReconnectingWebSocket extends SocketEventTarget
  implements AsyncDisposable {
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

  #settings: Settings;
  #connector: Connector;
  #state: StateEmitter<ConnectionState>;
  #messages: Emitter<MessageData> = new Emitter();
  /** Whether a `message` listener was ever added; events are built from then on. */
  #messageListened = false;
  #binaryType: BinaryType;
  #onAbort = (): void => void this.close();

  #flushing = false;
  #retries = 0;
  #retry: RetryTimer;
  #uptimeTimer: TimerId | undefined;
  #closing: Promise<void> | undefined;
  #finishClosing: (() => void) | undefined;
  #protocol = "";
  #extensions = "";
  #closeCode: number | undefined;
  #closeReason: string | undefined;

  /**
   * Creates the client and starts connecting at once (unless `signal` is
   * already aborted). A bad option (an unknown key, a wrong type, a value out
   * of range) throws at once, naming it.
   *
   * @param url Where to connect; see {@linkcode UrlProvider}.
   * @param options See {@linkcode ReconnectingWebSocketOptions}.
   */
  constructor(url: UrlProvider, options?: ReconnectingWebSocketOptions);
  /**
   * The constructor of partysocket and reconnecting-websocket:
   * `new ReconnectingWebSocket(url, protocols, options)`.
   *
   * @param url Where to connect; see {@linkcode UrlProvider}.
   * @param protocols The subprotocols to offer, or `null` for none; see
   * {@linkcode ProtocolsProvider}.
   * @param options See {@linkcode ReconnectingWebSocketOptions}; without
   * `protocols`.
   */
  constructor(
    url: UrlProvider,
    protocols?: ProtocolsProvider | null,
    options?: ReconnectingWebSocketOptions,
  );
  constructor(
    url: UrlProvider,
    second?: ReconnectingWebSocketOptions | ProtocolsProvider | null,
    third?: ReconnectingWebSocketOptions,
  ) {
    super();
    onFirstMessageListener(this, () => this.#messageListened = true);
    const settings = resolveSettings(url, constructorOptions(second, third));
    this.#settings = settings;
    this.#binaryType = settings.binaryType;
    this.#retry = new RetryTimer(settings.clock, settings.networkEvents);
    this.#connector = new Connector(settings, {
      open: (ws) => this.#onOpen(ws),
      message: (data) => {
        this.#messages.emit(data);
        // No MessageEvent is built until someone listens for one.
        if (this.#messageListened) this.dispatchEvent(messageEvent(data));
      },
      close: (info) => {
        this.#closeCode = info.code;
        this.#closeReason = info.reason;
        this.#fail(info);
      },
      fail: (error) => this.#fail(failure(error)),
    });

    const { signal } = settings;
    const aborted = signal?.aborted === true;
    this.#state = new StateEmitter<ConnectionState>(
      aborted ? { type: "disconnected" } : { type: "connecting" },
    );
    this.connection = this.#state;
    this.messages = this.#messages;
    const { log } = settings;
    if (log !== undefined) {
      this.#state.subscribe((state) => logState(log, state));
    }
    if (aborted) return;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#connector.connect(this.#binaryType);
  }

  /**
   * How many retries in a row have been made since the latest connection
   * that stayed up for `minUptime` (or since `reconnect()`).
   */
  get retryCount(): number {
    return this.#retries;
  }

  /** The URL of the latest attempt; empty until a URL provider resolves. */
  get url(): string {
    return this.#connector.url;
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
    const buffered = this.#connector.socket?.bufferedAmount ?? 0;
    return buffered + (this.#settings.buffer?.bytes ?? 0);
  }

  /** How binary messages are delivered; a change applies at once and to every later connection. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  set binaryType(value: BinaryType) {
    this.#binaryType = checkBinaryType(value);
    const ws = this.#connector.socket;
    if (ws) ws.binaryType = value;
  }

  /**
   * Sends `data` if the socket is open, otherwise keeps it in the buffer for
   * the next connection. Returns what it did; see {@linkcode SendResult}.
   * Once the client is disconnecting or disconnected it drops everything.
   * A buffer with the `"reject"` overflow policy throws its error from here.
   */
  send(data: WebSocketData): SendResult {
    const type = this.#state.value.type;
    if (type === "disconnecting" || type === "disconnected") {
      this.#settings.log?.("warn", "drop", { reason: "closed" });
      return "dropped";
    }
    const ws = this.#connector.socket;
    if (
      ws !== undefined && this.#connector.opened && !this.#flushing &&
      ws.readyState === OPEN && (this.#settings.buffer?.size ?? 0) === 0
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
    checkCloseArguments(code, reason);
    if (this.#closing) return this.#closing;
    this.#settings.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#state.value.type === "disconnected") return Promise.resolve();
    this.#clearRetry();
    const ws = this.#connector.socket;
    if (ws === undefined || !this.#connector.opened || ws.readyState !== OPEN) {
      this.#teardown();
      const disconnecting: ConnectionState = { type: "disconnecting" };
      this.#state.emit(disconnecting);
      // Unless a listener of "disconnecting" called reconnect().
      if (this.#state.value === disconnecting) {
        const info = { code, reason, wasClean: false };
        this.#stop(info);
        this.#dispatchClose(info);
      }
      return Promise.resolve();
    }
    this.#connector.release();
    this.#teardown();
    let resolve!: () => void;
    const closing = new Promise<void>((r) => resolve = r);
    this.#closing = closing;
    const { timeout, clock } = this.#settings;
    this.#finishClosing = awaitClose(
      ws,
      { code, reason, timeout, clock },
      (info, received) => {
        if (received) {
          this.#closeCode = info.code;
          this.#closeReason = info.reason;
        }
        this.#closing = undefined;
        this.#finishClosing = undefined;
        this.#stop(info);
        this.#dispatchClose(info);
        resolve();
      },
    );
    const finishNow = this.#finishClosing;
    this.#state.emit({ type: "disconnecting" });
    try {
      // If a listener of "disconnecting" called reconnect(), the close is
      // already finished and this just abandons the socket.
      ws.close(code, reason);
    } catch {
      finishNow();
    }
    return closing;
  }

  /**
   * Drops the current connection, or the pending retry, and connects again
   * at once, with the backoff and retry count reset. Works after `close()`
   * and after `maxRetries` ran out (not once `signal` is aborted). The
   * buffer is flushed when the new connection opens. An open connection is
   * closed with `code` and `reason`, as reconnecting-websocket's is.
   *
   * @param code 1000 or an application code from 3000 to 4999.
   * @param reason At most 123 bytes of UTF-8.
   */
  reconnect(code?: number, reason?: string): void {
    if (code !== undefined || reason !== undefined) {
      checkCloseArguments(code ?? normalClosure, reason ?? "");
    }
    const { signal } = this.#settings;
    if (signal?.aborted) return;
    const wasOpen = this.readyState === OPEN;
    this.#finishClosing?.();
    this.#clearRetry();
    this.#teardown(code, reason);
    if (wasOpen) {
      this.#dispatchClose({
        code: code ?? normalClosure,
        reason: reason ?? "",
        wasClean: true,
      });
    }
    this.#settings.backoff.reset();
    this.#retries = 0;
    signal?.removeEventListener("abort", this.#onAbort);
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    const state: ConnectionState = { type: "connecting" };
    this.#state.emit(state);
    if (this.#state.value === state) this.#connector.connect(this.#binaryType);
  }

  /**
   * Resolves at the next `connected` or `reconnected` state, at once if the
   * client is connected. Rejects with a `WaitError` on timeout or abort (a
   * timeout while `reconnecting` has the latest attempt's error as its
   * `cause`), and with a {@linkcode ConnectionError} of code
   * `"disconnected"`, whose `cause` says why, if the client stops first (or
   * has stopped).
   */
  async ready(options: ReadyOptions = {}): Promise<void> {
    const { signal, timeout } = options;
    const { clock } = this.#settings;
    let state: ConnectionState;
    try {
      state = await this.#state.until(settled, { signal, timeout, clock });
    } catch (error) {
      const now = this.#state.value;
      if (
        error instanceof WaitError && error.code === "timeout" &&
        now.type === "reconnecting" && now.error !== undefined
      ) {
        throw new WaitError(
          "timeout",
          `${error.message}; the latest attempt failed: ${now.error.message}`,
          { cause: now.error },
        );
      }
      throw error;
    }
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

  #onOpen(ws: WebSocketLike): void {
    // workerd reports null for both; the client's getters are never null.
    this.#protocol = ws.protocol ?? "";
    this.#extensions = ws.extensions ?? "";
    if (!this.#flush(ws)) return;
    this.#connector.startKeepalive();
    this.#uptimeTimer = this.#settings.clock.setTimeout(() => {
      this.#uptimeTimer = undefined;
      this.#settings.backoff.reset();
      this.#retries = 0;
    }, this.#settings.minUptime);
    this.#state.emit({
      type: this.#state.value.type === "reconnecting"
        ? "reconnected"
        : "connected",
    });
    if (ws === this.#connector.socket) this.dispatchEvent(new Event("open"));
  }

  /** Sends the buffer in order; false if the connection failed meanwhile. */
  #flush(ws: WebSocketLike): boolean {
    const buffer = this.#settings.buffer;
    if (buffer === undefined) return true;
    this.#flushing = true;
    let count = 0;
    try {
      // peek, send, then shift: a message whose send throws stays first.
      for (let item = buffer.peek(); item !== undefined; item = buffer.peek()) {
        ws.send(item);
        buffer.shift();
        count++;
        if (ws !== this.#connector.socket) return false;
      }
    } catch (error) {
      this.#flushing = false;
      this.#fail(failure(sendFailed(error)));
      return false;
    } finally {
      this.#flushing = false;
      if (count > 0) this.#settings.log?.("debug", "flush", { count });
    }
    return true;
  }

  #queue(data: WebSocketData): SendResult {
    const { buffer, log } = this.#settings;
    if (buffer === undefined) {
      log?.("warn", "drop", { reason: "no_buffer" });
      return "dropped";
    }
    if (buffer.push(data)) return "queued";
    log?.("warn", "drop", { reason: "buffer_full" });
    return "dropped";
  }

  /** Ends the current connection or attempt, then retries or stops. */
  #fail(info: CloseInfo): void {
    this.#teardown();
    const { shouldReconnect, maxRetries, backoff } = this.#settings;
    let reconnect = false;
    try {
      reconnect = shouldReconnect(info);
    } catch (error) {
      // A broken policy stops the client rather than retrying blindly; its
      // error is reported the way a throwing event listener's is.
      queueMicrotask(() => {
        throw error;
      });
    }
    if (!reconnect || this.#retries >= maxRetries) {
      this.#stop(info);
      this.#dispatchClose(info);
      return;
    }
    const attempt = ++this.#retries;
    const delay = Math.min(MAX_DELAY, Math.max(0, backoff.next()));
    this.#retry.schedule(
      delay,
      () => this.#connector.connect(this.#binaryType),
    );
    const { error } = info;
    this.#state.emit(
      error === undefined
        ? { type: "reconnecting", attempt, delay }
        : { type: "reconnecting", attempt, delay, error },
    );
    this.#dispatchClose(info);
  }

  /** Dispatches `error` (if the connection failed), then `close`. */
  #dispatchClose(info: CloseInfo): void {
    if (info.error !== undefined) this.dispatchEvent(errorEvent(info.error));
    this.dispatchEvent(closeEvent(info));
  }

  /** Abandons the current socket or attempt and clears its timers. */
  #teardown(code?: number, reason?: string): void {
    if (this.#uptimeTimer !== undefined) {
      this.#settings.clock.clearTimeout(this.#uptimeTimer);
      this.#uptimeTimer = undefined;
    }
    this.#flushing = false;
    this.#connector.abandon(code, reason);
  }

  #stop(info: CloseInfo): void {
    this.#clearRetry();
    this.#teardown();
    this.#settings.signal?.removeEventListener("abort", this.#onAbort);
    this.#messages.end();
    const { code, reason, error } = info;
    this.#state.finish(
      error === undefined
        ? { type: "disconnected", code, reason }
        : { type: "disconnected", code, reason, error },
    );
  }

  #clearRetry(): void {
    this.#retry.clear();
  }
}

function settled(state: ConnectionState): boolean {
  const { type } = state;
  return type === "connected" || type === "reconnected" ||
    type === "disconnected";
}

function failure(error: ConnectionError): CloseInfo {
  return { code: abnormalClosure, reason: "", wasClean: false, error };
}

function sendFailed(cause: unknown): ConnectionError {
  return new ConnectionError("send_failed", "The WebSocket failed to send", {
    cause,
  });
}
