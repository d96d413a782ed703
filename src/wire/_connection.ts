/**
 * `Connection`: the engine behind `WebSocketConnection`. One RFC 6455
 * connection's state machine (connecting 0, open 1, closing 2, closed 3),
 * its read loop, the close handshake and its timeout, and the stream face
 * (`opened`, `closed`, `readable`, `writable`). It tells its owner of
 * events through `ConnectionHooks`; the `WebSocket` face lives in the
 * owner. Internal.
 *
 * @module
 */

import {
  invalidFramePayloadData,
  isApplicationCloseCode,
  messageTooBig,
} from "../core/status.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { checkKeys, checkNumber, checkOneOf } from "../core/_options.ts";
import { MAX_REASON_BYTES } from "./_close.ts";
import { FrameDecoder, OP_PING, OP_PONG, type Role } from "./_frame_decoder.ts";
import { inflate } from "./_permessage_deflate.ts";
import type { ByteStream, EstablishedStream } from "./byte_stream.ts";
import { closeEvent, errorEvent } from "./_events.ts";
import { release } from "./_release.ts";
import { Inbox, type Message } from "./_inbox.ts";
import { Outbound, type OutboundData } from "./_outbound.ts";
import { Pings } from "./_pings.ts";
import { Serial } from "./_serial.ts";
import type {
  WebSocketCloseInfo,
  WebSocketConnectionOptions,
  WebSocketStreamOpened,
} from "./web_socket_connection_options.ts";
import { LIMIT_KEYS, resolveLimits, type WireLimits } from "./limits.ts";
import { WireError } from "./wire_error.ts";

/** How a `Connection` tells its owner what happened. */
export interface ConnectionHooks {
  /** An `open`, `error` or `close` event to fire. */
  dispatch(event: Event): void;
  /** A message received, to fire as a `message` event. */
  message(data: Message): void;
  /**
   * The owner's `close()`, which a subclass may extend (`TcpWebSocket`):
   * cancelling `readable`, closing or aborting `writable` call it.
   */
  close(): void;
}

const KNOWN_OPTIONS = [
  "role",
  "url",
  "highWaterMark",
  "closeTimeout",
  "clock",
  ...LIMIT_KEYS,
];
const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class Connection {
  #state = 0;
  #protocol = "";
  #extensions = "";
  #decoder!: FrameDecoder;
  readonly #role: Role;
  readonly #limits: Required<WireLimits>;
  readonly #hooks: ConnectionHooks;
  /** What the decoder delivered, in order, behind a message being inflated. */
  readonly #incoming = new Serial();
  readonly #highWaterMark: number;
  readonly #closeTimeout: number;
  readonly #clock: Clock;
  #stream: ByteStream | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  readonly #out: Outbound;
  #timer: TimerId | undefined;
  readonly #pings = new Pings();
  readonly #inbox: Inbox;
  #writable: WritableStream<string | BufferSource> | undefined;
  readonly #opened: Promise<WebSocketStreamOpened>;
  #resolveOpened!: (opened: WebSocketStreamOpened) => void;
  #rejectOpened!: (error: unknown) => void;
  readonly #closed: Promise<WebSocketCloseInfo>;
  #resolveClosed!: (info: WebSocketCloseInfo) => void;

  /** Checks the options (as `WebSocketConnection`'s) and starts. */
  constructor(
    established: EstablishedStream | Promise<EstablishedStream>,
    options: WebSocketConnectionOptions,
    hooks: ConnectionHooks,
  ) {
    const owner = "WebSocketConnection";
    checkKeys(owner, options, KNOWN_OPTIONS);
    const role = checkOneOf(owner, "role", options.role ?? "client", [
      "client",
      "server",
    ]);
    this.#hooks = hooks;
    this.#out = new Outbound(role === "client", () => {
      if (this.#state !== 3) this.#finish(1006, "", false, true);
    });
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
    this.#inbox = new Inbox(this.#highWaterMark, () => this.#hooks.close());
    if (established instanceof Promise) {
      established.then(
        (e) => this.#start(e),
        (error) => this.#openFailed(error),
      );
    } else {
      this.#start(established);
    }
  }

  get readyState(): number {
    return this.#state;
  }

  get protocol(): string {
    return this.#protocol;
  }

  get extensions(): string {
    return this.#extensions;
  }

  get bufferedAmount(): number {
    return this.#out.buffered;
  }

  get opened(): Promise<WebSocketStreamOpened> {
    return this.#opened;
  }

  get closed(): Promise<WebSocketCloseInfo> {
    return this.#closed;
  }

  get readable(): ReadableStream<string | Uint8Array> {
    return this.#inbox.readable;
  }

  get writable(): WritableStream<string | BufferSource> {
    this.#writable ??= new WritableStream<string | BufferSource>({
      write: (chunk) => {
        if (this.#state !== 1) {
          throw new WireError("closed", "The connection is not open");
        }
        return this.#out.message(chunk);
      },
      close: async () => {
        this.#hooks.close();
        await this.#closed;
      },
      abort: () => this.#hooks.close(),
    }, new CountQueuingStrategy({ highWaterMark: this.#highWaterMark }));
    return this.#writable;
  }

  send(data: OutboundData): void {
    if (this.#state === 0) {
      throw new DOMException("The connection is opening", "InvalidStateError");
    }
    if (this.#state !== 1) return;
    void this.#out.message(data).catch(() => {});
  }

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
      if (this.#out.closeSent) return;
      this.#sendClose(code ?? 1005, reason);
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#finish(1006, "", false);
      }, this.#closeTimeout);
    };
    // Messages sent before, still reading their Blobs or compressing, go first.
    const queued = this.#out.queued;
    if (queued === undefined) start();
    else void queued.then(start);
  }

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
    const pong = this.#pings.wait(payload);
    this.#out.control(OP_PING, payload);
    return pong;
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
    const deflate = extensions.split(";")[0].trim() === "permessage-deflate";
    this.#out.start(this.#writer, deflate);
    const inbound = (step: () => void | Promise<void>) =>
      this.#incoming.run(step);
    this.#decoder = new FrameDecoder(
      this.#role,
      {
        message: (data) => inbound(() => this.#onMessage(data)),
        compressed: (data, text) => inbound(() => this.#inflate(data, text)),
        ping: (data) => {
          if (!this.#out.closeSent) this.#out.control(OP_PONG, data);
        },
        pong: (data) => this.#pings.pong(data),
        close: (code, reason) => inbound(() => this.#onPeerClose(code, reason)),
        fail: (code, reason) => inbound(() => this.#fail(code, reason)),
      },
      this.#limits,
      deflate,
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
      if (this.#state !== 0) this.#hooks.dispatch(new Event("open"));
      if (head !== undefined && head.length > 0) this.#decoder.push(head);
      void this.#read();
    });
  }

  async #read(): Promise<void> {
    const reader = this.#reader!;
    let error = false;
    try {
      while (!this.#decoder.done && this.#state !== 3) {
        if (this.#inbox.full) {
          await this.#inbox.room();
          continue;
        }
        const { value, done } = await reader.read();
        if (done) break;
        this.#decoder.push(value);
        // Inflating one message at a time bounds what waits to be inflated.
        const incoming = this.#incoming.tail;
        if (incoming !== undefined) await incoming;
      }
    } catch {
      error = true;
    }
    if (this.#state !== 3 && !this.#decoder.done) {
      this.#finish(1006, "", false, error || this.#state === 1);
    }
  }

  #openFailed(error: unknown): void {
    this.#state = 3;
    this.#rejectOpened(error);
    this.#hooks.dispatch(errorEvent(error));
    this.#end({ closeCode: 1006, reason: "", wasClean: false });
  }

  #onMessage(data: Message): void {
    if (this.#state !== 1) return;
    this.#inbox.push(data);
    this.#hooks.message(data);
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

  #onPeerClose(code: number, reason: string): void {
    if (!this.#out.closeSent) this.#sendClose(code, "");
    this.#finish(code, reason, true);
  }

  #fail(code: number, reason: string): void {
    if (!this.#out.closeSent && this.#state !== 0) {
      this.#sendClose(code, reason);
    }
    this.#finish(code, reason, false, true);
  }

  #sendClose(code: number, reason: string): void {
    this.#out.close(code, reason);
    this.#state = 2;
  }

  #finish(code: number, reason: string, wasClean: boolean, error = false) {
    if (this.#state === 3) return;
    this.#state = 3;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pings.rejectAll(new WireError("closed", "The connection closed"));
    this.#inbox.end();
    const flush = wasClean || this.#out.closeSent;
    const held = {
      stream: this.#stream,
      reader: this.#reader,
      writer: this.#writer,
    };
    void release(held, this.#clock, flush ? this.#closeTimeout : undefined)
      .then(() => {
        if (error) this.#hooks.dispatch(new Event("error"));
        this.#end({ closeCode: code, reason, wasClean });
      });
  }

  #end(info: WebSocketCloseInfo): void {
    this.#hooks.dispatch(
      closeEvent(info.closeCode, info.reason, info.wasClean),
    );
    this.#resolveClosed(info);
  }
}
