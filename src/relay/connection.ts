/**
 * The handle an adapter holds for each socket it gave the relay.
 *
 * @module
 */

/**
 * The handle of one connection, given to the adapter by `Relay.open`.
 *
 * @example Feeding frames and reporting the close
 * ```ts
 * import { Relay, type RelayConnection } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const connection: RelayConnection = relay.open({ send() {}, close() {} });
 * connection.message('{"type":"hello","v":1}');
 * assert.equal(relay.stats().sessions, 1);
 * connection.closed(1000, "bye");
 * assert.equal(relay.stats().connections, 0);
 * relay.close();
 * ```
 */
export interface RelayConnection {
  /** The session id once welcomed; before that a provisional id. */
  readonly id: string;
  /** The adapter feeds every inbound frame here; never throws. */
  message(data: string | ArrayBuffer | Uint8Array): void;
  /** The adapter calls this when the socket closed (peer or us). Idempotent. */
  closed(code?: number, reason?: string): void;
  /**
   * Tells the relay the peer was heard from at time `at` (on the relay's
   * clock) without a frame reaching `RelayConnection.message`: a
   * Durable Object's auto-response timestamp for a `ping` it answered while
   * asleep. A time earlier than the last one heard changes nothing.
   * The handles `Relay.open` and `Relay.restore` return always have it; it is optional so
   * that an adapter's own wrapper of a handle stays a `RelayConnection`
   * (forward it when the runtime can report liveness).
   *
   * @example Keeping a connection alive from outside
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import { fromFakeTimers } from "@lifeline/realtime/testing";
   * import { createClock } from "@sinonjs/fake-timers";
   * import assert from "node:assert/strict";
   *
   * const clock = fromFakeTimers(createClock());
   * const relay = new Relay({ clock, sweepTimer: false, heartbeat: { interval: 10, timeout: 10 } });
   * const connection = relay.open({ send() {}, close() {} });
   * clock.tick(15);
   * connection.seen?.(15); // a ping answered by the runtime
   * clock.tick(15);
   * relay.sweep();
   * assert.equal(relay.stats().connections, 1);
   * relay.close();
   * ```
   */
  seen?(at: number): void;
}
