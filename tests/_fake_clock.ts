/**
 * `@sinonjs/fake-timers`' `createClock()` adapted to the library's `Clock`
 * by the published `fromFakeTimers` (`@lifeline/realtime/testing`).
 *
 * @module
 */
import { createClock } from "@sinonjs/fake-timers";
import { fromFakeTimers, type TestClock } from "../src/testing/test_clock.ts";

export type { TestClock } from "../src/testing/test_clock.ts";

/** Makes a fake clock starting at time 0. */
export function createTestClock(): TestClock {
  return fromFakeTimers(createClock());
}
