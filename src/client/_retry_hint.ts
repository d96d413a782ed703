/**
 * The relay's retry hint: a `bye` may say how long to wait before coming
 * back (a restart, a slow consumer, a client over the rate). The manager's
 * socket takes its reconnect delays from a backoff that wraps the app's (or
 * the default one) and makes the next delay at least the hint, plus a
 * random share of up to the hint again, so that the many clients of a
 * restarting relay spread their return. Internal to the client layer.
 *
 * @module
 */

import { type Backoff, ExponentialBackoff } from "../core/backoff.ts";
import { checkFunction, checkMethods } from "../core/_options.ts";
import type { ReconnectingWebSocketOptions } from "../socket/reconnecting_websocket_options.ts";

// The socket checks its options under its own name; these are checked here
// first, with the same messages, since the socket only sees the wrapper.
const OWNER = "ReconnectingWebSocket";

/** A backoff whose next delay a retry hint can lengthen. */
export class HintedBackoff implements Backoff {
  #inner: Backoff;
  #random: () => number;
  #hint = 0;

  /** Wraps the `backoff` of `options`, or the default one over its `random`. */
  constructor(options: ReconnectingWebSocketOptions) {
    const { backoff, random = Math.random } = options;
    checkFunction(OWNER, "random", random);
    this.#inner = backoff === undefined
      ? new ExponentialBackoff({ random })
      : checkMethods(OWNER, "backoff", backoff, ["next", "reset"]);
    this.#random = random;
  }

  /** The next delay is at least `ms`, plus up to `ms` of jitter. */
  hold(ms: number): void {
    this.#hint = ms;
  }

  next(): number {
    const delay = this.#inner.next();
    const hint = this.#hint;
    if (hint <= 0) return delay;
    this.#hint = 0;
    return Math.max(delay, hint + this.#random() * hint);
  }

  /** Rewinds the backoff; a pending hint goes too (a reconnect now). */
  reset(): void {
    this.#inner.reset();
    this.#hint = 0;
  }
}
