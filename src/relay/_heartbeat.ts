/**
 * The heartbeat sweep: closes connections silent for longer than the
 * heartbeat allows, that sent no `hello` within the hello timeout, or
 * nothing but pings within the idle timeout, and
 * prunes expired sessions. Driven by its own timer, or
 * from outside (a Durable Object's alarm) when the timer is off. Internal.
 *
 * @module
 */

import type { TimerId } from "../core/clock.ts";
import { RelayCloseCode } from "../protocol/mod.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";

/** The shortest wait between sweeps run for hello deadlines, in ms. */
const MIN_HELLO_SWEEP_GAP_MS = 100;

/**
 * One sweep timer for all of a relay's connections: no connection has a
 * timer of its own, the hello timeout's included.
 */
export class Sweeper {
  #context: Context;
  #connections: ReadonlySet<Connection>;
  #timer: boolean;
  #sweep: TimerId | undefined;
  /** When the armed sweep runs, on the relay's clock. */
  #sweepAt = 0;

  constructor(
    context: Context,
    connections: ReadonlySet<Connection>,
    timer: boolean,
  ) {
    this.#context = context;
    this.#connections = connections;
    this.#timer = timer;
  }

  /**
   * Starts the timer, if it is on and not running (a connection arrived):
   * the sweep runs after the heartbeat timeout. `pending`: the connection
   * waits for its `hello`, so the sweep runs by its hello deadline too
   * (constant work: every later deadline is later).
   */
  arm(pending = false): void {
    if (!this.#timer) return;
    const { clock, settings } = this.#context;
    const timeout = settings.heartbeat.timeout;
    const hello = pending ? settings.helloTimeout : 0;
    let delay = timeout > 0 ? timeout : Infinity;
    if (hello > 0) delay = Math.min(delay, hello);
    if (delay === Infinity) return;
    const at = clock.now() + delay;
    if (this.#sweep !== undefined) {
      if (this.#sweepAt <= at) return;
      clock.clearTimeout(this.#sweep);
    }
    this.#sweepAt = at;
    this.#sweep = clock.setTimeout(() => {
      this.#sweep = undefined;
      this.sweep();
    }, delay);
  }

  /** Stops the timer when no connection is left. */
  disarmIfIdle(): void {
    if (this.#connections.size === 0) this.stop();
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#sweep === undefined) return;
    this.#context.clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
  }

  /**
   * Closes every connection silent for more than `interval + timeout` ms
   * (`bye` timeout, then 4408) and prunes expired sessions; re-arms the
   * timer while connections remain.
   */
  sweep(): void {
    const { clock, settings, store } = this.#context;
    const now = clock.now();
    const { interval, timeout } = settings.heartbeat;
    const hello = settings.helloTimeout;
    /** The next hello deadline of a connection still pending. */
    let helloDue = Infinity;
    if (hello > 0) {
      for (const conn of [...this.#connections]) {
        if (conn.state !== "pending") continue;
        if (now - conn.openedAt >= hello) conn.helloOverdue();
        else helloDue = Math.min(helloDue, conn.openedAt + hello);
      }
    }
    if (timeout > 0) {
      const silence = interval + timeout;
      for (const conn of [...this.#connections]) {
        if (conn.state === "closing" || now - conn.lastSeen <= silence) {
          continue;
        }
        conn.terminate(RelayCloseCode.heartbeatTimeout, "heartbeat timeout", {
          bye: "timeout",
          dropped: true,
        });
      }
    }
    const idle = settings.idleTimeout;
    if (idle > 0) {
      for (const conn of [...this.#connections]) {
        if (conn.state === "open" && now - conn.lastActive >= idle) {
          conn.terminate(RelayCloseCode.heartbeatTimeout, "idle timeout", {
            bye: "idle",
          });
        }
      }
    }
    background(this.#context, store.prune(now));
    if (this.#connections.size > 0) this.#rearm(now, helloDue);
  }

  /** Arms the next sweep after the heartbeat timeout, or by `helloDue`. */
  #rearm(now: number, helloDue: number): void {
    if (!this.#timer || this.#sweep !== undefined) return;
    const timeout = this.#context.settings.heartbeat.timeout;
    // Sockets that never say hello, opened a few ms apart, would otherwise
    // each cost a sweep of every connection.
    const hello = Math.max(helloDue, now + MIN_HELLO_SWEEP_GAP_MS);
    const at = Math.min(timeout > 0 ? now + timeout : Infinity, hello);
    if (at === Infinity) return;
    this.#sweepAt = at;
    this.#sweep = this.#context.clock.setTimeout(() => {
      this.#sweep = undefined;
      this.sweep();
    }, at - now);
  }

  /**
   * When the next sweep has something to do: the time (on the relay's
   * clock) the least recently heard connection goes silent for too long, or
   * `undefined` when none can (no connection, or `timeout` 0).
   */
  nextAt(): number | undefined {
    const { heartbeat, helloTimeout, idleTimeout } = this.#context.settings;
    const { interval, timeout } = heartbeat;
    let next = Infinity;
    for (const conn of this.#connections) {
      if (conn.state === "closing") continue;
      if (timeout > 0) {
        next = Math.min(next, conn.lastSeen + interval + timeout + 1);
      }
      if (helloTimeout > 0 && conn.state === "pending") {
        next = Math.min(next, conn.openedAt + helloTimeout);
      }
      if (idleTimeout > 0 && conn.state === "open") {
        next = Math.min(next, conn.lastActive + idleTimeout);
      }
    }
    return next === Infinity ? undefined : next;
  }
}
