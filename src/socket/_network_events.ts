/**
 * The wait before a `ReconnectingWebSocket` retries, aware of the network
 * where the runtime reports it (browsers: `online`/`offline` on the window,
 * `visibilitychange` from the document, which bubbles to the window).
 *
 * - `online`, or the page becoming visible, while a retry waits: the retry
 *   runs at once instead of waiting out its backoff.
 * - `offline` (or `navigator.onLine === false` when the wait starts): the
 *   wait is paused, with no timer, until `online`.
 *
 * Listeners are attached only while a retry waits, so a client that is
 * connected or closed holds none. Internal; not exported.
 *
 * @module
 */

import type { Clock, TimerId } from "../core/clock.ts";
import type { NetworkEventSource } from "./reconnecting_websocket_options.ts";

/** One pending retry at a time: scheduled, cleared, or run early. */
export class RetryTimer {
  #clock: Clock;
  #source: NetworkEventSource | undefined;
  #timer: TimerId | undefined;
  #run: (() => void) | undefined;
  #offline = false;

  #onOnline = (): void => {
    this.#offline = false;
    this.#runNow();
  };
  #onOffline = (): void => {
    this.#offline = true;
    this.#cancelTimer();
  };
  #onVisibility = (): void => {
    const visible = this.#source?.document?.visibilityState === "visible";
    if (visible && !this.#offline) this.#runNow();
  };

  constructor(clock: Clock, source: NetworkEventSource | undefined) {
    this.#clock = clock;
    this.#source = source;
  }

  /**
   * Runs `run` after `delay` ms, sooner on `online` or on becoming visible,
   * not before `online` while offline. Replaces any pending retry.
   */
  schedule(delay: number, run: () => void): void {
    this.clear();
    this.#run = run;
    const source = this.#source;
    if (source !== undefined) {
      source.addEventListener("online", this.#onOnline);
      source.addEventListener("offline", this.#onOffline);
      source.addEventListener("visibilitychange", this.#onVisibility);
      this.#offline = source.navigator?.onLine === false;
    }
    if (!this.#offline) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#runNow();
      }, delay);
    }
  }

  /** Drops the pending retry, its timer and its listeners. */
  clear(): void {
    this.#cancelTimer();
    if (this.#run === undefined) return;
    this.#run = undefined;
    const source = this.#source;
    source?.removeEventListener("online", this.#onOnline);
    source?.removeEventListener("offline", this.#onOffline);
    source?.removeEventListener("visibilitychange", this.#onVisibility);
  }

  #runNow(): void {
    const run = this.#run;
    if (run === undefined) return;
    this.clear();
    run();
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
