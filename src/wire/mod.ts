/**
 * WebSocket (RFC 6455) in TypeScript over any byte stream, client and server
 * side: `connect` over the runtime's TCP with the headers you choose,
 * `accept` on a connection from a TCP listener, `TcpWebSocket` for code that
 * takes a `WebSocket` constructor, and `WebSocketConnection` over any
 * `{ readable, writable }` pair, with a `WebSocket` face and a
 * `WebSocketStream` face that pushes back.
 *
 * @example A client and a server over an in-memory pipe, as streams
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
 * const { writable } = await client.opened;
 * const { readable } = await server.opened;
 * const writer = writable.getWriter();
 * await writer.write("one");
 * await writer.write(new Uint8Array([2]));
 * const reader = readable.getReader();
 * assert.equal((await reader.read()).value, "one");
 * assert.deepEqual((await reader.read()).value, new Uint8Array([2]));
 * await writer.close();
 * await server.closed;
 * ```
 *
 * @module
 */

export { accept, type AcceptOptions, type HandshakeRequest } from "./accept.ts";
export type { ByteStream, EstablishedStream } from "./byte_stream.ts";
export { connect, type ConnectOptions } from "./connect.ts";
export type { DialAddress, Dialer, DialOptions } from "./dialer.ts";
export { DEFAULT_LIMITS, type WireLimits } from "./limits.ts";
export { TcpWebSocket, type TcpWebSocketInit } from "./tcp_web_socket.ts";
export {
  type EventHandler,
  type Role,
  type WebSocketCloseInfo,
  WebSocketConnection,
  type WebSocketConnectionEventMap,
  type WebSocketConnectionOptions,
  type WebSocketStreamOpened,
} from "./web_socket_connection.ts";
export { WireError } from "./wire_error.ts";
export type { Clock, TimerId } from "../core/clock.ts";
export { CodedError } from "../core/coded_error.ts";
export type { WebSocketData } from "../core/ring_buffer.ts";
