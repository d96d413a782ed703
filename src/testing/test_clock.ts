/**
 * A fake clock for tests, built on the well-kept `@sinonjs/fake-timers`
 * rather than a timer queue of our own: {@linkcode fromFakeTimers} turns its
 * `createClock()` into the library's `Clock`, to inject as the `clock`
 * option, plus the controls a test drives it with. The fake-timers clock is
 * typed structurally, so this package imports nothing from npm; the test
 * installs `@sinonjs/fake-timers` itself. Nothing is installed globally.
 *
 * @module
 */

import type { Clock, TimerId } from "../core/clock.ts";

export type { Clock, TimerId } from "../core/clock.ts";

/**
 * The part of a `@sinonjs/fake-timers` clock (what `createClock()` returns)
 * that {@linkcode fromFakeTimers} uses.
 *
 * @example A clock of @sinonjs/fake-timers fits
 * ```ts
 * import type { FakeTimersClock } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const fake: FakeTimersClock = createClock();
 * fake.setTimeout(() => {}, 10);
 * assert.equal(fake.countTimers(), 1);
 * ```
 */
export interface FakeTimersClock {
  /** The fake time in milliseconds: a number, not a method. */
  readonly now: number;
  /** Schedules `fn` after `ms` fake milliseconds. */
  setTimeout(fn: () => void, ms: number): unknown;
  /**
   * Cancels a timer. Typed `never` so that fake-timers' own id type fits;
   * the adapter passes back only the handles its `setTimeout` returned.
   */
  clearTimeout(id: never): void;
  /** Advances the fake time, firing the timers due. */
  tick(ms: number): unknown;
  /** The number of timers pending. */
  countTimers(): number;
}

/**
 * A {@linkcode Clock} driven by the test: inject it as `clock`, then move
 * time with {@linkcode TestClock.tick}.
 *
 * @example Running a timeout without waiting
 * ```ts
 * import { fromFakeTimers, type TestClock } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock: TestClock = fromFakeTimers(createClock());
 * let fired = false;
 * clock.setTimeout(() => fired = true, 60_000);
 * clock.tick(59_999);
 * assert.equal(fired, false);
 * clock.tick(1);
 * assert.equal(fired, true);
 * assert.equal(clock.now(), 60_000);
 * ```
 */
export interface TestClock extends Clock {
  /**
   * Advances time by `ms` milliseconds, firing the timers that fall due, in
   * order, synchronously.
   */
  tick(ms: number): void;
  /** The number of timers pending; 0 once everything is cleaned up. */
  countTimers(): number;
}

/**
 * Adapts a `@sinonjs/fake-timers` clock to {@linkcode TestClock}: `now` as a
 * method, timer handles passed through, and its `tick` and `countTimers`.
 *
 * @example A reconnecting socket's timeout on a fake clock
 * ```ts
 * import { ReconnectingWebSocket } from "@lifeline/realtime";
 * import { FakeWebSocket, fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const clock = fromFakeTimers(createClock());
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket, // never opens
 *   clock,
 *   timeout: 1000,
 *   maxRetries: 0,
 * });
 * clock.tick(1000);
 * const state = socket.connection.value;
 * assert.equal(state.type === "disconnected" && state.error?.code, "connect_timeout");
 * assert.equal(clock.countTimers(), 0);
 * ```
 */
export function fromFakeTimers(fake: FakeTimersClock): TestClock {
  return {
    now: () => fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (id: TimerId) => fake.clearTimeout(id as never),
    tick: (ms) => void fake.tick(ms),
    countTimers: () => fake.countTimers(),
  };
}
