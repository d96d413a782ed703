/**
 * The backlog policy every socket gets, with or without a native fan-out:
 * volatile messages go first past `softBufferedBytes`, everything past
 * `maxBufferedBytes` (each a counted drop), and a socket that stays past it
 * for `slowConsumerTimeout` gets `bye` with a retry hint and 1013.
 */

import assert from "node:assert/strict";
import type { Fanout, RelaySocket } from "../../src/relay/mod.ts";
import { type Client, type FakeSocket, harness, settle } from "./_harness.ts";

const SOFT = 100;
const MAX = 1_000;

/** The events of the messages `c` got since the last take. */
const events = (c: Client) =>
  c.take().flatMap((f) => f.type === "msg" ? [f.event] : []);

const publish = (c: Client, event: string, volatile = false) =>
  c.send({ type: "pub", channel: "room", event, volatile, echo: false });

Deno.test("past the soft limit a socket misses volatile messages, and only those", () => {
  using h = harness({ softBufferedBytes: SOFT, maxBufferedBytes: MAX });
  const [sender, slow, fast] = h.joined("room", 3);
  slow.socket.bufferedAmount = SOFT + 1;
  publish(sender, "cursor", true);
  publish(sender, "chat");
  assert.deepEqual(events(slow), ["chat"]);
  assert.deepEqual(events(fast), ["cursor", "chat"]);
  assert.equal(h.relay.stats().drops, 1);
  slow.socket.bufferedAmount = SOFT;
  publish(sender, "cursor", true);
  assert.deepEqual(events(slow), ["cursor"]);
});

Deno.test("past the hard limit a socket misses every message, each counted", () => {
  using h = harness({ softBufferedBytes: SOFT, maxBufferedBytes: MAX });
  const [sender, slow] = h.joined("room", 2);
  slow.socket.bufferedAmount = MAX + 1;
  publish(sender, "cursor", true);
  publish(sender, "chat");
  assert.deepEqual(events(slow), []);
  assert.equal(h.relay.stats().drops, 2);
  assert.equal(slow.socket.closes.length, 0);
});

Deno.test("a slow consumer gets bye with a retry hint, then 1013, and is counted", async () => {
  using h = harness({ maxBufferedBytes: MAX, slowConsumerTimeout: 1_000 });
  const [sender, slow] = h.joined("room", 2);
  slow.socket.bufferedAmount = MAX + 1;
  publish(sender, "one");
  h.clock.tick(1_000);
  sender.send("ping");
  publish(sender, "two");
  await settle();
  // The bye is a few bytes: it goes out past the limit, for a client that
  // reads again before the close.
  assert.deepEqual(slow.take(), [{
    type: "bye",
    reason: "slow_consumer",
    reconnect: true,
    retryAfter: 1_000, // the slowConsumerTimeout
  }]);
  assert.deepEqual(slow.socket.closes, []);
  h.clock.tick(250);
  assert.deepEqual(slow.socket.closes, [{
    code: 1013,
    reason: "slow consumer",
  }]);
  assert.equal(h.relay.stats().slowConsumers, 1);
  assert.equal(h.relay.stats().drops, 2);
});

Deno.test("a frame the runtime drops is a drop and a backlog, like one over the limit", async () => {
  using h = harness({ maxBufferedBytes: MAX, slowConsumerTimeout: 1_000 });
  const [sender, slow] = h.joined("room", 2);
  slow.socket.dropOnSend = true;
  publish(sender, "one");
  assert.equal(h.relay.stats().drops, 1);
  h.clock.tick(1_000);
  sender.send("ping");
  publish(sender, "two");
  await settle();
  h.clock.tick(250);
  assert.deepEqual(slow.socket.closes, [{
    code: 1013,
    reason: "slow consumer",
  }]);
  assert.equal(h.relay.stats().slowConsumers, 1);
});

/** A native fan-out over sets that answers `false` when a subscriber is backlogged. */
function topicFanout(log: string[]): Fanout {
  const topics = new Map<string, Set<RelaySocket>>();
  return {
    subscribe(socket, topic) {
      log.push(`+${topic}`);
      if (!topics.has(topic)) topics.set(topic, new Set());
      topics.get(topic)!.add(socket);
    },
    unsubscribe(socket, topic) {
      log.push(`-${topic}`);
      topics.get(topic)?.delete(socket);
    },
    publish(topic, frame, except) {
      let held = false;
      for (const socket of topics.get(topic) ?? []) {
        if (socket === except) continue;
        socket.send(frame);
        if ((socket as FakeSocket).bufferedAmount > 0) held = true;
      }
      return !held;
    },
  };
}

Deno.test("with a native fan-out, a backlogged socket is taken off its topics and served one by one", async () => {
  const log: string[] = [];
  using h = harness({
    fanout: topicFanout(log),
    softBufferedBytes: SOFT,
    maxBufferedBytes: MAX,
    slowConsumerTimeout: 1_000,
  });
  const [sender, slow, fast] = h.joined("room", 3);
  log.length = 0;
  slow.socket.bufferedAmount = SOFT + 1;
  h.clock.tick(100);
  publish(sender, "held"); // it answers false: the relay looks (every 10 ms)
  assert.deepEqual(log, ["-room", "-#app"]);
  assert.deepEqual(events(slow), ["held"]);
  publish(sender, "cursor", true);
  publish(sender, "chat");
  h.relay.publish(null, "notice");
  assert.deepEqual(events(slow), ["chat", "notice"]);
  assert.deepEqual(events(fast), ["held", "cursor", "chat", "notice"]);
  assert.equal(h.relay.stats().drops, 1);
  // Joining another channel while slow does not subscribe it to the topic.
  slow.send({ type: "join", channel: "side" });
  assert.equal(log.includes("+side"), false);
  // Past the hard limit for slowConsumerTimeout: bye and 1013.
  slow.socket.bufferedAmount = MAX + 1;
  publish(sender, "lost");
  h.clock.tick(1_000);
  sender.send("ping");
  fast.send("ping");
  publish(sender, "lost");
  await settle();
  h.clock.tick(250);
  assert.deepEqual(slow.socket.closes, [{
    code: 1013,
    reason: "slow consumer",
  }]);
  assert.equal(h.relay.stats().slowConsumers, 1);
  assert.equal(h.relay.stats().drops, 3);
});

Deno.test("with a native fan-out, a socket that drains goes back on its topics", () => {
  const log: string[] = [];
  using h = harness({
    fanout: topicFanout(log),
    softBufferedBytes: SOFT,
    maxBufferedBytes: MAX,
  });
  const [sender, slow] = h.joined("room", 2);
  slow.socket.bufferedAmount = SOFT + 1;
  h.clock.tick(100);
  publish(sender, "one");
  assert.deepEqual(log.slice(-2), ["-room", "-#app"]);
  log.length = 0;
  slow.socket.bufferedAmount = SOFT / 2;
  h.clock.tick(99);
  publish(sender, "two"); // nothing held back: the next look is a second on
  assert.deepEqual(log, []);
  h.clock.tick(901);
  publish(sender, "three");
  assert.deepEqual(log, ["+room", "+#app"]);
  assert.deepEqual(events(slow), ["one", "two", "three"]);
  const out = h.relay.stats().messagesOut;
  publish(sender, "four");
  assert.deepEqual(events(slow), ["four"]);
  assert.equal(h.relay.stats().messagesOut, out + 1);
});

Deno.test("with a native fan-out, the counts of frames out include the slow lane's once", () => {
  using h = harness({
    fanout: topicFanout([]),
    softBufferedBytes: SOFT,
    maxBufferedBytes: MAX,
  });
  const [sender, slow] = h.joined("room", 3);
  slow.socket.bufferedAmount = SOFT + 1;
  h.clock.tick(100);
  publish(sender, "moves it");
  const out = h.relay.stats().messagesOut;
  publish(sender, "chat"); // to the two others, natively and one by one
  assert.equal(h.relay.stats().messagesOut, out + 2);
  slow.socket.bufferedAmount = MAX + 1;
  publish(sender, "lost");
  assert.equal(h.relay.stats().messagesOut, out + 3);
});
