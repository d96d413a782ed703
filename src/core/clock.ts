/**
 * The source of time for every timer in lifeline. Library code never touches
 * `globalThis.setTimeout` directly: it takes a {@linkcode Clock}, so tests can
 * hand it a fake one and run minutes of backoff in a millisecond.
 *
 * @module
 */

/**
 * An opaque handle returned by {@linkcode Clock.setTimeout}: keep it only to
 * pass back to {@linkcode Clock.clearTimeout}.
 *
 * @example Cancelling a timer by its handle
 * ```ts
 * import { systemClock, type TimerId } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * let fired = false;
 * const id: TimerId = systemClock.setTimeout(() => fired = true, 1);
 * systemClock.clearTimeout(id);
 * await new Promise((resolve) => setTimeout(resolve, 5));
 * assert.equal(fired, false);
 * ```
 */
export type TimerId = unknown;

/**
 * Time and one-shot timers. The global object's timer functions satisfy it
 * ({@linkcode systemClock}); for tests, `fromFakeTimers` in
 * `@lifeline/realtime/testing` adapts a `@sinonjs/fake-timers` clock.
 *
 * @example A fake clock for tests
 * ```ts
 * import type { Clock } from "@lifeline/realtime";
 * import { fromFakeTimers } from "@lifeline/realtime/testing";
 * import { createClock } from "@sinonjs/fake-timers";
 * import assert from "node:assert/strict";
 *
 * const fake = fromFakeTimers(createClock());
 * const clock: Clock = fake;
 * let fired = false;
 * clock.setTimeout(() => fired = true, 1000);
 * fake.tick(1000);
 * assert.equal(fired, true);
 * assert.equal(clock.now(), 1000);
 * ```
 */
export interface Clock {
  /** The current time in milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for {@linkcode Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer made by {@linkcode Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(id: TimerId): void;
}

/**
 * The real clock: `Date.now` and the global timer functions.
 *
 * @example Waiting with the real clock
 * ```ts
 * import { systemClock } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const start = systemClock.now();
 * await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
 * assert.ok(systemClock.now() >= start);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) =>
    globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
};
