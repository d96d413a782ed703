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

/** One sweep timer for all of a relay's connections. */
export class Sweeper {
  #context: Context;
  #connections: ReadonlySet<Connection>;
  #timer: boolean;
  #sweep: TimerId | undefined;

  constructor(
    context: Context,
    connections: ReadonlySet<Connection>,
    timer: boolean,
  ) {
    this.#context = context;
    this.#connections = connections;
    this.#timer = timer;
  }

  /** Starts the timer, if it is on and not running (a connection arrived). */
  arm(): void {
    const timeout = this.#context.settings.heartbeat.timeout;
    if (!this.#timer || this.#sweep !== undefined || timeout <= 0) return;
    this.#sweep = this.#context.clock.setTimeout(() => {
      this.#sweep = undefined;
      this.sweep();
    }, timeout);
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
    if (hello > 0) {
      for (const conn of [...this.#connections]) {
        if (conn.state === "pending" && now - conn.openedAt >= hello) {
          conn.helloOverdue();
        }
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
    if (this.#connections.size > 0) this.arm();
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
