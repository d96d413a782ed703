/**
 * A scripted stand-in for the global `WebSocket`, to hand to
 * `ReconnectingWebSocket` (or anything that takes a `WebSocket` constructor)
 * in tests: the test decides when each socket opens, what it receives and
 * how it closes, and reads what was sent. No network, no timers.
 *
 * Events are dispatched synchronously when the test calls a script method;
 * only the echo of a close the client started is deferred to a microtask, as
 * a real socket's would be.
 *
 * @module
 */

/**
 * What a {@linkcode FakeWebSocket} received as its second constructor
 * argument: nothing, the subprotocols, or `{ protocols, headers }` when the
 * client sets headers.
 *
 * @example Reading the headers a client sent
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { type FakeInit, fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using _socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   headers: { authorization: "Bearer abc" },
 * });
 * const init: FakeInit = fake.last.init;
 * assert.deepEqual(init, { headers: { authorization: "Bearer abc" } });
 * ```
 */
export type FakeInit =
  | string
  | string[]
  | { protocols?: string | string[]; headers?: HeadersInit }
  | undefined;

/**
 * One fake socket. It starts `CONNECTING`; the test moves it on with
 * {@linkcode FakeWebSocket.open}, {@linkcode FakeWebSocket.receive},
 * {@linkcode FakeWebSocket.fail} and {@linkcode FakeWebSocket.serverClose},
 * and reads {@linkcode FakeWebSocket.sent} and
 * {@linkcode FakeWebSocket.closeCalls}. Pass the class itself as a
 * `WebSocket` constructor for a socket that never opens, or use
 * {@linkcode fakeWebSockets} to get hold of every socket made.
 *
 * @example A socket that never opens: sends are queued
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket,
 * });
 * assert.equal(socket.send("hello"), "queued");
 * assert.equal(socket.connection.value.type, "connecting");
 * ```
 *
 * @example Scripting a socket by hand
 * ```ts
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const ws = new FakeWebSocket("wss://example.test");
 * const heard: unknown[] = [];
 * ws.addEventListener("message", (event) => heard.push((event as MessageEvent).data));
 * ws.open("chat.v1");
 * ws.send("hi");
 * ws.receive("hello back");
 * assert.equal(ws.readyState, FakeWebSocket.OPEN);
 * assert.equal(ws.protocol, "chat.v1");
 * assert.deepEqual(ws.sent, ["hi"]);
 * assert.deepEqual(heard, ["hello back"]);
 * ```
 */
export class FakeWebSocket extends EventTarget {
  /** The `readyState` of a socket still connecting. */
  static readonly CONNECTING = 0;
  /** The `readyState` of an open socket. */
  static readonly OPEN = 1;
  /** The `readyState` of a socket whose closing handshake started. */
  static readonly CLOSING = 2;
  /** The `readyState` of a closed socket. */
  static readonly CLOSED = 3;

  /** The URL the socket was constructed with. */
  readonly url: string;
  /** The second constructor argument; see {@linkcode FakeInit}. */
  readonly init: FakeInit;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 0;
  /**
   * The subprotocol set by {@linkcode FakeWebSocket.open}; `null` when the
   * test plays workerd, whose WebSocket reports `null`.
   */
  protocol: string | null = "";
  /** The extensions set by {@linkcode FakeWebSocket.open}; `null` as on workerd. */
  extensions: string | null = "";
  /** Bytes queued and not yet sent: whatever the test sets, 0 by default. */
  bufferedAmount = 0;
  /** How binary messages are delivered; set by the client. */
  binaryType = "blob";
  /** Every message passed to `send`, in order. */
  readonly sent: unknown[] = [];
  /** Every call to `close`, as `[code, reason]`. */
  readonly closeCalls: [number | undefined, string | undefined][] = [];
  /** When set, the next `send` throws it (once, then it is cleared). */
  sendError: unknown = undefined;

  /**
   * Creates a socket in the `CONNECTING` state; it does nothing until the
   * test scripts it.
   *
   * @param url The URL to connect to.
   * @param init The subprotocols, or `{ protocols, headers }`.
   */
  constructor(url: string, init?: FakeInit) {
    super();
    this.url = url;
    this.init = init;
  }

  /**
   * Completes the handshake: the socket is `OPEN` and dispatches `open`.
   *
   * @param protocol The subprotocol the server chose; `null` plays workerd.
   * @param extensions The extensions the server chose; `null` plays workerd.
   */
  open(protocol: string | null = "", extensions: string | null = ""): void {
    this.protocol = protocol;
    this.extensions = extensions;
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }

  /**
   * Delivers a message from the server.
   *
   * @param data The message: a string, an `ArrayBuffer` or a `Blob`.
   */
  receive(data: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  /**
   * Reports an error, as a refused connection or a network failure does. It
   * does not close the socket: follow it with
   * {@linkcode FakeWebSocket.serverClose} if the runtime would.
   *
   * @param message The error event's message.
   */
  fail(message = "connection refused"): void {
    this.dispatchEvent(
      new ErrorEvent("error", { message, error: new Error(message) }),
    );
  }

  /**
   * The server closes the connection, or the runtime reports it closed:
   * the socket is `CLOSED` and dispatches `close`.
   *
   * @param code The close code; 1006 (abnormal) by default.
   * @param reason The close reason.
   * @param wasClean Whether the closing handshake completed; by default
   * true unless `code` is 1006.
   */
  serverClose(code = 1006, reason = "", wasClean = code !== 1006): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
  }

  /**
   * Records `data` in {@linkcode FakeWebSocket.sent}. Throws an
   * `InvalidStateError` while connecting, as a real socket does, and throws
   * {@linkcode FakeWebSocket.sendError} if it is set.
   *
   * @param data The message.
   */
  send(data: unknown): void {
    if (this.readyState === 0) {
      throw new DOMException("still connecting", "InvalidStateError");
    }
    if (this.sendError !== undefined) {
      const error = this.sendError;
      this.sendError = undefined;
      throw error;
    }
    this.sent.push(data);
  }

  /**
   * Records the call in {@linkcode FakeWebSocket.closeCalls} and starts
   * closing. In a microtask the socket is `CLOSED` and dispatches `close`
   * with `code` (1005 without one) if it was open; if it was still
   * connecting it dispatches `error`, then `close` with code 0, as Deno does
   * for an abandoned handshake.
   *
   * @param code The close code.
   * @param reason The close reason.
   */
  close(code?: number, reason?: string): void {
    this.closeCalls.push([code, reason]);
    if (this.readyState >= 2) return;
    const wasOpen = this.readyState === 1;
    this.readyState = 2;
    queueMicrotask(() => {
      if (this.readyState === 3) return;
      this.readyState = 3;
      if (!wasOpen) {
        this.dispatchEvent(new ErrorEvent("error", { message: "canceled" }));
      }
      this.dispatchEvent(
        new CloseEvent("close", {
          code: wasOpen ? code ?? 1005 : 0,
          reason: reason ?? "",
          wasClean: wasOpen,
        }),
      );
    });
  }
}

/**
 * A fake `WebSocket` constructor and the sockets it made; see
 * {@linkcode fakeWebSockets}.
 *
 * @example Reaching the socket of the latest attempt
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets, type FakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake: FakeWebSockets = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 * });
 * fake.last.open();
 * assert.equal(socket.connection.value.type, "connected");
 * assert.equal(fake.sockets.length, 1);
 * ```
 */
export interface FakeWebSockets {
  /** Pass as the `WebSocket` option. */
  WebSocket: new (url: string, init?: FakeInit) => FakeWebSocket;
  /** Every socket constructed, in order. */
  sockets: FakeWebSocket[];
  /** The latest socket; throws if none was made. */
  readonly last: FakeWebSocket;
}

/**
 * Makes a fresh fake `WebSocket` constructor that records every socket it
 * makes, so a test can script each connection attempt in turn.
 *
 * @example A dropped connection and a reconnect, on a fake clock
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { fakeWebSockets, fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock = fromFakeTimers(createClock());
 * const fake = fakeWebSockets();
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   clock,
 *   random: () => 0.5,
 * });
 * fake.last.open();
 * fake.last.serverClose(1001, "going away");
 * assert.deepEqual(socket.connection.value, { type: "reconnecting", attempt: 1, delay: 250 });
 * clock.tick(250);
 * fake.last.open();
 * assert.equal(socket.connection.value.type, "reconnected");
 * assert.equal(fake.sockets.length, 2);
 * ```
 */
export function fakeWebSockets(): FakeWebSockets {
  const sockets: FakeWebSocket[] = [];
  class RecordedWebSocket extends FakeWebSocket {
    constructor(url: string, init?: FakeInit) {
      super(url, init);
      sockets.push(this);
    }
  }
  return {
    WebSocket: RecordedWebSocket,
    sockets,
    get last(): FakeWebSocket {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error("No socket was constructed");
      return socket;
    },
  };
}
