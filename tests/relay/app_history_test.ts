import assert from "node:assert/strict";
import { APP_CHANNEL, MemoryStore } from "../../src/relay/mod.ts";
import { harness } from "./_harness.ts";

Deno.test("app-wide publishes get consecutive offsets, kept in the reserved channel's history", () => {
  const store = new MemoryStore({ epochId: () => "e1" });
  using h = harness({ store });
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "pub", ref: 1, channel: null, event: "all", data: 1 });
  h.relay.publish(null, "deploy", 2);
  assert.deepEqual(b.take(), [
    {
      type: "msg",
      channel: null,
      offset: 1,
      event: "all",
      data: 1,
      sender: a.conn.id,
    },
    {
      type: "msg",
      channel: null,
      offset: 2,
      event: "deploy",
      data: 2,
      sender: null,
    },
  ]);
  assert.deepEqual(a.take().filter((f) => f.type === "ack"), [
    { type: "ack", ref: 1, ok: true, data: { offset: 1 } },
  ]);
  assert.deepEqual(store.history(APP_CHANNEL, { epoch: "e1", offset: 1 }), {
    recovered: true,
    offset: 2,
    missed: [{ offset: 2, event: "deploy", data: 2, sender: null }],
  });
});

Deno.test("a volatile app-wide publish has no offset and is never kept", () => {
  const store = new MemoryStore({ epochId: () => "e1" });
  using h = harness({ store });
  const a = h.connect();
  const b = h.connect();
  a.send({
    type: "pub",
    ref: 1,
    channel: null,
    event: "cursor",
    data: 1,
    volatile: true,
  });
  a.send({ type: "pub", channel: null, event: "all", data: 2 });
  assert.deepEqual(b.take(), [
    { type: "msg", channel: null, event: "cursor", data: 1, sender: a.conn.id },
    {
      type: "msg",
      channel: null,
      offset: 1,
      event: "all",
      data: 2,
      sender: a.conn.id,
    },
  ]);
  assert.deepEqual(a.take().filter((f) => f.type === "ack"), [
    { type: "ack", ref: 1, ok: true, data: {} },
  ]);
  assert.equal(store.channel(APP_CHANNEL).offset, 1);
});

Deno.test("the reserved app-wide channel cannot be joined or published to by name", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: APP_CHANNEL });
  a.send({ type: "pub", ref: 2, channel: APP_CHANNEL, event: "e" });
  const frames = a.take();
  assert.equal(frames.length, 2);
  assert.ok(
    frames.every((f) => f.type === "error" || (f.type === "ack" && !f.ok)),
  );
  assert.throws(() => h.relay.publish(APP_CHANNEL, "e"), TypeError);
});

Deno.test("the memory store keeps the app-wide channel's epoch while it is idle", () => {
  const clock = { now: () => now, setTimeout: () => 0, clearTimeout() {} };
  let now = 0;
  const store = new MemoryStore({ clock, historyTtl: 1000 });
  const epoch = store.channel(APP_CHANNEL).epoch;
  assert.ok(epoch.length > 0);
  store.append(APP_CHANNEL, "e", 1, null);
  now = 10_000;
  assert.equal(store.channel(APP_CHANNEL).epoch, epoch);
  assert.equal(store.append(APP_CHANNEL, "e", 2, null), 2);
});

Deno.test("hello.since gets the app-wide messages missed since in welcome.app, or why not", () => {
  const store = new MemoryStore({ epochId: () => "e1", historySize: 2 });
  using h = harness({ store });
  for (const n of [1, 2, 3]) h.relay.publish(null, "news", n);
  const welcome = (since: { epoch: string; offset: number }) => {
    const c = h.connect({ hello: false });
    c.send({ type: "hello", v: 1, since });
    const [frame] = c.take();
    assert.ok(frame.type === "welcome");
    return frame.app;
  };
  assert.deepEqual(welcome({ epoch: "e1", offset: 1 }), {
    epoch: "e1",
    offset: 3,
    recovered: true,
    missed: [
      { offset: 2, event: "news", data: 2, sender: null },
      { offset: 3, event: "news", data: 3, sender: null },
    ],
  });
  assert.deepEqual(welcome({ epoch: "e1", offset: 0 }), {
    epoch: "e1",
    offset: 3,
    recovered: false,
    reason: "too_far_behind",
  });
  assert.deepEqual(welcome({ epoch: "e0", offset: 3 }), {
    epoch: "e1",
    offset: 3,
    recovered: false,
    reason: "history_lost",
  });
});

Deno.test("a hello with a malformed since is refused", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send(JSON.stringify({ type: "hello", ref: 1, v: 1, since: { epoch: 1 } }));
  const [frame] = c.take();
  assert.ok(frame.type === "ack" && !frame.ok);
  assert.equal(frame.error.code, "bad_frame");
});

Deno.test("a join of channel null answers the app-wide recovery and joins nothing", () => {
  const store = new MemoryStore({ epochId: () => "e1", historySize: 2 });
  using h = harness({ store });
  const a = h.connect();
  for (const n of [1, 2, 3]) h.relay.publish(null, "news", n);
  a.take();
  const since = (offset: number) => ({ epoch: "e1", offset });
  a.send({ type: "join", ref: 1, channel: null, since: since(0) });
  a.send({ type: "join", ref: 2, channel: null, since: since(2) });
  a.send({
    type: "join",
    ref: 3,
    channel: null,
    since: { epoch: "old", offset: 2 },
  });
  assert.deepEqual(a.take(), [
    {
      type: "ack",
      ref: 1,
      ok: true,
      data: {
        epoch: "e1",
        offset: 3,
        recovered: false,
        reason: "too_far_behind",
      },
    },
    {
      type: "ack",
      ref: 2,
      ok: true,
      data: {
        epoch: "e1",
        offset: 3,
        recovered: true,
        missed: [{ offset: 3, event: "news", data: 3, sender: null }],
      },
    },
    {
      type: "ack",
      ref: 3,
      ok: true,
      data: {
        epoch: "e1",
        offset: 3,
        recovered: false,
        reason: "history_lost",
      },
    },
  ]);
  assert.equal(h.relay.stats().channels, 0);
});
