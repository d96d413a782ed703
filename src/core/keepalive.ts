/**
 * An application-level heartbeat, for runtimes whose WebSocket API cannot
 * send ping frames: after a spell of inbound silence it sends a text ping,
 * and if nothing at all arrives soon after, it declares the connection dead.
 *
 * @module
 */

import {
  checkFunction,
  checkKeys,
  checkMethods,
  checkNumber,
  checkString,
} from "./_options.ts";
import { type Clock, systemClock, type TimerId } from "./clock.ts";

export type { Clock, TimerId } from "./clock.ts";

/**
 * Options for {@linkcode Keepalive}. Times are milliseconds; every field is
 * optional.
 *
 * @example A faster heartbeat with custom ping and pong messages
 * ```ts
 * import { Keepalive, type KeepaliveOptions } from "@lifeline/realtime/keepalive";
 * import assert from "node:assert/strict";
 *
 * const options: KeepaliveOptions = {
 *   interval: 5000,
 *   timeout: 2000,
 *   ping: '{"t":"ping"}',
 *   isPong: (data) => data === '{"t":"pong"}',
 * };
 * const keepalive = new Keepalive({ send() {}, onDead() {} }, options);
 * assert.equal(keepalive.interval, 5000);
 * assert.equal(keepalive.received('{"t":"pong"}'), true);
 * ```
 */
export interface KeepaliveOptions {
  /**
   * How long inbound silence lasts before a ping is sent; positive and
   * finite. Silence is counted from `start()` and from the reply to a ping
   * exactly; after other traffic the ping comes between `interval` and
   * `interval × 1.125` after the last message (the timer looks for traffic
   * every `interval / 8`: no clock is read per message).
   * @default {25000}
   */
  interval?: number;
  /**
   * How long after a ping, with nothing at all arriving, before the
   * connection is declared dead; positive and finite.
   * @default {10000}
   */
  timeout?: number;
  /**
   * The text message sent as a ping.
   * @default {"ping"}
   */
  ping?: string;
  /**
   * Tells a pong from other messages, so the caller can swallow it. Any
   * message counts as life whether it is a pong or not.
   * @default {(data) => data === "pong"}
   */
  isPong?: (data: unknown) => boolean;
  /**
   * The source of time.
   * @default {systemClock}
   */
  clock?: Clock;
}

const KEYS = ["interval", "timeout", "ping", "isPong", "clock"];

/**
 * What a {@linkcode Keepalive} does to the connection it watches: send a
 * ping, and report the connection dead.
 *
 * @example Handlers for a WebSocket-like connection
 * ```ts
 * import type { KeepaliveHandlers } from "@lifeline/realtime/keepalive";
 * import assert from "node:assert/strict";
 *
 * const sent: string[] = [];
 * let closed = false;
 * const handlers: KeepaliveHandlers = {
 *   send: (ping) => sent.push(ping),
 *   onDead: () => closed = true, // e.g. socket.close(4000, "keepalive timeout")
 * };
 * handlers.send("ping");
 * handlers.onDead();
 * assert.deepEqual(sent, ["ping"]);
 * assert.equal(closed, true);
 * ```
 */
export interface KeepaliveHandlers {
  /** Sends the ping message over the connection. */
  send(ping: string): void;
  /**
   * Called once when the connection is found dead: no message arrived within
   * `timeout` after a ping, or `send` threw (then `cause` is what it threw).
   * The keepalive has stopped by then; closing the connection is up to the
   * caller.
   */
  onDead(cause?: unknown): void;
}

/**
 * Watches a connection for inbound traffic. After `interval` ms without any
 * message it calls `send(ping)`; if no message arrives in the `timeout` ms
 * that follow, it stops and calls `onDead()` once. Every inbound message must
 * be passed to {@linkcode Keepalive.received}; that is cheap (it sets a
 * flag, reading no clock; the single timer looks for traffic every
 * `interval / 8`, so after traffic the ping comes within an eighth of an
 * interval past the silence asked for). The defaults are a ping after 25 s
 * of silence and death 10 s later.
 *
 * @example Detecting a dead connection on a fake clock
 * ```ts
 * import { Keepalive } from "@lifeline/realtime/keepalive";
 * import { fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock = fromFakeTimers(createClock());
 * const sent: string[] = [];
 * let dead = false;
 * const keepalive = new Keepalive(
 *   { send: (ping) => sent.push(ping), onDead: () => dead = true },
 *   { interval: 1000, timeout: 500, clock },
 * );
 * keepalive.start();
 * clock.tick(1000);
 * assert.deepEqual(sent, ["ping"]);
 * assert.equal(keepalive.received("pong"), true); // a pong: swallow it
 * clock.tick(1000);
 * assert.deepEqual(sent, ["ping", "ping"]);
 * clock.tick(500); // no answer this time
 * assert.equal(dead, true);
 * assert.equal(keepalive.running, false);
 * ```
 */
export class Keepalive {
  #handlers: KeepaliveHandlers;
  #interval: number;
  #timeout: number;
  #ping: string;
  #isPong: (data: unknown) => boolean;
  #clock: Clock;
  #timer: TimerId | undefined;
  #running = false;
  #awaitingReply = false;
  /**
   * A time no message arrived after, as far as the timer has seen: silence
   * is at least `now - #quietSince`, and at most `interval / 8` more.
   */
  #quietSince = 0;
  /** A message arrived since the timer last looked (or the keepalive started). */
  #heard = false;
  #onTimer = (): void => this.#fire();

  /**
   * Creates a stopped keepalive; call {@linkcode Keepalive.start} once the
   * connection is open.
   *
   * @param handlers How to send a ping and what to do when the connection is dead.
   * @param options Timing and messages; see {@linkcode KeepaliveOptions}.
   */
  constructor(handlers: KeepaliveHandlers, options: KeepaliveOptions = {}) {
    this.#handlers = checkMethods("Keepalive", "handlers", handlers, [
      "send",
      "onDead",
    ]);
    checkKeys("Keepalive", options, KEYS);
    const {
      interval = 25_000,
      timeout = 10_000,
      ping = "ping",
      isPong = isDefaultPong,
      clock = systemClock,
    } = options;
    const duration = { positive: true, finite: true };
    this.#interval = checkNumber("Keepalive", "interval", interval, duration);
    this.#timeout = checkNumber("Keepalive", "timeout", timeout, duration);
    this.#ping = checkString("Keepalive", "ping", ping);
    this.#isPong = checkFunction("Keepalive", "isPong", isPong);
    this.#clock = checkMethods("Keepalive", "clock", clock, [
      "now",
      "setTimeout",
      "clearTimeout",
    ]);
  }

  /** Whether the keepalive is watching: between `start()` and `stop()` or death. */
  get running(): boolean {
    return this.#running;
  }

  /** Milliseconds of inbound silence before a ping is sent. */
  get interval(): number {
    return this.#interval;
  }

  /** Milliseconds after a ping before the connection is declared dead. */
  get timeout(): number {
    return this.#timeout;
  }

  /** The ping message. */
  get ping(): string {
    return this.#ping;
  }

  /**
   * Starts watching, counting silence from now. Calling it while running
   * restarts the count (and forgets an unanswered ping); there is never more
   * than one timer.
   */
  start(): void {
    this.#cancelTimer();
    this.#running = true;
    this.#awaitingReply = false;
    this.#heard = false;
    this.#quietSince = this.#clock.now();
    this.#arm(this.#slice());
  }

  /** Stops watching and clears the timer. Safe to call at any time. */
  stop(): void {
    this.#running = false;
    this.#awaitingReply = false;
    this.#cancelTimer();
  }

  /**
   * Records an inbound message: any message proves the connection alive,
   * postponing the next ping and answering a pending one. Call it for every
   * message, pongs included.
   *
   * @param data The message as received.
   * @returns Whether the message is a pong, so the caller can swallow it.
   */
  received(data: unknown): boolean {
    if (this.#running) {
      if (this.#awaitingReply) {
        // Once per ping at most, so the clock and the timer stay off the hot
        // path; it keeps the next ping on schedule when timeout > interval.
        this.#awaitingReply = false;
        this.#heard = false;
        this.#quietSince = this.#clock.now();
        this.#cancelTimer();
        this.#arm(this.#slice());
      } else {
        // Every other message only marks that something came: the timer
        // reads the clock when it looks, not each message.
        this.#heard = true;
      }
    }
    return this.#isPong(data);
  }

  /** Stops the keepalive; the same as {@linkcode Keepalive.stop}. */
  [Symbol.dispose](): void {
    this.stop();
  }

  #fire(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    if (this.#awaitingReply) {
      this.#die(undefined);
      return;
    }
    const now = this.#clock.now();
    if (this.#heard) {
      // Something came since the last look, no later than now.
      this.#heard = false;
      this.#quietSince = now;
    }
    const silence = now - this.#quietSince;
    if (silence < this.#interval) {
      this.#arm(Math.min(this.#slice(), this.#interval - silence));
      return;
    }
    this.#awaitingReply = true;
    this.#arm(this.#timeout);
    try {
      this.#handlers.send(this.#ping);
    } catch (error) {
      // A connection that cannot carry a ping is as dead as one that does
      // not answer; the error reaches onDead rather than being swallowed.
      if (this.#running) this.#die(error);
    }
  }

  #die(cause: unknown): void {
    this.stop();
    this.#handlers.onDead(cause);
  }

  /** How often the timer looks for traffic while it waits to ping. */
  #slice(): number {
    return this.#interval / 8;
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(this.#onTimer, ms);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

function isDefaultPong(data: unknown): boolean {
  return data === "pong";
}
