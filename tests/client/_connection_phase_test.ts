import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { ConnectionPhase } from "../../src/client/_connection_phase.ts";

Deno.test("offline → hello → rejoin → ready, and back to offline on a drop", () => {
  const clock = createTestClock();
  const phase = new ConnectionPhase(clock, 1000, () => {});
  assert.equal(phase.phase, "offline");
  assert.equal(phase.drop(), undefined);
  phase.hello();
  assert.equal(phase.welcomed, false);
  assert.equal(phase.welcome("s1", "r1", 2), true);
  assert.equal(phase.phase, "rejoin");
  assert.equal(phase.welcomed, true);
  phase.rejoined();
  assert.equal(phase.rejoinDone, false);
  phase.rejoined();
  assert.equal(phase.rejoinDone, true);
  phase.ready();
  assert.equal(phase.phase, "ready");
  assert.equal(phase.drop(), true);
  assert.equal(phase.phase, "offline");
  assert.equal(phase.session, "s1");
  assert.equal(phase.resume, "r1"); // kept for the next hello
});

Deno.test("a welcome outside the hello phase changes nothing", () => {
  const phase = new ConnectionPhase(createTestClock(), 1000, () => {});
  assert.equal(phase.welcome("s1", "r1", 0), false);
  phase.hello();
  assert.equal(phase.welcome("s1", "r1", 0), true);
  assert.equal(phase.welcome("s2", "r1", 0), false);
  assert.equal(phase.session, "s1");
});

Deno.test("no welcome within the timeout calls onHelloTimeout once; a drop cancels it", () => {
  const clock = createTestClock();
  let timeouts = 0;
  const phase = new ConnectionPhase(clock, 1000, () => timeouts++);
  phase.hello();
  clock.tick(1000);
  assert.equal(timeouts, 1);
  phase.hello();
  assert.equal(phase.drop(), false);
  clock.tick(5000);
  assert.equal(timeouts, 1);
  assert.equal(clock.countTimers(), 0);
});
