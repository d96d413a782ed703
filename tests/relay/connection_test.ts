import assert from "node:assert/strict";
import { BYE_REASONS, type ByeReason } from "../../src/protocol/mod.ts";
import { type Harness, harness, resumeOf, settle } from "./_harness.ts";

Deno.test("a peer that closes during the linger is not closed again", () => {
  using h = harness({ limits: { frameBytes: 10 } });
  const a = h.connect();
  a.send("x".repeat(11));
  a.conn.closed(1009);
  h.clock.tick(1000);
  assert.equal(a.socket.closes.length, 0);
  assert.equal(h.relay.stats().connections, 0);
});

Deno.test("a throwing socket does not break fan-out to the others", () => {
  using h = harness();
  const clients = [h.connect(), h.connect(), h.connect()];
  for (const c of clients) c.send({ type: "join", channel: "room" });
  for (const c of clients) c.take();
  clients[1].socket.throwOnSend = true;
  clients[0].send({ type: "pub", ref: 1, channel: "room", event: "e" });
  assert.deepEqual(clients[0].take().map((f) => f.type), ["msg", "ack"]);
  assert.deepEqual(clients[2].take().map((f) => f.type), ["msg"]);
  h.relay.publish(null, "all");
  assert.equal(clients[2].take().length, 1);
  assert.equal(h.relay.stats().drops, 2);
});

Deno.test("a socket over the backlog bound misses messages, then is closed with 1013", async () => {
  using h = harness({ maxBufferedBytes: 1000, slowConsumerTimeout: 5000 });
  const slow = h.connect();
  const fast = h.connect();
  slow.socket.bufferedAmount = 1001;
  h.relay.publish(null, "one");
  assert.deepEqual(slow.take(), []);
  assert.equal(fast.take().length, 1);
  assert.equal(h.relay.stats().drops, 1);
  h.clock.tick(4999);
  fast.send("ping"); // keeps the heartbeat sweep away from `fast`
  h.relay.publish(null, "two");
  await Promise.resolve();
  assert.equal(slow.socket.closes.length, 0);
  h.clock.tick(1);
  h.relay.publish(null, "three");
  await Promise.resolve();
  h.clock.tick(250);
  assert.deepEqual(slow.socket.closes, [{
    code: 1013,
    reason: "slow consumer",
  }]);
  // The bye goes out past the backlog, with a retry hint.
  assert.deepEqual(slow.take(), [{
    type: "bye",
    reason: "slow_consumer",
    reconnect: true,
    retryAfter: 5000,
  }]);
  assert.equal(fast.take().length, 2);
  assert.equal(h.relay.stats().slowConsumers, 1);
});

Deno.test("a backlog that drains resets the slow-consumer timer", () => {
  using h = harness({ maxBufferedBytes: 1000, slowConsumerTimeout: 5000 });
  const slow = h.connect();
  slow.socket.bufferedAmount = 5000;
  h.relay.publish(null, "dropped");
  slow.socket.bufferedAmount = 0;
  h.clock.tick(4000);
  slow.send("ping");
  h.relay.publish(null, "sent");
  slow.socket.bufferedAmount = 5000;
  h.clock.tick(4000);
  slow.send("ping");
  h.relay.publish(null, "dropped");
  h.clock.tick(250);
  assert.equal(slow.socket.closes.length, 0);
  assert.equal(slow.take().length, 1);
});

Deno.test("close() closes a connection that lingers at once, with its own code", () => {
  using h = harness();
  const c = h.connect();
  c.conn.message(new Uint8Array(2 * 1024 * 1024));
  assert.equal(c.socket.closes.length, 0); // lingering
  h.relay.close();
  assert.deepEqual(c.socket.closes, [{
    code: 1009,
    reason: "frame too large",
  }]);
  assert.equal(c.take().some((f) => f.type === "bye"), false);
  assert.equal(h.clock.countTimers(), 0);
});

Deno.test("a connection is closed once, however many reasons it is given", () => {
  using h = harness({ heartbeat: { interval: 10, timeout: 10 } });
  const c = h.connect();
  c.conn.message(new Uint8Array(2 * 1024 * 1024)); // too large: linger
  h.clock.tick(300); // the linger ends; the sweeps skip a closing connection
  c.conn.closed();
  h.relay.close();
  assert.deepEqual(c.socket.closes.map((x) => x.code), [1009]);
});

Deno.test("a connection that closes leaves its channels and parks its session once", () => {
  using h = harness();
  const [a, b] = h.joined("lobby");
  a.conn.closed(1000);
  a.conn.closed(1000);
  assert.deepEqual(b.take().map((f) => f.type === "presence" && f.action), [
    "leave",
  ]);
  assert.equal(h.relay.stats().resumable, 1);
});

Deno.test("every bye is followed by the close code BYE_REASONS gives its reason", async () => {
  const seen = new Map<string, number | undefined>();
  const record = (c: ReturnType<Harness["connect"]>) => {
    const bye = c.socket.frames().find((f) => f.type === "bye");
    assert.ok(bye?.type === "bye");
    seen.set(bye.reason, c.socket.closes[0]?.code);
  };
  {
    using h = harness({ heartbeat: { interval: 10, timeout: 10 } });
    const c = h.connect();
    h.clock.tick(40);
    record(c); // timeout
  }
  {
    using h = harness();
    const c = h.connect({ identity: { userId: "u" } });
    h.connect({
      identity: { userId: "u" },
      hello: { session: c.conn.id, resume: resumeOf(c) },
    });
    record(c); // replaced
    const v = h.connect({ hello: { v: 2 } });
    h.clock.tick(1_000);
    record(v); // unsupported_version
    const s = h.connect();
    h.relay.close();
    record(s); // shutdown
  }
  {
    using h = harness({
      authenticate: (_request, token) => token === "ok" ? {} : null,
    });
    const c = h.connect({ hello: { token: "no" } });
    await settle();
    h.clock.tick(1_000);
    record(c); // unauthorized
  }
  {
    using h = harness({
      idleTimeout: 100,
      heartbeat: { interval: 1_000, timeout: 50 },
    });
    const c = h.connect();
    h.clock.tick(200);
    record(c); // idle
  }
  {
    using h = harness({ limits: { rate: 1, burst: 1 }, rateRefusalLimit: 2 });
    const c = h.connect();
    for (let i = 0; i < 3; i++) c.send({ type: "members", channel: "a" });
    h.clock.tick(1_000);
    record(c); // rate_limited
  }
  {
    using h = harness({ slowConsumerTimeout: 100 });
    const [slow, other] = h.joined("x");
    slow.socket.bufferedAmount = Infinity;
    other.send({ type: "pub", channel: "x", event: "e" });
    h.clock.tick(100);
    other.send({ type: "pub", channel: "x", event: "e" });
    await settle();
    h.clock.tick(1_000);
    record(slow); // slow_consumer
  }
  assert.equal(seen.size, Object.keys(BYE_REASONS).length);
  for (const [reason, code] of seen) {
    assert.equal(code, BYE_REASONS[reason as ByeReason].code, reason);
  }
});
