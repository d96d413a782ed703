/**
 * `connect`: a client WebSocket over TCP, with the headers and subprotocols
 * the caller chooses; `ws:` over the runtime's TCP, `wss:` over its TLS.
 *
 * @example Connecting with a custom header
 * ```ts
 * import { connect } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const user = request.headers.get("x-user");
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onopen = () => socket.send(`hello ${user}`);
 *   return response;
 * });
 * const ws = await connect(`ws://127.0.0.1:${server.addr.port}/`, {
 *   headers: { "x-user": "ada" },
 * });
 * const reader = ws.readable.getReader();
 * assert.equal((await reader.read()).value, "hello ada");
 * ws.close(1000);
 * await ws.closed;
 * await server.shutdown();
 * ```
 *
 * @module
 */

import { checkKeys } from "../core/_options.ts";
import type { ByteStream, EstablishedStream } from "./byte_stream.ts";
import type { Dialer } from "./dialer.ts";
import {
  checkResponse,
  clientRequest,
  protocolList,
  readHead,
} from "./_handshake.ts";
import { runtimeDialer } from "./_runtime_dialer.ts";
import { LIMIT_KEYS, type WireLimits } from "./limits.ts";
import {
  WebSocketConnection,
  type WebSocketConnectionOptions,
} from "./web_socket_connection.ts";
import { WireError } from "./wire_error.ts";
import { closeQuietly, closeStream } from "./_release.ts";

/**
 * Options of {@linkcode connect}, with the {@linkcode WireLimits}.
 *
 * @example Offering two subprotocols, with a token header
 * ```ts
 * import type { ConnectOptions } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectOptions = {
 *   protocols: ["chat.v2", "chat.v1"],
 *   headers: { authorization: "Bearer abc" },
 *   signal: AbortSignal.timeout(5000),
 * };
 * assert.equal(options.protocols?.length, 2);
 * ```
 */
export interface ConnectOptions extends WireLimits {
  /**
   * Extra request headers; the handshake's own (`Upgrade`,
   * `Sec-WebSocket-*`…) are refused with a `TypeError`. `Host` replaces the
   * URL's.
   */
  headers?: HeadersInit;
  /** Subprotocols to offer. @default {[]} */
  protocols?: string | string[];
  /** Abandons the attempt while it is under way. */
  signal?: AbortSignal;
  /** Opens the TCP connection. @default {the runtime's: Deno, Bun or Node} */
  dial?: Dialer;
  /** See {@linkcode WebSocketConnectionOptions.highWaterMark}. @default {16} */
  highWaterMark?: number;
  /** See {@linkcode WebSocketConnectionOptions.closeTimeout}. @default {5000} */
  closeTimeout?: number;
  /**
   * Offers permessage-deflate (RFC 7692), without context takeover; on if
   * the server agrees (`extensions` says so). Messages of 64 bytes and more
   * are then compressed; inflating stops at `maxMessage` (1009).
   * @default {false}
   */
  compression?: boolean;
}

const KNOWN_OPTIONS = [
  "headers",
  "protocols",
  "signal",
  "dial",
  "highWaterMark",
  "closeTimeout",
  "compression",
  ...LIMIT_KEYS,
];

/** A client attempt, checked before any I/O. Internal. */
export interface ClientAttempt {
  url: URL;
  request: string;
  key: string;
  offered: string[];
  deflate: boolean;
}

/**
 * Checks `url` and builds the request: a bad URL or subprotocol is a
 * `SyntaxError`, a handshake header a `TypeError`, as from `new WebSocket`.
 * Internal.
 */
export function prepareClient(
  url: string | URL,
  protocols?: string | string[],
  headers?: HeadersInit,
  deflate = false,
): ClientAttempt {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new SyntaxError(`Invalid WebSocket URL ${String(url)}`);
  }
  if (target.protocol === "http:") target.protocol = "ws:";
  if (target.protocol === "https:") target.protocol = "wss:";
  if (target.protocol !== "ws:" && target.protocol !== "wss:") {
    throw new SyntaxError(
      `A WebSocket URL is ws: or wss:, not ${target.protocol}`,
    );
  }
  if (target.hash !== "") {
    throw new SyntaxError("A WebSocket URL has no fragment");
  }
  const offered = protocolList(protocols);
  const { request, key } = clientRequest(target, offered, headers, deflate);
  return { url: target, request, key, offered, deflate };
}

/**
 * Dials and runs the client handshake: the stream past it, and what it
 * agreed. Rejects with a {@linkcode WireError}. Internal.
 */
export async function openClient(
  attempt: ClientAttempt,
  dial: Dialer | undefined,
  signal?: AbortSignal,
): Promise<EstablishedStream> {
  const { url, request, key, offered, deflate } = attempt;
  const dialer = dial ?? runtimeDialer();
  if (dialer === undefined) {
    throw new WireError(
      "unsupported",
      "This runtime offers no TCP connect: pass a 'dial' function",
    );
  }
  const aborted = () =>
    new WireError("aborted", `The connection to ${url.href} was aborted`, {
      cause: signal?.reason,
    });
  if (signal?.aborted) throw aborted();
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const secure = url.protocol === "wss:";
  const port = Number(url.port) || (secure ? 443 : 80);
  let stream: ByteStream;
  try {
    stream = await dialer({ hostname, port }, {
      secureTransport: secure ? "on" : "off",
      allowHalfOpen: false,
    });
  } catch (error) {
    throw new WireError("connect_failed", `Cannot connect to ${url.href}`, {
      cause: error,
    });
  }
  if (signal?.aborted) {
    await closeQuietly(stream);
    throw aborted();
  }
  // Closing the stream ends a read or write under way with an error.
  const onAbort = () => void closeStream(stream);
  signal?.addEventListener("abort", onAbort, { once: true });
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  try {
    await writer.write(new TextEncoder().encode(request));
    const read = await readHead(reader);
    if (signal?.aborted) throw aborted();
    if (read === null || "status" in read) {
      throw new WireError(
        "connect_failed",
        `The server at ${url.href} ended the connection before its answer`,
      );
    }
    const agreed = await checkResponse(read.head, key, offered, deflate);
    reader.releaseLock();
    writer.releaseLock();
    return { stream, ...agreed, head: read.rest };
  } catch (error) {
    writer.abort().catch(() => {});
    await reader.cancel().catch(() => {});
    await closeQuietly(stream);
    if (error instanceof WireError) throw error;
    if (signal?.aborted) throw aborted();
    throw new WireError("connect_failed", `Cannot connect to ${url.href}`, {
      cause: error,
    });
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Opens a client WebSocket to `url` over the runtime's TCP (or the `dial`
 * option's), sending `headers` and offering `protocols`; resolves once the
 * handshake is done, to an open {@linkcode WebSocketConnection}. Rejects
 * with a {@linkcode WireError}: `bad_handshake`, `connect_failed`,
 * `aborted` or `unsupported`.
 *
 * @param url A `ws:` or `wss:` URL (`http:` and `https:` are read as them).
 * @param options Headers, subprotocols, the signal, the dialer and limits.
 * @returns The open connection.
 *
 * @example A refused upgrade rejects with the status
 * ```ts
 * import { connect, WireError } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("no", { status: 403 }),
 * );
 * await assert.rejects(
 *   connect(`ws://127.0.0.1:${server.addr.port}/`),
 *   (error) => error instanceof WireError && error.code === "bad_handshake",
 * );
 * await server.shutdown();
 * ```
 */
export async function connect(
  url: string | URL,
  options: ConnectOptions = {},
): Promise<WebSocketConnection> {
  checkKeys("connect", options, KNOWN_OPTIONS);
  const { headers, protocols, signal, dial, compression, ...rest } = options;
  const attempt = prepareClient(url, protocols, headers, compression);
  const settings: WebSocketConnectionOptions = {
    ...rest,
    role: "client",
    url: attempt.url.href,
  };
  const ws = new WebSocketConnection(
    openClient(attempt, dial, signal),
    settings,
  );
  await ws.opened;
  return ws;
}
