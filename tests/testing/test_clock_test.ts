import assert from "node:assert/strict";
import { createClock } from "@sinonjs/fake-timers";
import {
  type FakeTimersClock,
  fromFakeTimers,
} from "../../src/testing/test_clock.ts";

Deno.test("fromFakeTimers reads the fake time as a method", () => {
  const fake = createClock(5000);
  const clock = fromFakeTimers(fake);
  assert.equal(clock.now(), 5000);
  clock.tick(250);
  assert.equal(clock.now(), 5250);
});

Deno.test("fromFakeTimers fires timers when ticked, in order", () => {
  const clock = fromFakeTimers(createClock());
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("b"), 20);
  clock.setTimeout(() => fired.push("a"), 10);
  assert.equal(clock.countTimers(), 2);
  clock.tick(15);
  assert.deepEqual(fired, ["a"]);
  clock.tick(5);
  assert.deepEqual(fired, ["a", "b"]);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("fromFakeTimers clears a timer by the handle it returned", () => {
  const clock = fromFakeTimers(createClock());
  let fired = false;
  const id = clock.setTimeout(() => fired = true, 10);
  clock.clearTimeout(id);
  assert.equal(clock.countTimers(), 0);
  clock.tick(10);
  assert.equal(fired, false);
});

Deno.test("fromFakeTimers takes any clock of the right shape", () => {
  const calls: string[] = [];
  const fake: FakeTimersClock = {
    now: 42,
    setTimeout: (_fn, ms) => (calls.push(`set ${ms}`), 7),
    clearTimeout: (id: number) => void calls.push(`clear ${id}`),
    tick: (ms) => void calls.push(`tick ${ms}`),
    countTimers: () => 3,
  };
  const clock = fromFakeTimers(fake);
  assert.equal(clock.now(), 42);
  clock.clearTimeout(clock.setTimeout(() => {}, 9));
  clock.tick(1);
  assert.equal(clock.countTimers(), 3);
  assert.deepEqual(calls, ["set 9", "clear 7", "tick 1"]);
});
