/**
 * `accept`: the server side of the opening handshake over a byte stream,
 * such as a connection from a TCP listener. It reads the upgrade request
 * (or takes one already read), answers a bad one with the status RFC 6455
 * asks for, and resolves to an open server-side `WebSocketConnection`.
 *
 * @example A WebSocket server on a raw TCP listener
 * ```ts
 * import { accept } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const served = (async () => {
 *   const ws = await accept(await listener.accept());
 *   ws.addEventListener("message", (e) => ws.send(`echo ${e.data}`));
 *   return ws.closed;
 * })();
 * const client = new WebSocket(`ws://127.0.0.1:${listener.addr.port}/`);
 * await new Promise((resolve) => client.onopen = resolve);
 * client.send("hi");
 * const reply = await new Promise((resolve) => client.onmessage = (e) => resolve(e.data));
 * assert.equal(reply, "echo hi");
 * client.close(1000);
 * assert.equal((await served).closeCode, 1000);
 * listener.close();
 * ```
 *
 * @module
 */

import { checkKeys } from "../core/_options.ts";
import type { ByteStream } from "./byte_stream.ts";
import {
  acceptResponse,
  checkRequest,
  readHead,
  type Refusal,
  refusalResponse,
} from "./_handshake.ts";
import { LIMIT_KEYS, type WireLimits } from "./limits.ts";
import { WebSocketConnection } from "./web_socket_connection.ts";
import { WireError } from "./wire_error.ts";
import { closeQuietly } from "./_release.ts";
import { acceptsOffer, DEFLATE_ANSWER } from "./_permessage_deflate.ts";

/**
 * An upgrade request already read off the stream: a `Request` fits.
 *
 * @example A request parsed by the caller's own HTTP code
 * ```ts
 * import type { HandshakeRequest } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const request: HandshakeRequest = new Request("http://example.test/ws");
 * assert.equal(request.method, "GET");
 * ```
 */
export interface HandshakeRequest {
  /** The HTTP method: `GET` for an upgrade. */
  readonly method: string;
  /** The request headers. */
  readonly headers: Headers;
}

/**
 * Options of {@linkcode accept}, with the {@linkcode WireLimits}.
 *
 * @example Choosing the newest subprotocol this server speaks
 * ```ts
 * import type { AcceptOptions } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const options: AcceptOptions = {
 *   protocol: (offered) => offered.find((p) => p === "chat.v2" || p === "chat.v1"),
 * };
 * assert.equal(options.protocol!(["x", "chat.v1"], new Request("http://a.test")), "chat.v1");
 * ```
 */
export interface AcceptOptions extends WireLimits {
  /**
   * Picks the subprotocol from those the client offered, in its order; one
   * not offered is a `TypeError`. None chosen by default.
   */
  protocol?: (
    offered: string[],
    request: HandshakeRequest,
  ) => string | undefined;
  /** Extra response headers; the handshake's own are ignored. */
  headers?: HeadersInit;
  /** See `WebSocketConnectionOptions.highWaterMark`. @default {16} */
  highWaterMark?: number;
  /** See `WebSocketConnectionOptions.closeTimeout`. @default {5000} */
  closeTimeout?: number;
  /**
   * Accepts a permessage-deflate offer (RFC 7692), answering without context
   * takeover either way; an offer asking for a window under 15 bits is
   * declined. Inflating stops at `maxMessage` (1009).
   * @default {false}
   */
  compression?: boolean;
}

const KNOWN_OPTIONS = [
  "protocol",
  "headers",
  "highWaterMark",
  "closeTimeout",
  "compression",
  ...LIMIT_KEYS,
];
const encoder = new TextEncoder();

/**
 * Runs the server side of the handshake on `stream`; see the module doc. A
 * bad request is answered (400, 426 with `Sec-WebSocket-Version: 13`, or
 * 431), the stream closed, and the promise rejects with a `WireError` of
 * code `bad_handshake` carrying that `status`.
 *
 * @param stream The byte stream from the client.
 * @param request The upgrade request, if the caller already read it.
 * @param options Subprotocol choice, headers and limits.
 * @returns The open server-side connection.
 *
 * @example A request of another WebSocket version is answered 426
 * ```ts
 * import { accept, WireError } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const toServer = new TransformStream<Uint8Array, Uint8Array>();
 * const toClient = new TransformStream<Uint8Array, Uint8Array>();
 * const request = new Request("http://a.test/", {
 *   headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "8" },
 * });
 * const [answer] = await Promise.all([
 *   new Response(toClient.readable).text(),
 *   assert.rejects(
 *     accept({ readable: toServer.readable, writable: toClient.writable }, request),
 *     (e) => e instanceof WireError && e.status === 426,
 *   ),
 * ]);
 * assert.match(answer, /^HTTP\/1.1 426 /);
 * ```
 */
export async function accept(
  stream: ByteStream,
  request?: HandshakeRequest,
  options: AcceptOptions = {},
): Promise<WebSocketConnection> {
  checkKeys("accept", options, KNOWN_OPTIONS);
  const { protocol: choose, headers, compression, ...rest } = options;
  let head: Uint8Array | undefined;
  const given = request !== undefined;
  if (request === undefined) {
    const reader = stream.readable.getReader();
    let read;
    try {
      read = await readHead(reader);
    } catch {
      read = null;
    }
    reader.releaseLock();
    if (read === null || "status" in read) {
      return refuse(
        stream,
        read ?? { status: 400, message: "Not an HTTP request" },
      );
    }
    request = { method: read.head.start[0], headers: read.head.headers };
    head = read.rest;
  }
  const checked = checkRequest(request.method, request.headers, !given);
  if ("status" in checked) return refuse(stream, checked);
  const protocol = choose?.(checked.offered, request) ?? "";
  if (protocol !== "" && !checked.offered.includes(protocol)) {
    await closeQuietly(stream);
    throw new TypeError(
      `Cannot accept as 'protocol' chose ${
        JSON.stringify(protocol)
      }, which the client did not offer`,
    );
  }
  const extensions = compression === true &&
      acceptsOffer(request.headers.get("sec-websocket-extensions"))
    ? DEFLATE_ANSWER
    : "";
  const writer = stream.writable.getWriter();
  try {
    const answer = await acceptResponse(
      checked.key,
      protocol,
      headers,
      extensions,
    );
    await writer.write(encoder.encode(answer));
  } catch (error) {
    await closeQuietly(stream);
    throw new WireError("connect_failed", "The client went away", {
      cause: error,
    });
  }
  writer.releaseLock();
  return new WebSocketConnection({ stream, protocol, extensions, head }, {
    ...rest,
    role: "server",
  });
}

async function refuse(stream: ByteStream, refusal: Refusal): Promise<never> {
  const writer = stream.writable.getWriter();
  try {
    await writer.write(encoder.encode(refusalResponse(refusal)));
    await writer.close();
  } catch {
    // The client is gone; the refusal stands.
  }
  writer.releaseLock();
  await closeQuietly(stream);
  throw new WireError("bad_handshake", refusal.message, {
    status: refusal.status,
  });
}
