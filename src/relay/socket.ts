/**
 * What the relay needs from a WebSocket: the adapter of each runtime hands
 * the relay one of these per accepted connection.
 *
 * @module
 */

import type { ConnectionSnapshot } from "./snapshot.ts";

/**
 * The socket side of a relay connection. A runtime's server WebSocket
 * (Deno, Bun, Hono's `WSContext`, a Durable Object's socket) satisfies it or
 * is wrapped in a few lines.
 *
 * @example An in-memory socket that records what the relay sends
 * ```ts
 * import type { RelaySocket } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const sent: string[] = [];
 * const socket: RelaySocket = { send: (text) => sent.push(text), close() {} };
 * socket.send("pong");
 * assert.deepEqual(sent, ["pong"]);
 * ```
 */
export interface RelaySocket {
  /**
   * Sends one text frame. Answers `false` when the runtime dropped it (Bun's
   * `send` answering 0 past its `backpressureLimit`; any other answer means
   * nothing), and may throw if the socket is gone; the relay counts a drop
   * either way.
   */
  send(data: string): unknown;
  /** Closes the socket with a close code and reason. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent, when the runtime reports it. */
  readonly bufferedAmount?: number;
  /**
   * Keeps `snapshot` with the socket, for a relay to rebuild the connection
   * from after a wake (`Relay.restore`). Optional: the relay calls it, when
   * present, each time the connection's session, channels or profile change.
   * A Durable Object adapter passes it to `serializeAttachment`.
   */
  persist?(snapshot: ConnectionSnapshot): void;
}
