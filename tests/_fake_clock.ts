/**
 * `@sinonjs/fake-timers`' `createClock()` adapted to the library's `Clock`
 * (its `now` is a number, not a method), plus the controls tests need.
 *
 * @module
 */
import { createClock } from "@sinonjs/fake-timers";
import type { Clock, TimerId } from "../src/core/clock.ts";

/** A fake clock to inject as `clock`, driven by `tick`. */
export interface TestClock extends Clock {
  /** Advances time by `ms`, firing the timers due. */
  tick(ms: number): void;
  /** The number of timers pending. */
  countTimers(): number;
}

/** Makes a fake clock starting at time 0. */
export function createTestClock(): TestClock {
  const fake = createClock();
  return {
    now: () => fake.now,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (id: TimerId) =>
      fake.clearTimeout(id as ReturnType<typeof fake.setTimeout>),
    tick: (ms) => void fake.tick(ms),
    countTimers: () => fake.countTimers(),
  };
}
