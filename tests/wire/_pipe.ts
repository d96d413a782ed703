/**
 * Two ends of a connection over in-memory pipes, and the raw byte streams
 * for tests that play one end by hand.
 *
 * @module
 */

import type { ByteStream } from "../../src/wire/byte_stream.ts";
import {
  WebSocketConnection,
  type WebSocketConnectionOptions,
} from "../../src/wire/web_socket_connection.ts";

/** Two byte streams wired to each other. */
export function pipes(): { a: ByteStream; b: ByteStream } {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return {
    a: { readable: ba.readable, writable: ab.writable },
    b: { readable: ab.readable, writable: ba.writable },
  };
}

/** A client and a server connection over pipes. */
export function pair(
  client: WebSocketConnectionOptions = {},
  server: WebSocketConnectionOptions = {},
): { client: WebSocketConnection; server: WebSocketConnection } {
  const { a, b } = pipes();
  return {
    client: new WebSocketConnection({ stream: a }, client),
    server: new WebSocketConnection({ stream: b }, {
      ...server,
      role: "server",
    }),
  };
}

/** The next `type` event of `target`. */
export function next<E extends Event>(
  target: EventTarget,
  type: string,
): Promise<E> {
  return new Promise((resolve) =>
    target.addEventListener(type, (e) => resolve(e as E), { once: true })
  );
}

/**
 * Lets `count` turns of the event loop pass, so that whatever can happen
 * without new input has happened; for asserting that something did not.
 */
export async function turns(count = 10): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
