/**
 * The relay on Node, which has no WebSocket server of its own: the
 * `upgrade` event of a `node:http` server, with the `ws` package's
 * `WebSocketServer` in `noServer` mode doing the handshake. The relay's
 * checks run before `handleUpgrade`, so a refused client gets a plain HTTP
 * answer and never a socket.
 *
 * The `node:http` and `ws` types are declared structurally: the package
 * imports nothing from npm; pass the `WebSocketServer` class in.
 *
 * @example A relay on a `node:http` server
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { nodeRelay } from "@lifeline/realtime/relay/node";
 * import assert from "node:assert/strict";
 *
 * // In an app: `import { WebSocketServer } from "ws"`, then
 * // `createServer(handler).on("upgrade", lifeline.upgrade)`.
 * class WebSocketServer {
 *   constructor(readonly options: { noServer: true }) {}
 *   handleUpgrade() {}
 * }
 * const lifeline = nodeRelay(new Relay(), { WebSocketServer });
 * assert.equal(lifeline.openSockets, 0);
 * await lifeline.close();
 * ```
 *
 * @module
 */

import { checkFunction, checkKeys } from "../../core/_options.ts";
import type { Relay } from "../mod.ts";
import {
  AdapterCore,
  feed,
  type ListenedSocket,
  refusal,
  refused,
  type RelayAdapter,
} from "./_adapter.ts";

export type { ListenedSocket, RelayAdapter } from "./_adapter.ts";

/** The part of `node:http`'s `IncomingMessage` the adapter reads. */
export interface NodeRequest {
  /** The request target, such as `/ws?token=…`. */
  readonly url?: string;
  /** The method. */
  readonly method?: string;
  /** The headers, lower-cased. */
  readonly headers: Readonly<
    Record<string, string | readonly string[] | undefined>
  >;
}

/** The part of the upgraded connection (a `stream.Duplex`) the adapter uses. */
export interface NodeSocket {
  /** Writes raw bytes: the refusal's HTTP response. */
  write(data: string): unknown;
  /** Ends the connection. */
  destroy(): unknown;
  /** Listens for errors, which would otherwise crash the process. */
  on(event: "error", listener: () => void): unknown;
}

/** The part of a `ws` `WebSocket` the adapter uses (its WHATWG-style face). */
export interface NodeWebSocket extends ListenedSocket {
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent. */
  readonly bufferedAmount: number;
  /** How binary frames are handed over. */
  binaryType: string;
}

/** The part of a `ws` `WebSocketServer` the adapter uses. */
export interface NodeWebSocketServer {
  /** Completes the handshake and hands over the socket. */
  handleUpgrade(
    request: NodeRequest,
    socket: NodeSocket,
    head: unknown,
    callback: (ws: NodeWebSocket) => void,
  ): void;
}

/** The options the adapter creates its `WebSocketServer` with. */
export interface NodeWebSocketServerOptions {
  /** The adapter drives the handshake from the `upgrade` event. */
  noServer: true;
  /** Picks the subprotocol the relay accepted, or none. */
  handleProtocols(protocols: Set<string>, request: NodeRequest): string | false;
}

/** The `ws` package's `WebSocketServer` class, as the adapter constructs it. */
export type NodeWebSocketServerClass = new (
  options: NodeWebSocketServerOptions,
) => NodeWebSocketServer;

/** Options of {@linkcode nodeRelay}. */
export interface NodeRelayOptions {
  /** The `ws` package's `WebSocketServer` (`import { WebSocketServer } from "ws"`). */
  WebSocketServer: NodeWebSocketServerClass;
}

/** The relay as a `node:http` upgrade listener; see {@linkcode nodeRelay}. */
export interface NodeRelay extends RelayAdapter {
  /**
   * The `upgrade` listener: a refusal (403, 401, 426…) is written to the
   * connection as an HTTP response with JSON `{ error: { code, message } }`
   * and the connection ended; an accepted request becomes a relay
   * connection. Bound: `server.on("upgrade", lifeline.upgrade)`.
   */
  upgrade(request: NodeRequest, socket: NodeSocket, head: unknown): void;
  /**
   * Answers a plain request (not an upgrade) to the relay's path the way
   * the other adapters do: the relay's refusal (403, 401), else 426. Bound,
   * for the server's request handler.
   */
  fetch(request: Request): Promise<Response>;
}

const KNOWN_OPTIONS = ["WebSocketServer"] as const;

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  426: "Upgrade Required",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * Serves `relay` from a `node:http` server's `upgrade` event, with a
 * `ws` `WebSocketServer` in `noServer` mode that the adapter creates.
 *
 * @example Refusing a request without the relay's token
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { nodeRelay } from "@lifeline/realtime/relay/node";
 * import assert from "node:assert/strict";
 *
 * class WebSocketServer {
 *   constructor(readonly options: { noServer: true }) {}
 *   handleUpgrade() {
 *     throw new Error("a refused request is never upgraded");
 *   }
 * }
 * const relay = new Relay({ authenticate: () => null });
 * const lifeline = nodeRelay(relay, { WebSocketServer });
 * const written: string[] = [];
 * const { promise: ended, resolve } = Promise.withResolvers<void>();
 * lifeline.upgrade(
 *   { url: "/ws", headers: { host: "relay.test", upgrade: "websocket" } },
 *   { write: (text: string) => written.push(text), destroy: resolve, on() {} },
 *   new Uint8Array(0),
 * );
 * await ended;
 * assert.match(written[0], /^HTTP\/1\.1 401 Unauthorized\r\n/);
 * await lifeline.close();
 * ```
 */
export function nodeRelay(relay: Relay, options: NodeRelayOptions): NodeRelay {
  checkKeys("nodeRelay", options, KNOWN_OPTIONS);
  checkFunction("nodeRelay", "WebSocketServer", options?.WebSocketServer);
  const core = new AdapterCore(relay);
  // The subprotocol `accept` chose, for `handleProtocols` to answer with.
  const protocols = new WeakMap<NodeRequest, string>();
  const server = new options.WebSocketServer({
    noServer: true,
    handleProtocols: (_offered, request) => protocols.get(request) ?? false,
  });

  async function upgrade(
    request: NodeRequest,
    socket: NodeSocket,
    head: unknown,
  ): Promise<void> {
    let webRequest: Request;
    try {
      webRequest = toRequest(request);
    } catch {
      return refuse(socket, 400, "bad_request", "Malformed upgrade request");
    }
    const admission = await core.admit(webRequest);
    if (!admission.ok) {
      return write(socket, admission.status, admission.body);
    }
    if (admission.protocol !== undefined) {
      protocols.set(request, admission.protocol);
    }
    server.handleUpgrade(request, socket, head, (ws) => {
      ws.binaryType = "arraybuffer";
      feed(ws, core.attach(ws, admission.identity, webRequest));
    });
  }

  return core.adapter<NodeRelay>({
    async fetch(request) {
      const admission = await core.admit(request);
      if (!admission.ok) return refusal(admission);
      // Upgrades come through `upgrade`: a request here cannot switch.
      return refusal(
        refused(426, "bad_request", "Expected a WebSocket upgrade"),
      );
    },
    upgrade(request, socket, head) {
      // A connection reset while the relay decides must not crash Node.
      socket.on("error", () => socket.destroy());
      upgrade(request, socket, head).catch((error) => {
        refuse(socket, 500, "internal", String(error));
      });
    },
  });
}

/** The upgrade request as a `Request`, for `relay.accept`. */
function toRequest(request: NodeRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (typeof value === "string") headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  const host = headers.get("host") ?? "localhost";
  return new Request(`http://${host}${request.url ?? "/"}`, {
    method: request.method ?? "GET",
    headers,
  });
}

function refuse(
  socket: NodeSocket,
  status: number,
  code: string,
  message: string,
): void {
  write(socket, status, refused(status, code, message).body);
}

function write(socket: NodeSocket, status: number, body: string): void {
  const length = new TextEncoder().encode(body).length;
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${length}\r\n` +
      "Connection: close\r\n\r\n" + body,
  );
  socket.destroy();
}
