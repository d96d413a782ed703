/**
 * A scripted stand-in for the global `WebSocket`: a test decides when each
 * socket opens, what it receives and how it closes, and reads what was sent.
 * Events are dispatched synchronously when the test calls a script method;
 * only the echo of a client-initiated close is deferred to a microtask, as a
 * real socket's would be.
 *
 * @module
 */

/** Options the fake received as its second constructor argument. */
export type FakeInit =
  | string
  | string[]
  | { protocols?: string | string[]; headers?: HeadersInit }
  | undefined;

/** One fake socket. */
export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readonly init: FakeInit;
  readyState = 0;
  protocol = "";
  extensions = "";
  bufferedAmount = 0;
  binaryType = "blob";
  /** Every message passed to `send`, in order. */
  readonly sent: unknown[] = [];
  /** Every call to `close`, as `[code, reason]`. */
  readonly closeCalls: [number | undefined, string | undefined][] = [];
  /** When set, `send` throws it (once, then clears). */
  sendError: unknown = undefined;

  constructor(url: string, init?: FakeInit) {
    super();
    this.url = url;
    this.init = init;
  }

  /** Completes the handshake. */
  open(protocol = ""): void {
    this.protocol = protocol;
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }

  /** Delivers a message from the server. */
  receive(data: unknown): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  /** Reports an error, as a refused connection or a network failure does. */
  fail(message = "connection refused"): void {
    this.dispatchEvent(
      new ErrorEvent("error", { message, error: new Error(message) }),
    );
  }

  /** The server closes the connection (or the runtime reports it closed). */
  serverClose(code = 1006, reason = "", wasClean = code !== 1006): void {
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
  }

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

/** A fake `WebSocket` constructor and the sockets it made. */
export interface FakeWebSockets {
  /** Pass as the `WebSocket` option. */
  WebSocket: new (url: string, init?: FakeInit) => FakeWebSocket;
  /** Every socket constructed, in order. */
  sockets: FakeWebSocket[];
  /** The latest socket; throws if none was made. */
  readonly last: FakeWebSocket;
}

/** Makes a fresh fake `WebSocket` constructor that records its sockets. */
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
