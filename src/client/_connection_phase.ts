/**
 * The connection phase of a realtime client, one state machine:
 *
 * ```
 * offline ──socket open──▶ hello ──welcome──▶ rejoin ──channels joined──▶ ready
 *    ▲                       │                  │                           │
 *    └────────────── the connection drops, from any phase ─────────────────┘
 * ```
 *
 * `hello` waits for the relay's `welcome` (within the ack timeout, or the
 * connection is retried); `rejoin` waits for the channels the client was in
 * to be joined again; only `ready` lets queued requests out. The session id
 * and its resume token outlive the connection, so the next `hello` resumes
 * it. The token is a secret: it goes nowhere but into that `hello`.
 * Internal to the client layer.
 *
 * @module
 */

import type { Clock, TimerId } from "../core/clock.ts";

/** Where the connection stands; see the module doc. */
export type Phase = "offline" | "hello" | "rejoin" | "ready";

/** Tracks the phase, the session and the hello timeout. */
export class ConnectionPhase {
  #clock: Clock;
  #timeout: number;
  #onHelloTimeout: () => void;
  #phase: Phase = "offline";
  #session: string | null = null;
  #resume: string | undefined;
  #rejoins = 0;
  #helloTimer: TimerId | undefined;

  /**
   * @param timeout Milliseconds to wait for the welcome.
   * @param onHelloTimeout Called when no welcome came in time.
   */
  constructor(clock: Clock, timeout: number, onHelloTimeout: () => void) {
    this.#clock = clock;
    this.#timeout = timeout;
    this.#onHelloTimeout = onHelloTimeout;
  }

  /** The current phase. */
  get phase(): Phase {
    return this.#phase;
  }

  /** The session id of the latest welcome, kept across connections. */
  get session(): string | null {
    return this.#session;
  }

  /** The resume token of the latest welcome; only the next `hello` may carry it. */
  get resume(): string | undefined {
    return this.#resume;
  }

  /** Whether the relay has welcomed the connection and it has not dropped since. */
  get welcomed(): boolean {
    return this.#phase === "rejoin" || this.#phase === "ready";
  }

  /** The socket is open and the hello is about to be sent: wait for the welcome. */
  hello(): void {
    this.#clearHelloTimer();
    this.#phase = "hello";
    this.#helloTimer = this.#clock.setTimeout(() => {
      this.#helloTimer = undefined;
      this.#onHelloTimeout();
    }, this.#timeout);
  }

  /**
   * The relay welcomed us under `session` (resumable with `resume`), and
   * `rejoins` channels are to be joined again. `false` (and nothing
   * changes) outside the hello phase.
   */
  welcome(
    session: string,
    resume: string | undefined,
    rejoins: number,
  ): boolean {
    if (this.#phase !== "hello") return false;
    this.#clearHelloTimer();
    this.#session = session;
    this.#resume = resume;
    this.#rejoins = rejoins;
    this.#phase = "rejoin";
    return true;
  }

  /** One channel is joined again (or failed to be); see {@linkcode rejoinDone}. */
  rejoined(): void {
    this.#rejoins--;
  }

  /** Whether the rejoin phase is over: every channel joined again. */
  get rejoinDone(): boolean {
    return this.#phase === "rejoin" && this.#rejoins <= 0;
  }

  /** The channels are joined again: requests may go out. */
  ready(): void {
    this.#phase = "ready";
  }

  /**
   * The connection is gone. Returns whether it had been welcomed, or
   * `undefined` when the phase was offline already.
   */
  drop(): boolean | undefined {
    if (this.#phase === "offline") return undefined;
    const wasWelcomed = this.welcomed;
    this.#phase = "offline";
    this.#clearHelloTimer();
    return wasWelcomed;
  }

  #clearHelloTimer(): void {
    if (this.#helloTimer !== undefined) {
      this.#clock.clearTimeout(this.#helloTimer);
      this.#helloTimer = undefined;
    }
  }
}
