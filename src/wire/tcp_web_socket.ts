/**
 * `TcpWebSocket`: a `WebSocket` constructor over the wire layer, for code
 * that takes one, such as `ReconnectingWebSocket`'s `WebSocket` option. It
 * takes `(url, protocols?)` like the standard one, or `(url, { protocols,
 * headers })` like Deno's and Bun's, on every runtime with TCP.
 *
 * @module
 */

import type { Dialer } from "./dialer.ts";
import { openClient, prepareClient } from "./connect.ts";
import { WebSocketConnection } from "./web_socket_connection.ts";

/**
 * The second argument of {@linkcode TcpWebSocket} when it is an object.
 *
 * @example Headers and a subprotocol
 * ```ts
 * import type { TcpWebSocketInit } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const init: TcpWebSocketInit = { protocols: "chat.v1", headers: { "x-trace": "1" } };
 * assert.equal(init.protocols, "chat.v1");
 * ```
 */
export interface TcpWebSocketInit {
  /** Subprotocols to offer. */
  protocols?: string | string[];
  /** Extra request headers. */
  headers?: HeadersInit;
  /** Opens the TCP connection. @default {the runtime's: Deno, Bun or Node} */
  dial?: Dialer;
  /** Offers permessage-deflate; see `ConnectOptions.compression`. @default {false} */
  compression?: boolean;
}

/**
 * A `WebSocket`-compatible client over TCP: connecting at once, `open`,
 * `message`, `error` and `close` events as the standard one fires them. A
 * bad URL or subprotocol throws a `SyntaxError`, as `new WebSocket` does.
 *
 * @example ReconnectingWebSocket over it, sending a header
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { TcpWebSocket } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const team = request.headers.get("x-team") ?? "";
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onopen = () => socket.send(team);
 *   return response;
 * });
 * const socket = new ReconnectingWebSocket(`ws://127.0.0.1:${server.addr.port}/`, {
 *   WebSocket: TcpWebSocket,
 *   headers: { "x-team": "blue" },
 * });
 * const message = await new Promise((resolve) => socket.messages.subscribe(resolve));
 * assert.equal(message, "blue");
 * await socket.close();
 * await server.shutdown();
 * ```
 */
export class TcpWebSocket extends WebSocketConnection {
  /**
   * Starts connecting to `url`.
   *
   * @param url A `ws:` or `wss:` URL.
   * @param protocols The subprotocols to offer, or `{ protocols, headers, dial }`.
   */
  constructor(
    url: string | URL,
    protocols?: string | string[] | TcpWebSocketInit,
  ) {
    const init: TcpWebSocketInit =
      typeof protocols === "object" && !Array.isArray(protocols)
        ? protocols
        : { protocols };
    const attempt = prepareClient(
      url,
      init.protocols,
      init.headers,
      init.compression,
    );
    const abort = new AbortController();
    super(openClient(attempt, init.dial, abort.signal), {
      url: attempt.url.href,
    });
    this.#abort = abort;
  }

  readonly #abort: AbortController;

  /**
   * As `WebSocketConnection.close`; while connecting, it also abandons the
   * TCP connection and the handshake (`error`, then `close` with 1006).
   *
   * @param code The close code.
   * @param reason The close reason.
   */
  override close(code?: number, reason?: string): void {
    const connecting = this.readyState === 0;
    super.close(code, reason);
    if (connecting) this.#abort.abort();
  }
}
