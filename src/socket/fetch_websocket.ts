/**
 * A `WebSocket` constructor over a `fetch` upgrade, for runtimes whose
 * `WebSocket` cannot send handshake headers but whose `fetch` can open a
 * WebSocket: Cloudflare Workers and workerd, where a `fetch` with
 * `Upgrade: websocket` answers a `Response` carrying `webSocket`. Give it
 * as the `WebSocket` option; `ReconnectingWebSocket` (and so
 * `RealtimeManager`) picks it by itself in workerd when `headers` are set.
 *
 * @module
 */

import type { WebSocketData } from "../core/ring_buffer.ts";
import type {
  WebSocketConstructor,
  WebSocketInit,
  WebSocketLike,
} from "./web_socket_like.ts";

/**
 * The socket a `fetch` upgrade answers (workerd's `response.webSocket`):
 * it must be `accept`ed before it delivers events.
 *
 * @example A stand-in socket
 * ```ts
 * import type { AcceptableWebSocket } from "@lifeline/realtime/fetch-websocket";
 * import assert from "node:assert/strict";
 *
 * let accepted = false;
 * const ws: AcceptableWebSocket = Object.assign(new EventTarget(), {
 *   accept: () => void (accepted = true),
 *   send() {},
 *   close() {},
 * });
 * ws.accept();
 * assert.equal(accepted, true);
 * ```
 */
export interface AcceptableWebSocket extends EventTarget {
  /** Starts delivering events; the runtime requires it once. */
  accept(): void;
  /** Sends a message. */
  send(data: WebSocketData): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/** What the upgrade's `fetch` answers: workerd's `Response`, as used here. */
export interface UpgradeResponse {
  /** 101 when the server switched protocols. */
  readonly status: number;
  /** The response headers (`Sec-WebSocket-Protocol`). */
  readonly headers: Headers;
  /** The client side of the WebSocket, on a 101. */
  readonly webSocket?: AcceptableWebSocket | null;
}

/**
 * Options of {@linkcode fetchWebSocket}.
 *
 * @example Upgrading through a fetch of one's own
 * ```ts
 * import type { FetchWebSocketOptions } from "@lifeline/realtime/fetch-websocket";
 * import assert from "node:assert/strict";
 *
 * const options: FetchWebSocketOptions = { fetch: (input) => fetch(input) };
 * assert.equal(typeof options.fetch, "function");
 * ```
 */
export interface FetchWebSocketOptions {
  /**
   * Sends the upgrade request (an `http:` or `https:` URL, with
   * `Upgrade: websocket`). A service binding's `fetch` works too.
   *
   * @default {globalThis.fetch}
   */
  fetch?: (
    input: string,
    init: { headers: Headers; signal: AbortSignal },
  ) => Promise<UpgradeResponse | Response>;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * Makes a `WebSocket` constructor that opens each socket with a `fetch`
 * upgrade, so the handshake carries the `headers` given with
 * `(url, { protocols, headers })`. A refusal (any status but 101) is an
 * `error` event whose message names the status, then a `close` with 1006,
 * as a runtime's own `WebSocket` reports it.
 *
 * @example Connecting through a fetch that answers with a socket
 * ```ts
 * import { fetchWebSocket, type AcceptableWebSocket } from "@lifeline/realtime/fetch-websocket";
 * import assert from "node:assert/strict";
 *
 * const server: AcceptableWebSocket & { sent: unknown[] } = Object.assign(new EventTarget(), {
 *   sent: [] as unknown[],
 *   accept() {},
 *   send(data: unknown) { server.sent.push(data); },
 *   close() {},
 * });
 * let seen: Headers | undefined;
 * const FetchWebSocket = fetchWebSocket({
 *   fetch: (_url, init) => {
 *     seen = init.headers;
 *     return Promise.resolve({ status: 101, headers: new Headers(), webSocket: server });
 *   },
 * });
 * const ws = new FetchWebSocket("wss://relay.test/ws", { headers: { authorization: "Bearer abc" } });
 * await new Promise((resolve) => ws.addEventListener("open", resolve));
 * ws.send("hi");
 * assert.equal(seen?.get("authorization"), "Bearer abc");
 * assert.equal(seen?.get("upgrade"), "websocket");
 * assert.deepEqual(server.sent, ["hi"]);
 * ```
 */
export function fetchWebSocket(
  options: FetchWebSocketOptions = {},
): WebSocketConstructor {
  const send = options.fetch ??
    ((input, init) => globalThis.fetch(input, init));
  return class FetchWebSocket extends EventTarget implements WebSocketLike {
    #state = CONNECTING;
    #ws: AcceptableWebSocket | undefined;
    #abort = new AbortController();
    #protocol = "";
    binaryType = "arraybuffer";
    readonly url: string;

    constructor(url: string, init?: string | string[] | WebSocketInit) {
      super();
      this.url = url;
      const { protocols, headers } = typeof init === "object" &&
          !Array.isArray(init)
        ? init
        : { protocols: init, headers: undefined };
      const request = new Headers(headers);
      request.set("upgrade", "websocket");
      const offered = typeof protocols === "string" ? [protocols] : protocols;
      if (offered !== undefined && offered.length > 0) {
        request.set("sec-websocket-protocol", offered.join(", "));
      }
      const target = url.replace(/^ws(s?):/i, "http$1:");
      send(target, { headers: request, signal: this.#abort.signal }).then(
        (response) => this.#upgraded(response as UpgradeResponse),
        (error) => this.#fail(String(error?.message ?? error)),
      );
    }

    get readyState(): number {
      return this.#state;
    }

    get protocol(): string {
      return this.#protocol;
    }

    get extensions(): string {
      return "";
    }

    get bufferedAmount(): number {
      return 0;
    }

    send(data: WebSocketData): void {
      if (this.#ws === undefined || this.#state !== OPEN) {
        throw new DOMException(
          "The WebSocket is not open",
          "InvalidStateError",
        );
      }
      this.#ws.send(data);
    }

    close(code?: number, reason?: string): void {
      if (this.#state >= CLOSING) return;
      if (this.#ws === undefined) {
        this.#abort.abort();
        this.#fail("The WebSocket was closed before it opened");
        return;
      }
      this.#state = CLOSING;
      this.#ws.close(code, reason);
    }

    #upgraded(response: UpgradeResponse): void {
      const ws = response.webSocket;
      if (response.status !== 101 || !ws) {
        (response as { body?: ReadableStream | null }).body?.cancel().catch(
          () => {},
        );
        this.#fail(`Expected 101 status code: ${response.status}`);
        return;
      }
      if (this.#state !== CONNECTING) {
        ws.accept();
        ws.close(1000, "closed before it opened");
        return;
      }
      this.#ws = ws;
      ws.addEventListener("message", (event) => {
        this.dispatchEvent(
          new MessageEvent("message", { data: (event as MessageEvent).data }),
        );
      });
      ws.addEventListener("close", (event) => {
        const { code, reason, wasClean } = event as CloseEvent;
        this.#closed(code, reason, wasClean);
      });
      ws.addEventListener("error", (event) => {
        this.dispatchEvent(errorEvent((event as ErrorEvent).message ?? ""));
      });
      ws.accept();
      this.#protocol = response.headers.get("sec-websocket-protocol") ?? "";
      this.#state = OPEN;
      this.dispatchEvent(new Event("open"));
    }

    #fail(message: string): void {
      if (this.#state === CLOSED) return;
      this.#state = CLOSED;
      this.dispatchEvent(errorEvent(message));
      this.dispatchEvent(closeEvent(1006, "", false));
    }

    #closed(code: number, reason: string, wasClean: boolean): void {
      if (this.#state === CLOSED) return;
      this.#state = CLOSED;
      this.dispatchEvent(closeEvent(code, reason, wasClean));
    }
  };
}

/**
 * The `WebSocket` constructor over the global `fetch`: give it as the
 * `WebSocket` option in a Worker to send `headers`.
 *
 * @example In a Worker, with a header
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { FetchWebSocket } from "@lifeline/realtime/fetch-websocket";
 * import assert from "node:assert/strict";
 *
 * // In a Worker's handler or a Durable Object, not at module scope:
 * const connect = () =>
 *   new ReconnectingWebSocket("wss://relay.example/ws", {
 *     WebSocket: FetchWebSocket,
 *     headers: { authorization: "Bearer secret" },
 *   });
 * assert.equal(typeof connect, "function");
 * assert.equal(typeof FetchWebSocket, "function");
 * ```
 */
export const FetchWebSocket: WebSocketConstructor = fetchWebSocket();

function errorEvent(message: string): Event {
  return Object.defineProperty(new Event("error"), "message", {
    value: message,
  });
}

function closeEvent(code: number, reason: string, wasClean: boolean): Event {
  const event = new Event("close");
  Object.defineProperties(event, {
    code: { value: code },
    reason: { value: reason },
    wasClean: { value: wasClean },
  });
  return event;
}
