/**
 * {@linkcode WebSocketChannel}: one realtime channel with a connection of
 * its own, for code that needs a single room and no manager: it reconnects
 * at a steady pace, keeps the connection alive with pings, and buffers what
 * is sent while it is down.
 *
 * @module
 */

import { checkNumber, checkString, optionMessage } from "../core/_options.ts";
import { ConstantBackoff } from "../core/backoff.ts";
import type { Clock } from "../core/clock.ts";
import { Emitter, type EventStream } from "../core/event_stream.ts";
import type {
  ChannelMessage,
  ChannelSendOptions,
  ChannelStatus,
  RealtimeChannel,
} from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";
import { RealtimeManager, type TokenProvider } from "./realtime_manager.ts";
import type { WebSocketConstructor } from "../socket/reconnecting_websocket.ts";
import { StateEmitter, type StateStream } from "../core/state_stream.ts";

/**
 * How a {@linkcode WebSocketChannel} buffers what is sent while it is down.
 *
 * @example A full buffer rejects further messages
 * ```ts
 * import { type MessageBufferOptions, RealtimeError, WebSocketChannel } from "@lifeline/realtime";
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
 * const messageBuffer: MessageBufferOptions = { capacity: 1 };
 * await using channel = new WebSocketChannel({
 *   url: "ws://relay.test/ws",
 *   channelId: "lobby",
 *   messageBuffer,
 *   WebSocket: NeverOpens,
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
 * Options for {@linkcode WebSocketChannel}. Times are milliseconds; only
 * `url` and `channelId` are required.
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
 * ```
 */
export interface WebSocketChannelOptions {
  /** The relay's WebSocket endpoint, such as `ws://host:8787/ws`. */
  url: string | URL;
  /** The channel to join. */
  channelId: string;
  /** Extra handshake headers (Deno and Bun only; see `ReconnectingWebSocket`). */
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
export class WebSocketChannel implements RealtimeChannel {
  /** The channel's name. */
  readonly channelId: string;
  #options: WebSocketChannelOptions;
  #manager: RealtimeManager | undefined;
  #view: RealtimeChannel | undefined;
  #messages: Emitter<ChannelMessage> = new Emitter();
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
    const owner = "WebSocketChannel";
    if (typeof options !== "object" || options === null) {
      const must = "be an object";
      throw new TypeError(optionMessage(owner, "options", must, options));
    }
    this.channelId = checkString(owner, "channelId", options.channelId);
    this.#options = { ...options };
    // Validate the URL and the numbers now, not at the first connect().
    new URL(options.url);
    for (
      const name of [
        "reconnectDelay",
        "maxReconnectAttempts",
        "pingInterval",
        "connectTimeout",
      ] as const
    ) {
      const value = options[name];
      if (value !== undefined) checkNumber(owner, name, value, { min: 0 });
    }
  }

  /** Whether the channel is joined on an open connection. */
  get isConnected(): boolean {
    return this.#status.value.type === "connected";
  }

  /** Every message published in the channel from now on. */
  get messages(): EventStream<ChannelMessage> {
    return this.#messages;
  }

  /** Whether the channel is live; see {@linkcode ChannelStatus}. */
  get status(): StateStream<ChannelStatus> {
    return this.#status;
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
      this.#status.close();
    }
  }

  /**
   * Publishes `payload` under the event `options.type` (default
   * `"message"`); resolves once the relay acknowledges.
   */
  send(payload: unknown, options: ChannelSendOptions = {}): Promise<void> {
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
    return this.#view.send(payload, options);
  }

  /** Disposes the channel; the same as {@linkcode WebSocketChannel.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #createManager(): RealtimeManager {
    const {
      url,
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
    } = this.#options;
    return new RealtimeManager(url, {
      headers,
      token,
      backoff: new ConstantBackoff(reconnectDelay),
      maxRetries: maxReconnectAttempts,
      keepalive: { interval: Math.max(1, pingInterval) },
      timeout: Math.max(1, connectTimeout),
      ackTimeout: Math.max(1, connectTimeout),
      bufferMessages: messageBuffer !== false,
      maxQueued: messageBuffer === false ? 1000 : messageBuffer.capacity,
      echoMessages: echo,
      WebSocket,
      clock,
    });
  }
}
