/**
 * The counters a relay reports.
 *
 * @module
 */

/**
 * Counters of a `Relay`, as `Relay.stats` returns them;
 * cheap to read.
 *
 * @example Counting a ping and its pong
 * ```ts
 * import { Relay, type RelayStats } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * relay.open({ send() {}, close() {} }).message("ping");
 * const stats: RelayStats = relay.stats();
 * assert.equal(stats.connections, 1);
 * assert.equal(stats.sessions, 0); // no hello yet
 * assert.deepEqual([stats.messagesIn, stats.messagesOut], [1, 1]);
 * relay.close();
 * ```
 */
export interface RelayStats {
  /** Open sockets, welcomed or not. */
  connections: number;
  /** Welcomed connections. */
  sessions: number;
  /** Closed sessions that can still be resumed. */
  resumable: number;
  /** Client message ids remembered for dedupe, across all sessions (when the store counts them). */
  dedupeIds: number;
  /** Channels with at least one member. */
  channels: number;
  /** Frames received, `ping` included. */
  messagesIn: number;
  /** Frames sent (with a fan-out: handed to it, per recipient). */
  messagesOut: number;
  /**
   * Frames not sent: a throwing `send`, a frame the runtime dropped, a socket
   * over `maxBufferedBytes`, or a volatile message to one over
   * `softBufferedBytes`.
   */
  drops: number;
  /** Frames answered with a decoding error, `hello_required` or `too_large`. */
  badFrames: number;
  /** Frames refused with `rate_limited`. */
  rateLimited: number;
  /** Publishes acked as duplicates of an earlier `mid`, not delivered. */
  duplicates: number;
  /** Connections closed as slow consumers (1013): backlogged past `maxBufferedBytes` for `slowConsumerTimeout`. */
  slowConsumers: number;
}
