import assert from "node:assert/strict";
import { harness } from "./_harness.ts";

const heartbeat = { interval: 1_000, timeout: 500 };

Deno.test("with sweepTimer false the relay sets no timer and sweeps when told", () => {
  using h = harness({ heartbeat, sweepTimer: false });
  const c = h.connect();
  assert.equal(h.clock.countTimers(), 0);
  h.clock.tick(10_000);
  assert.deepEqual(c.socket.closes, []); // nobody swept
  h.relay.sweep();
  assert.deepEqual(c.take(), [{
    type: "bye",
    reason: "timeout",
    reconnect: true,
  }]);
  assert.deepEqual(c.socket.closes, [{
    code: 4408,
    reason: "heartbeat timeout",
  }]);
  assert.equal(h.relay.stats().connections, 0);
});

Deno.test("nextSweepAt is when the least recently heard connection goes silent too long", () => {
  using h = harness({ heartbeat, sweepTimer: false });
  assert.equal(h.relay.nextSweepAt(), undefined);
  const a = h.connect();
  h.clock.tick(200);
  h.connect();
  assert.equal(h.relay.nextSweepAt(), 1_501);
  h.clock.tick(100);
  a.send("ping");
  assert.equal(h.relay.nextSweepAt(), 1_701);
  h.clock.tick(1_400); // now 1_700: not yet
  h.relay.sweep();
  assert.equal(h.relay.stats().connections, 2);
  h.clock.tick(1);
  h.relay.sweep();
  assert.equal(h.relay.stats().connections, 1);
  assert.deepEqual(a.socket.closes, []);
  assert.equal(h.relay.nextSweepAt(), 300 + 1_501);
});

Deno.test("nextSweepAt is undefined when the heartbeat never drops anyone", () => {
  using h = harness({ heartbeat: { timeout: 0 }, sweepTimer: false });
  h.connect();
  assert.equal(h.relay.nextSweepAt(), undefined);
  h.clock.tick(1e9);
  h.relay.sweep();
  assert.equal(h.relay.stats().connections, 1);
});

Deno.test("seen() keeps a connection alive without a frame", () => {
  using h = harness({ heartbeat });
  const c = h.connect();
  h.clock.tick(1_400);
  c.conn.seen!(h.clock.now()); // a ping the runtime answered by itself
  h.clock.tick(1_000);
  assert.equal(c.socket.closes.length, 0);
  h.clock.tick(1_000);
  assert.equal(c.socket.closes[0]?.code, 4408);
});

Deno.test("seen() with an older time changes nothing", () => {
  using h = harness({ heartbeat, sweepTimer: false });
  const c = h.connect();
  h.clock.tick(1_000);
  c.send("ping");
  c.conn.seen!(10);
  assert.equal(h.relay.nextSweepAt(), 2_501);
});

Deno.test("the sweep prunes expired sessions", () => {
  using h = harness({ heartbeat, resumeWindow: 100, sweepTimer: false });
  const c = h.connect();
  c.conn.closed();
  assert.equal(h.relay.stats().resumable, 1);
  h.clock.tick(100);
  h.relay.sweep();
  assert.equal(h.relay.stats().resumable, 0);
});

Deno.test("sweep and nextSweepAt do nothing on a closed relay", () => {
  using h = harness({ heartbeat, sweepTimer: false });
  h.connect();
  h.relay.close();
  h.relay.sweep();
  assert.equal(h.relay.nextSweepAt(), undefined);
});

Deno.test("connections silent past interval + timeout are dropped with 4408", () => {
  using h = harness({
    heartbeat: { interval: 1000, timeout: 500 },
    presenceGrace: 0,
  });
  const silent = h.connect();
  const chatty = h.connect();
  const peer = h.connect();
  silent.send({ type: "join", channel: "room" });
  peer.send({ type: "join", channel: "room" });
  peer.take();
  for (let t = 0; t < 2000; t += 400) {
    h.clock.tick(400);
    chatty.send("ping");
    peer.send("ping");
  }
  assert.deepEqual(silent.take().at(-1), {
    type: "bye",
    reason: "timeout",
    reconnect: true,
  });
  assert.deepEqual(silent.socket.closes, [{
    code: 4408,
    reason: "heartbeat timeout",
  }]);
  assert.equal(chatty.socket.closes.length, 0);
  assert.equal(peer.take()[0].type, "presence");
  assert.equal(h.relay.stats().connections, 2);
});

Deno.test("heartbeat timeout 0 keeps silent connections and no timer", () => {
  using h = harness({ heartbeat: { timeout: 0 } });
  const a = h.connect();
  // One sweep at the hello deadline (the hello timeout has no timer of its
  // own), then none.
  h.clock.tick(10 * 60_000);
  assert.equal(a.socket.closes.length, 0);
  assert.equal(h.clock.countTimers(), 0);
});

Deno.test("the sweep timer stops when the last connection goes", () => {
  using h = harness();
  const a = h.connect();
  assert.equal(h.clock.countTimers(), 1);
  a.conn.closed();
  assert.equal(h.clock.countTimers(), 0);
});
