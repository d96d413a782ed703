/**
 * The byte streams the wire layer runs over: any `{ readable, writable }`
 * pair of `Uint8Array` streams (a `Deno.Conn`, Cloudflare's `connect()`
 * socket, a `TransformStream` pipe in a test), and one past its opening
 * handshake.
 *
 * @example An in-memory pipe is a byte stream
 * ```ts
 * import type { ByteStream } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const pipe = new TransformStream<Uint8Array, Uint8Array>();
 * const stream: ByteStream = pipe;
 * assert.ok(stream.readable instanceof ReadableStream);
 * ```
 *
 * @module
 */

/**
 * A duplex byte stream. `close()`, when present (`Deno.Conn`, a workerd
 * `Socket`), is called once the connection is over, after the writable was
 * closed and the readable cancelled.
 *
 * @example A TCP connection from Deno is one
 * ```ts ignore
 * import type { ByteStream } from "@lifeline/realtime/wire";
 *
 * const conn: ByteStream = await Deno.connect({ hostname: "127.0.0.1", port: 8080 });
 * ```
 */
export interface ByteStream {
  /** The bytes the peer sends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The bytes to send to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Releases the connection; errors are ignored. */
  close?(): unknown;
}

/**
 * A byte stream past its opening handshake, and what the handshake agreed:
 * what `WebSocketConnection` is made from.
 *
 * @example A server-side connection over a pipe, handshake done elsewhere
 * ```ts
 * import { type EstablishedStream, WebSocketConnection } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const toServer = new TransformStream<Uint8Array, Uint8Array>();
 * const toClient = new TransformStream<Uint8Array, Uint8Array>();
 * const established: EstablishedStream = {
 *   stream: { readable: toServer.readable, writable: toClient.writable },
 *   protocol: "chat.v1",
 * };
 * const ws = new WebSocketConnection(established, { role: "server" });
 * assert.equal(ws.protocol, "chat.v1");
 * ws.close();
 * await toServer.writable.close();
 * await toClient.readable.cancel();
 * await ws.closed;
 * ```
 */
export interface EstablishedStream {
  /** The byte stream, positioned after the handshake. */
  stream: ByteStream;
  /** The subprotocol agreed, `""` for none. */
  protocol?: string;
  /** The extensions agreed, `""` for none. */
  extensions?: string;
  /** Bytes already read past the handshake: the first frames. */
  head?: Uint8Array;
}
