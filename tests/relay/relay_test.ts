import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import type { Fanout, RelaySocket } from "../../src/relay/mod.ts";
import { harness } from "./_harness.ts";

Deno.test("stats count connections, channels, messages and bad frames", () => {
  using h = harness();
  const a = h.connect();
  h.connect({ hello: false });
  a.send({ type: "join", ref: 1, channel: "room" });
  a.send("{oops");
  const stats = h.relay.stats();
  assert.deepEqual(stats, {
    connections: 2,
    sessions: 1,
    resumable: 0,
    dedupeIds: 0,
    channels: 1,
    messagesIn: 3,
    messagesOut: 4, // welcome, ack, own presence, error
    drops: 0,
    badFrames: 1,
    rateLimited: 0,
    duplicates: 0,
    slowConsumers: 0,
    members: 1,
    resumes: 0,
    takeovers: 0,
    framesIn: { hello: 1, join: 1 },
    framesOut: {
      welcome: 1,
      ack: 1,
      msg: 0,
      presence: 1,
      error: 1,
      bye: 0,
      user: 0,
      pong: 0,
    },
    deliveries: 0,
    errors: { bad_frame: 1 },
    latency: {
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      sum: 0,
      count: 0,
    },
  });
});

Deno.test("close says bye, closes every socket with 1012 and stops every timer", async () => {
  const h = harness();
  const a = h.connect();
  const pending = h.connect({ hello: false });
  const lingering = h.connect();
  lingering.send("x".repeat(DEFAULT_LIMITS.frameBytes + 1));
  assert.ok(h.clock.countTimers() > 0);
  h.relay.close();
  h.relay.close();
  assert.equal(h.clock.countTimers(), 0);
  for (const c of [a, pending]) {
    assert.deepEqual(c.take(), [{
      type: "bye",
      reason: "shutdown",
      reconnect: true,
      retryAfter: 1_000, // restartHint's default
    }]);
    assert.deepEqual(c.socket.closes, [{
      code: 1012,
      reason: "service restart",
    }]);
  }
  assert.equal(lingering.socket.closes[0].code, 1009);
  assert.equal(h.relay.stats().connections, 0);
  const refused = await h.relay.accept(new Request("http://relay.test/"));
  assert.equal(!refused.ok && refused.status, 503);
  const late = h.connect({ hello: false });
  assert.equal(late.socket.closes[0].code, 1012);
  late.send({ type: "hello", v: 1 });
  assert.deepEqual(late.take(), []);
});

Deno.test("a Fanout hook delivers channel, presence and app-wide frames", () => {
  const calls: string[] = [];
  const topics = new Map<string, Set<RelaySocket>>();
  const fanout: Fanout = {
    subscribe(socket, topic) {
      calls.push(`sub ${topic}`);
      if (!topics.has(topic)) topics.set(topic, new Set());
      topics.get(topic)!.add(socket);
    },
    unsubscribe(socket, topic) {
      calls.push(`unsub ${topic}`);
      topics.get(topic)?.delete(socket);
    },
    publish(topic, frame, except) {
      calls.push(`pub ${topic}${except ? " except" : ""}`);
      for (const socket of topics.get(topic) ?? []) {
        if (socket !== except) socket.send(frame);
      }
    },
  };
  using h = harness({ fanout });
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room", echo: false });
  a.take();
  b.take();
  a.send({ type: "pub", ref: 1, channel: "room", event: "e", echo: false });
  h.relay.publish(null, "all");
  assert.deepEqual(a.take().map((f) => f.type), ["ack", "msg"]);
  assert.deepEqual(b.take().map((f) => f.type), ["msg", "msg"]);
  b.conn.closed(1000);
  assert.deepEqual(calls, [
    "sub #app",
    "sub #app",
    "sub room",
    "pub room",
    "sub room",
    "pub room except",
    "pub room except",
    "pub #app",
    "unsub #app",
    "unsub room",
    "pub room",
  ]);
  assert.equal(h.relay.stats().messagesOut > 0, true);
});

Deno.test("stats count the dedupe ids, bounded by dedupeTotal across sessions", () => {
  using h = harness({ dedupeTotal: 3 });
  const [a, b] = h.joined("room");
  for (let i = 0; i < 3; i++) {
    for (const c of [a, b]) {
      c.send({ type: "pub", channel: "room", event: "e", mid: `m${i}` });
    }
  }
  assert.equal(h.relay.stats().dedupeIds, 3);
});
