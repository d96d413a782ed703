/**
 * `WebSocketConnection`: one RFC 6455 connection over a byte stream, client
 * or server side, with two faces. The `WebSocket` face (events, `send`,
 * `close`, `readyState`, `bufferedAmount`) lets `ReconnectingWebSocket` run
 * over it through its `WebSocket` option; the `WebSocketStream` face
 * (`opened`, `closed`, `readable` and `writable` of messages) pushes back:
 * once `readable` is taken, bytes are read off the stream only as fast as
 * messages are read from it, and a write to `writable` resolves when the
 * byte stream took the frame. Pings are answered on their own; `ping()`
 * resolves on its pong.
 *
 * This file is the public face; the state machine, the close handshake and
 * the stream face are in `_connection.ts`, sending in `_outbound.ts`, the
 * received messages' stream in `_inbox.ts`, pings in `_pings.ts`.
 *
 * @module
 */

import type { WebSocketData } from "../core/ring_buffer.ts";
import type { EstablishedStream } from "./byte_stream.ts";
import { Connection } from "./_connection.ts";
import { dispatchWithHandler, messageEvent } from "./_events.ts";
import type {
  WebSocketCloseInfo,
  WebSocketConnectionEventMap,
  WebSocketConnectionOptions,
  WebSocketStreamOpened,
} from "./web_socket_connection_options.ts";

export type { Role } from "./_frame_decoder.ts";
export type {
  WebSocketCloseInfo,
  WebSocketConnectionEventMap,
  WebSocketConnectionOptions,
  WebSocketStreamOpened,
} from "./web_socket_connection_options.ts";

/**
 * An `on…` event handler property, as on a `WebSocket`.
 *
 * @example A message handler
 * ```ts
 * import type { EventHandler } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const seen: unknown[] = [];
 * const onmessage: EventHandler<MessageEvent> = (event) => seen.push(event.data);
 * onmessage.call(undefined as never, new MessageEvent("message", { data: "hi" }));
 * assert.deepEqual(seen, ["hi"]);
 * ```
 */
export type EventHandler<E extends Event> =
  | ((this: WebSocketConnection, event: E) => unknown)
  | null;

/** The typed listeners of {@linkcode WebSocketConnection}. */
export interface WebSocketConnection {
  /** Adds a typed listener. */
  addEventListener<K extends keyof WebSocketConnectionEventMap>(
    type: K,
    listener: (
      this: WebSocketConnection,
      event: WebSocketConnectionEventMap[K],
    ) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Adds a listener. */
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Removes a typed listener. */
  removeEventListener<K extends keyof WebSocketConnectionEventMap>(
    type: K,
    listener: (
      this: WebSocketConnection,
      event: WebSocketConnectionEventMap[K],
    ) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a listener. */
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * One WebSocket connection over a byte stream; see the module doc. Made
 * from an {@linkcode EstablishedStream} it is open at once; made from a
 * promise of one it is connecting until it settles. `connect`, `accept` and
 * `TcpWebSocket` make them for you.
 *
 * @example Two ends over an in-memory pipe
 * ```ts
 * import { WebSocketConnection } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const a = new TransformStream<Uint8Array, Uint8Array>();
 * const b = new TransformStream<Uint8Array, Uint8Array>();
 * const client = new WebSocketConnection({ stream: { readable: a.readable, writable: b.writable } });
 * const server = new WebSocketConnection(
 *   { stream: { readable: b.readable, writable: a.writable } },
 *   { role: "server" },
 * );
 * const got = new Promise((resolve) => server.addEventListener("message", (e) => resolve(e.data)));
 * client.send("hello");
 * assert.equal(await got, "hello");
 * await client.ping();
 * client.close(1000, "done");
 * assert.deepEqual(await server.closed, { closeCode: 1000, reason: "done", wasClean: true });
 * await client.closed;
 * ```
 */
export class WebSocketConnection extends EventTarget {
  /** The connection is being opened. */
  static readonly CONNECTING = 0;
  /** The connection is open. */
  static readonly OPEN = 1;
  /** The close handshake is under way. */
  static readonly CLOSING = 2;
  /** The connection is closed. */
  static readonly CLOSED = 3;
  /** The connection is being opened. */
  readonly CONNECTING = 0;
  /** The connection is open. */
  readonly OPEN = 1;
  /** The close handshake is under way. */
  readonly CLOSING = 2;
  /** The connection is closed. */
  readonly CLOSED = 3;

  /** The URL given in the options, or to `connect`. */
  readonly url: string;
  /** How binary messages arrive in `message` events. */
  binaryType: "blob" | "arraybuffer" = "blob";
  /** Called with each `open` event. */
  onopen: EventHandler<Event> = null;
  /** Called with each `message` event. */
  onmessage: EventHandler<MessageEvent> = null;
  /** Called with each `error` event. */
  onerror: EventHandler<Event> = null;
  /** Called with each `close` event. */
  onclose: EventHandler<CloseEvent> = null;

  readonly #conn: Connection;

  /**
   * Starts the connection over `established`, or once it resolves.
   *
   * @param established The byte stream past its handshake, or a promise of it.
   * @param options The role, limits and timings.
   * @throws {TypeError} For an unknown option or a bad value.
   */
  constructor(
    established: EstablishedStream | Promise<EstablishedStream>,
    options: WebSocketConnectionOptions = {},
  ) {
    super();
    this.#conn = new Connection(established, options, {
      dispatch: (event) => dispatchWithHandler(this, event),
      message: (data) =>
        dispatchWithHandler(this, messageEvent(data, this.binaryType)),
      close: () => this.close(),
    });
    this.url = options.url ?? "";
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#conn.readyState;
  }

  /** The subprotocol agreed, `""` for none. */
  get protocol(): string {
    return this.#conn.protocol;
  }

  /** The extensions agreed, `""` for none. */
  get extensions(): string {
    return this.#conn.extensions;
  }

  /** Payload bytes passed to `send` that the byte stream has not taken yet. */
  get bufferedAmount(): number {
    return this.#conn.bufferedAmount;
  }

  /** Resolves once open, with the stream face; rejects if opening failed. */
  get opened(): Promise<WebSocketStreamOpened> {
    return this.#conn.opened;
  }

  /** Resolves once closed, cleanly or not. */
  get closed(): Promise<WebSocketCloseInfo> {
    return this.#conn.closed;
  }

  /**
   * The messages received, as a stream, from the first one on. Taking it
   * turns on backpressure: bytes are then read off the byte stream only
   * while fewer than `highWaterMark` messages wait in it (pings wait too).
   * Cancelling it closes the connection. A connection read through
   * `message` events alone stops queueing for it once `highWaterMark`
   * messages wait untaken: the stream then ends after those.
   */
  get readable(): ReadableStream<string | Uint8Array> {
    return this.#conn.readable;
  }

  /**
   * Messages to send, as a stream: each write resolves once the byte stream
   * took the frame. Closing it closes the connection and waits for the end.
   */
  get writable(): WritableStream<string | BufferSource> {
    return this.#conn.writable;
  }

  /**
   * Sends a message: a string as text, bytes or a `Blob` as binary. Throws
   * `InvalidStateError` while connecting; ignored once closing.
   *
   * @param data The message.
   */
  send(data: WebSocketData): void {
    this.#conn.send(data);
  }

  /**
   * Starts the close handshake: 1000 or 3000–4999, and a reason of at most
   * 123 UTF-8 bytes, as `WebSocket.close` takes. While connecting, the
   * attempt is abandoned (1006).
   *
   * @param code The close code; none sends a close frame without one.
   * @param reason The close reason.
   */
  close(code?: number, reason = ""): void {
    this.#conn.close(code, reason);
  }

  /**
   * Sends a ping; resolves when its pong arrives, rejects with a
   * `WireError` of code `closed` if the connection closes first.
   *
   * @param data The ping's payload, at most 125 bytes; 8 random bytes by default.
   */
  ping(data?: Uint8Array): Promise<void> {
    return this.#conn.ping(data);
  }

  /** Closes the connection and waits until it is closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#conn.closed;
  }
}
