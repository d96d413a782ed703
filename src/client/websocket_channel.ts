/**
 * {@linkcode WebSocketChannel}: one realtime channel with a connection of
 * its own, for code that needs a single room and no manager: it reconnects
 * at a steady pace, keeps the connection alive with pings, and buffers what
 * is sent while it is down.
 *
 * @module
 */

import {
  checkBoolean,
  checkKeys,
  checkMethods,
  checkNumber,
  checkString,
  optionMessage,
} from "../core/_options.ts";
import { ConstantBackoff } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { Emitter, type EventStream } from "../core/event_stream.ts";
import type {
  ChannelMessage,
  ChannelMessageOf,
  ChannelSendOptions,
  ChannelStatus,
  RealtimeChannel,
  SendArguments,
} from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";
import type { EventMap, ResyncEvent } from "./realtime_events.ts";
import { RealtimeManager } from "./realtime_manager.ts";
import type {
  RealtimeManagerOptions,
  TokenProvider,
} from "./realtime_manager_options.ts";
import type { WebSocketConstructor } from "../socket/reconnecting_websocket.ts";
import { checkWebSocket } from "../socket/_settings.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";

/**
 * How a {@linkcode WebSocketChannel} buffers what is sent while it is down.
 *
 * @example A full buffer rejects further messages
 * ```ts
 * import { type MessageBufferOptions, RealtimeError, WebSocketChannel } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const messageBuffer: MessageBufferOptions = { capacity: 1 };
 * await using channel = new WebSocketChannel({
 *   url: "ws://relay.test/ws",
 *   channelId: "lobby",
 *   messageBuffer,
 *   WebSocket: FakeWebSocket, // never opens until a test says so
 * });
 * channel.connect().catch(() => {}); // the join waits in the buffer
 * await assert.rejects(
 *   channel.send("hi"),
 *   (error) => error instanceof RealtimeError && error.code === "buffer_full",
 * );
 * ```
 */
export interface MessageBufferOptions {
  /**
   * The most messages (and other requests) that wait for the connection;
   * more reject with code `"buffer_full"`.
   * @default {1000}
   */
  capacity?: number;
}

/**
 * Options for {@linkcode WebSocketChannel}, in PkWebSocketChannel's names.
 * Times are milliseconds; only `url` and `channelId` are required. They are
 * checked at construction and translated, in one place, into the options of
 * the {@linkcode RealtimeManager} underneath: `reconnectDelay` becomes a
 * `ConstantBackoff`, `maxReconnectAttempts` is `maxRetries`, `pingInterval`
 * the keepalive interval, and `connectTimeout` both the connect timeout and
 * the ack timeout. A value out of range throws a `RangeError`, a value of
 * the wrong type or an unknown key a `TypeError`; nothing is clamped.
 *
 * @example A channel that retries every second, five times at most
 * ```ts
 * import {
 *   RealtimeError,
 *   WebSocketChannel,
 *   type WebSocketChannelOptions,
 * } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const options: WebSocketChannelOptions = {
 *   url: "wss://relay.test/ws",
 *   channelId: "lobby",
 *   reconnectDelay: 1000,
 *   maxReconnectAttempts: 5,
 *   echo: false,
 * };
 * await using channel = new WebSocketChannel(options); // connects on connect()
 * await assert.rejects(
 *   channel.send("hi"),
 *   (error) => error instanceof RealtimeError && error.code === "not_connected",
 * );
 * // A bad value throws; it is never clamped.
 * assert.throws(() => new WebSocketChannel({ ...options, pingInterval: 0 }), RangeError);
 * ```
 */
export interface WebSocketChannelOptions {
  /** The relay's WebSocket endpoint, such as `ws://host:8787/ws`. */
  url: string | URL;
  /** The channel to join. */
  channelId: string;
  /** Extra handshake headers (Deno, Bun and workerd; see `ReconnectingWebSocket`). */
  headers?: HeadersInit;
  /** An access token, or a function that returns one before each attempt. */
  token?: string | TokenProvider;
  /**
   * The delay before each reconnection attempt.
   * @default {2000}
   */
  reconnectDelay?: number;
  /**
   * Reconnection attempts in a row before giving up.
   * @default {10}
   */
  maxReconnectAttempts?: number;
  /**
   * Inbound silence before a ping is sent.
   * @default {30000}
   */
  pingInterval?: number;
  /**
   * How long a connection attempt, and then each request, may take.
   * @default {10000}
   */
  connectTimeout?: number;
  /**
   * Buffering of messages sent while disconnected; `false` rejects them
   * with code `"not_connected"` instead.
   * @default {{ capacity: 1000 }}
   */
  messageBuffer?: MessageBufferOptions | false;
  /** Whether this client hears its own messages. @default {true} */
  echo?: boolean;
  /** The WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /** The source of time. @default {systemClock} */
  clock?: Clock;
}

/**
 * A {@linkcode RealtimeChannel} that owns its connection: `connect()` opens
 * it and joins the channel, `disconnect()` closes it, and in between it
 * reconnects every `reconnectDelay` ms (2 s by default, up to 10 attempts in
 * a row) and joins again. Messages sent while it is down wait, up to 1000,
 * and go out in order once it is back.
 *
 * @example Watching a channel's status
 * ```ts
 * import { WebSocketChannel } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const channel = new WebSocketChannel({
 *   url: "ws://127.0.0.1:8787/ws",
 *   channelId: "lobby",
 * });
 * assert.equal(channel.channelId, "lobby");
 * assert.equal(channel.isConnected, false);
 * assert.equal(channel.status.value.type, "disconnected");
 * await channel.dispose(); // nothing was opened: nothing to close
 * ```
 */
export class WebSocketChannel<Events extends object = EventMap>
  implements RealtimeChannel<Events> {
  /** The channel's name. */
  readonly channelId: string;
  #url: string | URL;
  #managerOptions: RealtimeManagerOptions;
  #manager: RealtimeManager | undefined;
  #view: RealtimeChannel | undefined;
  #messages: Emitter<ChannelMessage> = new Emitter();
  #resyncs: Emitter<ResyncEvent> = new Emitter();
  #status: StateEmitter<ChannelStatus> = new StateEmitter<ChannelStatus>({
    type: "disconnected",
  });
  #disposed = false;

  /**
   * Creates the channel; nothing connects before
   * {@linkcode WebSocketChannel.connect}.
   *
   * @param options See {@linkcode WebSocketChannelOptions}.
   */
  constructor(options: WebSocketChannelOptions) {
    this.#managerOptions = translateOptions(options);
    this.channelId = options.channelId;
    this.#url = options.url;
  }

  /** Whether the channel is joined on an open connection. */
  get isConnected(): boolean {
    return this.#status.value.type === "connected";
  }

  /** Every message published in the channel from now on. */
  get messages(): EventStream<ChannelMessageOf<Events>> {
    // The relay hands back what members published; the app's event map
    // says what it expects it to be.
    return this.#messages as EventStream<unknown> as EventStream<
      ChannelMessageOf<Events>
    >;
  }

  /** Whether the channel is live; see {@linkcode ChannelStatus}. */
  get status(): StateStream<ChannelStatus> {
    return this.#status;
  }

  /** Each time the messages missed while disconnected could not be recovered. */
  get resyncs(): EventStream<ResyncEvent> {
    return this.#resyncs;
  }

  /** The session id of the current connection, or `null`. */
  get socketId(): string | null {
    return this.#manager?.getSocketId() ?? null;
  }

  /**
   * Opens the connection if needed and joins the channel; resolves once the
   * relay acknowledges the join.
   */
  async connect(): Promise<void> {
    if (this.#disposed) {
      throw new RealtimeError("closed", "The channel was disposed");
    }
    if (this.#manager === undefined) {
      this.#manager = this.#createManager();
      const view = this.#manager.channel(this.channelId);
      this.#view = view;
      view.messages.subscribe((message) => this.#messages.emit(message));
      view.resyncs.subscribe((event) => this.#resyncs.emit(event));
      view.status.subscribe((status) => this.#status.emit(status));
    } else {
      this.#manager.open();
    }
    await this.#view!.connect();
  }

  /** Closes the connection; requests still waiting reject with `"closed"`. */
  async disconnect(): Promise<void> {
    await this.#manager?.close();
  }

  /** Closes the connection and ends the streams for good. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await this.#manager?.close();
    } finally {
      this.#messages.close();
      this.#resyncs.close();
      this.#status.close();
    }
  }

  /**
   * Publishes `payload` under the event `options.type` (default
   * `"message"`); resolves once the relay acknowledges.
   */
  send<K extends keyof Events & string>(
    payload: Events[K],
    ...[options = {}]: SendArguments<K>
  ): Promise<void> {
    if (this.#disposed || this.#view === undefined) {
      return Promise.reject(
        new RealtimeError(
          this.#disposed ? "closed" : "not_connected",
          this.#disposed
            ? "The channel was disposed"
            : "Call connect() before send()",
        ),
      );
    }
    return this.#view.send(payload, options as ChannelSendOptions);
  }

  /** Disposes the channel; the same as {@linkcode WebSocketChannel.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #createManager(): RealtimeManager {
    return new RealtimeManager(this.#url, this.#managerOptions);
  }
}

const OWNER = "WebSocketChannel";
const KNOWN_KEYS: readonly string[] = Object.keys(
  {
    url: true,
    channelId: true,
    headers: true,
    token: true,
    reconnectDelay: true,
    maxReconnectAttempts: true,
    pingInterval: true,
    connectTimeout: true,
    messageBuffer: true,
    echo: true,
    WebSocket: true,
    clock: true,
  } satisfies Record<keyof WebSocketChannelOptions, true>,
);

/**
 * The one place where PkWebSocketChannel's option names become the
 * manager's (and, through it, the socket's). Each value is checked under
 * its own name first: a bad one throws a `TypeError` (wrong type, unknown
 * key) or a `RangeError` (out of range); nothing is clamped.
 *
 * | `WebSocketChannel` | must be | becomes |
 * |---|---|---|
 * | `reconnectDelay` (2000) | a non-negative finite number | `backoff: new ConstantBackoff(reconnectDelay)` |
 * | `maxReconnectAttempts` (10) | a non-negative integer or `Infinity` | `maxRetries` |
 * | `pingInterval` (30000) | a positive finite number | `keepalive: { interval: pingInterval }` |
 * | `connectTimeout` (10000) | positive | `timeout` (each attempt) and `ackTimeout` (each request) |
 * | `messageBuffer` (`{ capacity: 1000 }`) | `false` or `{ capacity }`, capacity non-negative | `bufferMessages: messageBuffer !== false`, `maxQueued: capacity` |
 * | `echo` (`true`) | a boolean | `echoMessages` |
 * | `url`, `headers`, `token`, `WebSocket`, `clock` | as the manager's | the same names |
 */
function translateOptions(
  options: WebSocketChannelOptions,
): RealtimeManagerOptions {
  if (typeof options !== "object" || options === null) {
    const must = "be an object";
    throw new TypeError(optionMessage(OWNER, "options", must, options));
  }
  checkKeys(OWNER, options, KNOWN_KEYS);
  const {
    url,
    channelId,
    headers,
    token,
    reconnectDelay = 2000,
    maxReconnectAttempts = 10,
    pingInterval = 30_000,
    connectTimeout = 10_000,
    messageBuffer = {},
    echo = true,
    WebSocket,
    clock,
  } = options;
  try {
    new URL(url);
  } catch (cause) {
    const must = "be a WebSocket URL";
    throw new TypeError(optionMessage(OWNER, "url", must, url), { cause });
  }
  checkString(OWNER, "channelId", channelId);
  if (
    token !== undefined && typeof token !== "string" &&
    typeof token !== "function"
  ) {
    const must = "be a string or a function";
    throw new TypeError(optionMessage(OWNER, "token", must, token));
  }
  checkNumber(OWNER, "reconnectDelay", reconnectDelay, {
    min: 0,
    finite: true,
  });
  checkNumber(OWNER, "maxReconnectAttempts", maxReconnectAttempts, {
    min: 0,
    integer: true,
    allowInfinity: true,
  });
  checkNumber(OWNER, "pingInterval", pingInterval, {
    positive: true,
    finite: true,
  });
  checkNumber(OWNER, "connectTimeout", connectTimeout, { positive: true });
  let capacity = 1000;
  if (messageBuffer !== false) {
    if (typeof messageBuffer !== "object" || messageBuffer === null) {
      const must = "be false or an object";
      throw new TypeError(
        optionMessage(OWNER, "messageBuffer", must, messageBuffer),
      );
    }
    checkKeys(OWNER, messageBuffer, ["capacity"]);
    capacity = checkNumber(
      OWNER,
      "messageBuffer.capacity",
      messageBuffer.capacity ?? capacity,
      { min: 0 },
    );
  }
  checkBoolean(OWNER, "echo", echo);
  checkWebSocket(OWNER, WebSocket);
  if (clock !== undefined) {
    checkMethods(OWNER, "clock", clock, ["now", "setTimeout", "clearTimeout"]);
  }
  return {
    headers,
    token,
    backoff: new ConstantBackoff(reconnectDelay),
    maxRetries: maxReconnectAttempts,
    keepalive: { interval: pingInterval },
    timeout: connectTimeout,
    ackTimeout: connectTimeout,
    bufferMessages: messageBuffer !== false,
    maxQueued: capacity,
    echoMessages: echo,
    WebSocket,
    clock,
  };
}
