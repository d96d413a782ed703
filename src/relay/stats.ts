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
  /** Channel memberships of the connections here (a member of two channels counts twice). */
  members: number;
  /** Sessions resumed by a `hello` with their resume token. */
  resumes: number;
  /** Sessions taken over from a connection still open (closed with 4409). */
  takeovers: number;
  /** Frames received, by type (`ping` included; undecodable frames are in `badFrames`). */
  framesIn: Record<string, number>;
  /** Frames sent, by type (with a fan-out: handed to it, per recipient). */
  framesOut: {
    welcome: number;
    ack: number;
    msg: number;
    presence: number;
    error: number;
    bye: number;
    user: number;
    pong: number;
  };
  /** Channel and app-wide messages, and user events, handed to a socket: `framesOut.msg` plus `framesOut.user`. */
  deliveries: number;
  /** Error codes sent to clients (`error` frames and error acks), by code. */
  errors: Record<string, number>;
  /** Publish-to-delivery latency, in ms; see {@linkcode LatencyHistogram}. */
  latency: LatencyHistogram;
}

/**
 * A histogram, as `stats().latency` shows it: `counts[i]` observations at
 * most `buckets[i]` ms and above the bucket before (the last count is those
 * above every bound), their `sum` in ms and their `count`.
 *
 * @example The counts add up to the count
 * ```ts
 * import type { LatencyHistogram } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const h: LatencyHistogram = { buckets: [1, 10], counts: [8, 3, 1], sum: 40, count: 12 };
 * assert.equal(h.counts.reduce((a, b) => a + b), h.count);
 * ```
 */
export interface LatencyHistogram {
  /** The upper bounds, in ms. */
  buckets: readonly number[];
  /** Observations per bucket, not cumulative; one more than `buckets`. */
  counts: number[];
  /** The sum of every observation, in ms. */
  sum: number;
  /** How many observations. */
  count: number;
}
