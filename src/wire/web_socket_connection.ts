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
 * The file is over 500 lines (about 640, a third of them docs) because the
 * two faces share one state machine (connecting, open, closing, closed) and
 * its private fields, which do not split without exposing them.
 *
 * @module
 */

import {
  invalidFramePayloadData,
  isApplicationCloseCode,
  messageTooBig,
} from "../core/status.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import type { WebSocketData } from "../core/ring_buffer.ts";
import { checkKeys, checkNumber, checkOneOf } from "../core/_options.ts";
import { closePayload, MAX_REASON_BYTES } from "./_close.ts";
import {
  FrameDecoder,
  OP_BINARY,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  type Role,
} from "./_frame_decoder.ts";
import { encodeFrame } from "./_frame_encoder.ts";
import { deflate, inflate } from "./_permessage_deflate.ts";
import type { ByteStream, EstablishedStream } from "./byte_stream.ts";
import { closeEvent, errorEvent } from "./_events.ts";
import { closeStream } from "./_release.ts";
import type {
  WebSocketCloseInfo,
  WebSocketConnectionEventMap,
  WebSocketConnectionOptions,
  WebSocketStreamOpened,
} from "./web_socket_connection_options.ts";
import { LIMIT_KEYS, resolveLimits, type WireLimits } from "./limits.ts";
import { WireError } from "./wire_error.ts";

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

type Handler = EventHandler<Event>;

const KNOWN_OPTIONS = [
  "role",
  "url",
  "highWaterMark",
  "closeTimeout",
  "clock",
  ...LIMIT_KEYS,
];
const encoder = new TextEncoder();

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

  #state = 0;
  #protocol = "";
  #extensions = "";
  #buffered = 0;
  readonly #mask: boolean;
  #decoder!: FrameDecoder;
  readonly #role: Role;
  readonly #limits: Required<WireLimits>;
  #deflate = false;
  #incoming: Promise<void> | undefined;
  readonly #highWaterMark: number;
  readonly #closeTimeout: number;
  readonly #clock: Clock;
  #stream: ByteStream | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #closeSent = false;
  #timer: TimerId | undefined;
  /** Sends waiting for an async step (a Blob read, compression), in order. */
  #queued: Promise<void> | undefined;
  #pings: { key: string; resolve: () => void; reject: (e: Error) => void }[] =
    [];
  readonly #readable: ReadableStream<string | Uint8Array>;
  #taken = false;
  #controller: ReadableStreamDefaultController<string | Uint8Array> | undefined;
  #resume: (() => void) | undefined;
  #writable: WritableStream<string | BufferSource> | undefined;
  readonly #opened: Promise<WebSocketStreamOpened>;
  #resolveOpened!: (opened: WebSocketStreamOpened) => void;
  #rejectOpened!: (error: unknown) => void;
  readonly #closed: Promise<WebSocketCloseInfo>;
  #resolveClosed!: (info: WebSocketCloseInfo) => void;

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
    const owner = "WebSocketConnection";
    checkKeys(owner, options, KNOWN_OPTIONS);
    const role = checkOneOf(owner, "role", options.role ?? "client", [
      "client",
      "server",
    ]);
    this.url = options.url ?? "";
    this.#mask = role === "client";
    this.#highWaterMark = checkNumber(
      owner,
      "highWaterMark",
      options.highWaterMark ?? 16,
      { positive: true, integer: true },
    );
    this.#closeTimeout = checkNumber(
      owner,
      "closeTimeout",
      options.closeTimeout ?? 5000,
      { min: 0 },
    );
    this.#clock = options.clock ?? systemClock;
    this.#role = role;
    this.#limits = resolveLimits(owner, options);
    this.#opened = new Promise((resolve, reject) => {
      this.#resolveOpened = resolve;
      this.#rejectOpened = reject;
    });
    this.#opened.catch(() => {});
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#readable = new ReadableStream<string | Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel: () => this.close(),
    }, new CountQueuingStrategy({ highWaterMark: this.#highWaterMark }));
    if (established instanceof Promise) {
      established.then(
        (e) => this.#start(e),
        (error) => this.#openFailed(error),
      );
    } else {
      this.#start(established);
    }
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#state;
  }

  /** The subprotocol agreed, `""` for none. */
  get protocol(): string {
    return this.#protocol;
  }

  /** The extensions agreed, `""` for none. */
  get extensions(): string {
    return this.#extensions;
  }

  /** Payload bytes passed to `send` that the byte stream has not taken yet. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Resolves once open, with the stream face; rejects if opening failed. */
  get opened(): Promise<WebSocketStreamOpened> {
    return this.#opened;
  }

  /** Resolves once closed, cleanly or not. */
  get closed(): Promise<WebSocketCloseInfo> {
    return this.#closed;
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
    this.#taken = true;
    return this.#readable;
  }

  /**
   * Messages to send, as a stream: each write resolves once the byte stream
   * took the frame. Closing it closes the connection and waits for the end.
   */
  get writable(): WritableStream<string | BufferSource> {
    this.#writable ??= new WritableStream<string | BufferSource>({
      write: (chunk) => {
        if (this.#state !== 1) {
          throw new WireError("closed", "The connection is not open");
        }
        return this.#sendData(chunk);
      },
      close: async () => {
        this.close();
        await this.#closed;
      },
      abort: () => this.close(),
    }, new CountQueuingStrategy({ highWaterMark: this.#highWaterMark }));
    return this.#writable;
  }

  /**
   * Sends a message: a string as text, bytes or a `Blob` as binary. Throws
   * `InvalidStateError` while connecting; ignored once closing.
   *
   * @param data The message.
   */
  send(data: WebSocketData): void {
    if (this.#state === 0) {
      throw new DOMException("The connection is opening", "InvalidStateError");
    }
    if (this.#state !== 1) return;
    void this.#sendData(data).catch(() => {});
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
    if (code !== undefined && !isApplicationCloseCode(code)) {
      throw new DOMException(
        `Invalid close code ${code}: 1000 or 3000-4999`,
        "InvalidAccessError",
      );
    }
    if (encoder.encode(reason).length > MAX_REASON_BYTES) {
      throw new DOMException("The reason is over 123 bytes", "SyntaxError");
    }
    if (this.#state === 0) {
      this.#state = 2;
      return;
    }
    if (this.#state !== 1) return;
    this.#state = 2;
    const start = () => {
      if (this.#closeSent) return;
      this.#sendClose(code ?? 1005, reason);
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#finish(1006, "", false);
      }, this.#closeTimeout);
    };
    // Messages sent before, still reading their Blobs or compressing, go first.
    if (this.#queued === undefined) start();
    else void this.#queued.then(start);
  }

  /**
   * Sends a ping; resolves when its pong arrives, rejects with a
   * `WireError` of code `closed` if the connection closes first.
   *
   * @param data The ping's payload, at most 125 bytes; 8 random bytes by default.
   */
  ping(data?: Uint8Array): Promise<void> {
    if (this.#state !== 1) {
      return Promise.reject(
        new WireError("closed", "The connection is not open"),
      );
    }
    const payload = data ?? crypto.getRandomValues(new Uint8Array(8));
    if (payload.length > 125) {
      throw new RangeError("A ping's payload is at most 125 bytes");
    }
    return new Promise((resolve, reject) => {
      this.#pings.push({ key: payload.join(), resolve, reject });
      this.#sendQuietly(OP_PING, payload);
    });
  }

  /** Closes the connection and waits until it is closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#closed;
  }

  #start(established: EstablishedStream): void {
    const { stream, protocol = "", extensions = "", head } = established;
    this.#stream = stream;
    if (this.#state === 2) {
      // Closed while connecting: drop the stream unused.
      this.#rejectOpened(
        new WireError("aborted", "The connection was closed while opening"),
      );
      return this.#finish(1006, "", false, true);
    }
    this.#writer = stream.writable.getWriter();
    this.#reader = stream.readable.getReader();
    this.#protocol = protocol;
    this.#extensions = extensions;
    this.#deflate = extensions.split(";")[0].trim() === "permessage-deflate";
    this.#decoder = new FrameDecoder(
      this.#role,
      {
        message: (data) => this.#inbound(() => this.#onMessage(data)),
        compressed: (data, text) =>
          this.#inbound(() => this.#inflate(data, text)),
        ping: (data) => {
          if (!this.#closeSent) this.#sendQuietly(OP_PONG, data);
        },
        pong: (data) => this.#onPong(data),
        close: (code, reason) =>
          this.#inbound(() => this.#onPeerClose(code, reason)),
        fail: (code, reason) => this.#inbound(() => this.#fail(code, reason)),
      },
      this.#limits,
      this.#deflate,
    );
    this.#state = 1;
    const readable = () => this.readable;
    const writable = () => this.writable;
    this.#resolveOpened({
      get readable() {
        return readable();
      },
      get writable() {
        return writable();
      },
      protocol,
      extensions,
    });
    queueMicrotask(() => {
      if (this.#state !== 0) this.#dispatch(new Event("open"));
      if (head !== undefined && head.length > 0) this.#decoder.push(head);
      void this.#read();
    });
  }

  async #read(): Promise<void> {
    const reader = this.#reader!;
    let error = false;
    try {
      while (!this.#decoder.done && this.#state !== 3) {
        const controller = this.#controller;
        if (
          this.#taken && controller !== undefined &&
          (controller.desiredSize ?? 1) <= 0
        ) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          continue;
        }
        const { value, done } = await reader.read();
        if (done) break;
        this.#decoder.push(value);
        // Inflating one message at a time bounds what waits to be inflated.
        if (this.#incoming !== undefined) await this.#incoming;
      }
    } catch {
      error = true;
    }
    if (this.#state !== 3 && !this.#decoder.done) {
      this.#finish(1006, "", false, error || this.#state === 1);
    }
  }

  #wake(): void {
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.();
  }

  #openFailed(error: unknown): void {
    this.#state = 3;
    this.#rejectOpened(error);
    this.#dispatch(errorEvent(error));
    this.#end({ closeCode: 1006, reason: "", wasClean: false });
  }

  #onMessage(data: string | Uint8Array): void {
    if (this.#state !== 1) return;
    const controller = this.#controller;
    if (controller !== undefined) {
      controller.enqueue(data);
      if (!this.#taken && (controller.desiredSize ?? 1) <= 0) {
        // Read as events: stop holding messages nobody takes.
        controller.close();
        this.#controller = undefined;
      }
    }
    if (typeof data === "string") {
      return this.#dispatch(new MessageEvent("message", { data }));
    }
    const out = this.binaryType === "arraybuffer"
      ? data.byteOffset === 0 && data.buffer.byteLength === data.length
        ? data.buffer
        : data.slice().buffer
      : new Blob([data as Uint8Array<ArrayBuffer>]);
    this.#dispatch(new MessageEvent("message", { data: out }));
  }

  /**
   * Runs what the decoder delivered in order: at once while nothing waits
   * to be inflated, after it otherwise.
   */
  #inbound(step: () => void | Promise<void>): void {
    const pending = this.#incoming === undefined
      ? step()
      : this.#incoming.then(step);
    if (pending === undefined) return;
    const tracked = pending.catch(() => {});
    this.#incoming = tracked;
    tracked.then(() => {
      if (this.#incoming === tracked) this.#incoming = undefined;
    });
  }

  async #inflate(data: Uint8Array, text: boolean): Promise<void> {
    const out = await inflate(data, this.#limits.maxMessage);
    if (this.#state === 3) return;
    if (out === null) {
      return this.#fail(messageTooBig, "Message over maxMessage");
    }
    if (out === undefined) {
      return this.#fail(invalidFramePayloadData, "Invalid compressed data");
    }
    if (!text) return this.#onMessage(out);
    let decoded: string;
    try {
      decoded = utf8.decode(out);
    } catch {
      return this.#fail(invalidFramePayloadData, "Text is not UTF-8");
    }
    this.#onMessage(decoded);
  }

  #onPong(data: Uint8Array): void {
    const key = data.join();
    const at = this.#pings.findIndex((p) => p.key === key);
    if (at < 0) return;
    for (const ping of this.#pings.splice(0, at + 1)) ping.resolve();
  }

  #onPeerClose(code: number, reason: string): void {
    if (!this.#closeSent) this.#sendClose(code, "");
    this.#finish(code, reason, true);
  }

  #fail(code: number, reason: string): void {
    if (!this.#closeSent && this.#state !== 0) this.#sendClose(code, reason);
    this.#finish(code, reason, false, true);
  }

  /**
   * Sends a message; the promise settles once the byte stream took it. A
   * Blob, or any message once compression is on, waits its turn.
   */
  #sendData(
    data:
      | string
      | BufferSource
      | ArrayBufferLike
      | ArrayBufferView
      | Blob,
  ): Promise<void> {
    const opcode = typeof data === "string" ? OP_TEXT : OP_BINARY;
    if (
      !(data instanceof Blob) && !this.#deflate && this.#queued === undefined
    ) {
      return this.#send(opcode, bytesOf(data));
    }
    const size = data instanceof Blob ? data.size : byteSize(data);
    this.#buffered += size;
    const sent = (this.#queued ?? Promise.resolve()).then(async () => {
      let payload = data instanceof Blob
        ? new Uint8Array(await data.arrayBuffer())
        : bytesOf(data);
      const compress = this.#deflate && payload.length >= MIN_DEFLATE_BYTES;
      if (compress) payload = await deflate(payload);
      this.#buffered -= size;
      return this.#send(opcode, payload, compress);
    });
    const turn = sent.catch(() => {});
    this.#queued = turn;
    turn.then(() => {
      if (this.#queued === turn) this.#queued = undefined;
    });
    return sent;
  }

  #sendClose(code: number, reason: string): void {
    this.#sendQuietly(OP_CLOSE, closePayload(code, reason));
    this.#closeSent = true;
    this.#state = 2;
  }

  /** Sends a control frame; a failure ends the connection (see `#send`). */
  #sendQuietly(opcode: number, payload: Uint8Array): void {
    this.#send(opcode, payload).catch(() => {});
  }

  #send(
    opcode: number,
    payload: Uint8Array,
    compressed = false,
  ): Promise<void> {
    const writer = this.#writer;
    if (writer === undefined || this.#closeSent) return Promise.resolve();
    const size = payload.length;
    this.#buffered += size;
    const frame = encodeFrame(opcode, payload, this.#mask, true, compressed);
    return writer.write(frame).then(
      () => {
        this.#buffered -= size;
      },
      (error) => {
        this.#buffered -= size;
        if (this.#state !== 3) this.#finish(1006, "", false, true);
        throw error;
      },
    );
  }

  #finish(code: number, reason: string, wasClean: boolean, error = false) {
    if (this.#state === 3) return;
    this.#state = 3;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const closed = new WireError("closed", "The connection closed");
    for (const ping of this.#pings.splice(0)) ping.reject(closed);
    try {
      this.#controller?.close();
    } catch {
      // Already closed or cancelled.
    }
    this.#wake();
    void this.#release(wasClean || this.#closeSent).then(() => {
      if (error) this.#dispatch(new Event("error"));
      this.#end({ closeCode: code, reason, wasClean });
    });
  }

  /**
   * Releases the byte stream; with `flush`, after letting the queued frames
   * (the close frame last) go out, for at most `closeTimeout`.
   */
  async #release(flush = false): Promise<void> {
    const writer = this.#writer;
    const stream = this.#stream;
    if (flush && writer !== undefined) {
      const flushed = writer.close().catch(() => {});
      let timer: TimerId | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, this.#closeTimeout);
      });
      await Promise.race([flushed, timeout]);
      this.#clock.clearTimeout(timer);
    }
    // An abort waits for a write in flight, which a peer that stopped
    // reading never finishes: it is not awaited.
    writer?.abort().catch(() => {});
    await Promise.allSettled([
      this.#reader?.cancel().catch(() => {}),
      stream === undefined ? undefined : closeStream(stream),
    ]);
  }

  #end(info: WebSocketCloseInfo): void {
    this.#dispatch(
      closeEvent(info.closeCode, info.reason, info.wasClean),
    );
    this.#resolveClosed(info);
  }

  #dispatch(event: Event): void {
    const handler = (this as unknown as Record<string, Handler>)[
      `on${event.type}`
    ];
    this.dispatchEvent(event);
    if (typeof handler === "function") {
      try {
        handler.call(this, event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** Messages smaller than this go uncompressed: deflate would not pay. */
const MIN_DEFLATE_BYTES = 64;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function bytesOf(
  data: string | BufferSource | ArrayBufferLike | ArrayBufferView,
): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

function byteSize(
  data: string | BufferSource | ArrayBufferLike | ArrayBufferView,
): number {
  return typeof data === "string" ? data.length : data.byteLength;
}
