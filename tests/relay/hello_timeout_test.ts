import assert from "node:assert/strict";
import { harness } from "./_harness.ts";

Deno.test("a socket that never sends hello is closed after helloTimeout, pings or not", () => {
  using h = harness({ helloTimeout: 1_000 });
  const a = h.connect({ hello: false });
  for (let i = 0; i < 9; i++) {
    h.clock.tick(100);
    a.send("ping");
  }
  assert.equal(a.socket.closes.length, 0);
  h.clock.tick(100);
  assert.deepEqual(a.take(), [{
    type: "bye",
    reason: "timeout",
    reconnect: true,
  }]);
  assert.deepEqual(a.socket.closes, [{ code: 4408, reason: "hello timeout" }]);
  assert.equal(h.relay.stats().connections, 0);
});

Deno.test("the default hello timeout is 10 s", () => {
  using h = harness();
  const a = h.connect({ hello: false });
  h.clock.tick(9_999);
  assert.equal(a.socket.closes.length, 0);
  h.clock.tick(1);
  assert.deepEqual(a.socket.closes.map((c) => c.code), [4408]);
});

Deno.test("a welcomed connection is not closed by the hello timeout", () => {
  using h = harness({ helloTimeout: 1_000, heartbeat: { timeout: 0 } });
  const a = h.connect();
  h.clock.tick(5_000);
  assert.equal(a.socket.closes.length, 0);
  assert.equal(h.clock.countTimers(), 0); // the sweep ran once, and stopped
});

Deno.test("pending connections share the one sweep timer: no timer per connection", () => {
  using h = harness({ helloTimeout: 1_000, heartbeat: { timeout: 0 } });
  const early = h.connect({ hello: false });
  h.clock.tick(400);
  const late = Array.from({ length: 50 }, () => h.connect({ hello: false }));
  assert.equal(h.clock.countTimers(), 1);
  h.clock.tick(600); // the first one's deadline
  assert.deepEqual(early.socket.closes.map((c) => c.code), [4408]);
  assert.equal(late[0].socket.closes.length, 0);
  assert.equal(h.clock.countTimers(), 1); // re-armed for the others' deadline
  h.clock.tick(400);
  for (const c of late) {
    assert.deepEqual(c.socket.closes.map((x) => x.code), [4408]);
  }
  assert.equal(h.clock.countTimers(), 0);
});

Deno.test("helloTimeout 0 never closes a silent socket for want of hello", () => {
  using h = harness({ helloTimeout: 0, heartbeat: { timeout: 0 } });
  const a = h.connect({ hello: false });
  assert.equal(h.clock.countTimers(), 0);
  h.clock.tick(60_000);
  assert.equal(a.socket.closes.length, 0);
});

Deno.test("with sweepTimer false, nextSweepAt and sweep apply the hello timeout", () => {
  using h = harness({
    helloTimeout: 1_000,
    sweepTimer: false,
    heartbeat: { interval: 5_000, timeout: 5_000 },
  });
  const a = h.connect({ hello: false });
  assert.equal(h.relay.nextSweepAt(), 1_000);
  h.clock.tick(999);
  h.relay.sweep();
  assert.equal(a.socket.closes.length, 0);
  h.clock.tick(1);
  h.relay.sweep();
  assert.deepEqual(a.socket.closes.map((c) => c.code), [4408]);
});

Deno.test("silent sockets opened a few ms apart cost one sweep per 100 ms, not one each", () => {
  using h = harness({ helloTimeout: 1_000, heartbeat: { timeout: 0 } });
  const silent = [];
  for (let i = 0; i < 50; i++) {
    silent.push(h.connect({ hello: false }));
    h.clock.tick(2);
  }
  // The first deadline is at 1,000; the last at 1,098.
  h.clock.tick(1_000 - 100);
  assert.equal(silent.filter((c) => c.socket.closes.length > 0).length, 1);
  h.clock.tick(99); // 1,099: the next sweep is 100 ms after the first
  assert.equal(silent.filter((c) => c.socket.closes.length > 0).length, 1);
  h.clock.tick(1); // 1,100
  assert.ok(silent.every((c) => c.socket.closes.length === 1));
  assert.equal(h.clock.countTimers(), 0);
});
