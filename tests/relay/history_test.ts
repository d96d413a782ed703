import assert from "node:assert/strict";
import type { JoinAckData, RelayFrame } from "../../src/protocol/mod.ts";
import { MemoryStore, type RelayStore } from "../../src/relay/mod.ts";
import { STORE_METHODS } from "../../src/relay/_settings.ts";
import { type Client, fakeClock, harness } from "./_harness.ts";

function ackData(frames: RelayFrame[], ref: number): JoinAckData {
  const ack = frames.find((f) => f.type === "ack" && f.ref === ref);
  assert.ok(ack?.type === "ack" && ack.ok, `no ack ${ref}`);
  return ack.data as JoinAckData;
}

function publish(client: Client, ...texts: string[]): void {
  for (const text of texts) {
    client.send({ type: "pub", channel: "room", event: "chat", data: text });
  }
}

Deno.test("history keeps the last historySize messages", () => {
  const store = new MemoryStore({ historySize: 3, epochId: () => "e1" });
  store.join("room", { id: "a", data: null });
  for (let i = 1; i <= 5; i++) store.append("room", "chat", i, "a");
  assert.deepEqual(store.history("room", { epoch: "e1", offset: 1 }), {
    recovered: false,
    reason: "too_far_behind",
  });
  assert.deepEqual(store.history("room", { epoch: "e1", offset: 2 }), {
    recovered: true,
    offset: 5,
    missed: [3, 4, 5].map((n) => ({
      offset: n,
      event: "chat",
      data: n,
      sender: "a",
    })),
  });
  assert.deepEqual(store.history("room", { epoch: "e1", offset: 5 }), {
    recovered: true,
    offset: 5,
    missed: [],
  });
});

Deno.test("history keeps messages for historyTtl", () => {
  const clock = fakeClock();
  const store = new MemoryStore({
    historyTtl: 1000,
    clock,
    epochId: () => "e",
  });
  store.join("room", { id: "a", data: null });
  store.append("room", "chat", 1, "a");
  clock.tick(500);
  store.append("room", "chat", 2, "a");
  clock.tick(500); // the first message is 1000 ms old: gone
  assert.deepEqual(store.history("room", { epoch: "e", offset: 0 }), {
    recovered: false,
    reason: "too_far_behind",
  });
  const answer = store.history("room", { epoch: "e", offset: 1 });
  assert.ok(answer.recovered);
  assert.deepEqual(answer.missed.map((m) => m.data), [2]);
  clock.tick(500);
  assert.equal(
    store.history("room", { epoch: "e", offset: 1 }).recovered,
    false,
  );
});

Deno.test("the ring keeps order across wrapping, expiry and growth", () => {
  const clock = fakeClock();
  const store = new MemoryStore({ historySize: 4, historyTtl: 100, clock });
  const epoch = store.join("room", { id: "a", data: null }).epoch;
  let offset = 0;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < round + 1; i++) {
      offset = store.append("room", "e", offset + 1, null)!;
    }
    clock.tick(round % 2 === 0 ? 60 : 10);
    const kept = store.history("room", { epoch, offset: offset - 1 });
    assert.ok(kept.recovered);
    assert.deepEqual(kept.missed.map((m) => [m.offset, m.data]), [[
      offset,
      offset,
    ]]);
  }
});

Deno.test("an emptied channel keeps its epoch and history until the history expires", () => {
  const clock = fakeClock();
  let n = 0;
  const store = new MemoryStore({
    clock,
    historyTtl: 1000,
    epochId: () => `e${++n}`,
  });
  assert.equal(store.join("room", { id: "a", data: null }).epoch, "e1");
  store.append("room", "chat", "hi", "a");
  store.leave("room", "a");
  clock.tick(999);
  const back = store.join("room", { id: "a", data: null });
  assert.deepEqual([back.epoch, back.offset], ["e1", 1]);
  store.leave("room", "a");
  clock.tick(1000);
  store.prune(clock.now());
  const again = store.join("room", { id: "a", data: null });
  assert.deepEqual([again.epoch, again.offset], ["e2", 0]);
  assert.deepEqual(store.history("room", { epoch: "e1", offset: 1 }), {
    recovered: false,
    reason: "history_lost",
  });
});

Deno.test("a rejoin with since gets exactly the missed messages, then live ones", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  publish(a, "one");
  assert.equal(b.take().length, 1);
  const since = { epoch: joinEpoch(a), offset: 1 };
  b.conn.closed(1006);
  publish(a, "two", "three");
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room", since, echo: false });
  publish(a, "four");
  const frames = c.take();
  const data = ackData(frames, 1);
  assert.equal(data.recovered, true);
  assert.equal(data.offset, 3);
  assert.deepEqual(data.missed, [
    { offset: 2, event: "chat", data: "two", sender: a.conn.id },
    { offset: 3, event: "chat", data: "three", sender: a.conn.id },
  ]);
  assert.deepEqual(
    frames.filter((f) => f.type === "msg").map((f) =>
      f.type === "msg" && f.offset
    ),
    [4],
  );
});

/** The epoch `client`'s channel `room` has, from a repeated join's ack. */
function joinEpoch(client: Client): string {
  client.send({ type: "join", ref: 99, channel: "room" });
  return ackData(client.take(), 99).epoch;
}

Deno.test("a rejoin answers history_lost for another epoch and too_far_behind past the window", () => {
  using h = harness({ historySize: 2 });
  const [a] = h.joined("room", 1);
  publish(a, "1", "2", "3");
  const epoch = joinEpoch(a);
  const b = h.connect();
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch: "old", offset: 3 },
  });
  const lost = ackData(b.take(), 1);
  assert.deepEqual([lost.recovered, lost.reason, lost.missed], [
    false,
    "history_lost",
    undefined,
  ]);
  assert.equal(lost.epoch, epoch);
  // A re-join of a channel already joined answers the same way.
  b.send({
    type: "join",
    ref: 2,
    channel: "room",
    since: { epoch, offset: 0 },
  });
  const behind = ackData(b.take(), 2);
  assert.deepEqual([behind.recovered, behind.reason, behind.missed], [
    false,
    "too_far_behind",
    undefined,
  ]);
  b.send({
    type: "join",
    ref: 3,
    channel: "room",
    since: { epoch, offset: 1 },
  });
  const ok = ackData(b.take(), 3);
  assert.deepEqual(ok.missed?.map((m) => m.data), ["2", "3"]);
});

Deno.test("a relay restart changes the epoch", () => {
  const first = harness();
  const [a] = first.joined("room", 1);
  const epoch = joinEpoch(a);
  first[Symbol.dispose]();
  using second = harness();
  const b = second.connect();
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch, offset: 0 },
  });
  const data = ackData(b.take(), 1);
  assert.notEqual(data.epoch, epoch);
  assert.equal(data.reason, "history_lost");
});

Deno.test("a volatile publish is delivered without an offset and never kept", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  const epoch = joinEpoch(a);
  a.send({
    type: "pub",
    ref: 5,
    channel: "room",
    event: "cursor",
    data: 1,
    volatile: true,
  });
  publish(a, "kept");
  const frames = b.take();
  assert.deepEqual(frames, [
    {
      type: "msg",
      channel: "room",
      event: "cursor",
      data: 1,
      sender: a.conn.id,
    },
    {
      type: "msg",
      channel: "room",
      offset: 1,
      event: "chat",
      data: "kept",
      sender: a.conn.id,
    },
  ]);
  assert.deepEqual(
    a.take().filter((f) => f.type === "ack"),
    [{ type: "ack", ref: 5, ok: true, data: {} }],
  );
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch, offset: 0 },
  });
  assert.deepEqual(ackData(b.take(), 1).missed?.map((m) => m.event), ["chat"]);
});

/** The memory store, answering every call with a promise. */
function asyncStore(inner: MemoryStore): RelayStore {
  const store: Record<string, unknown> = {};
  for (const name of STORE_METHODS) {
    store[name] = async (...args: unknown[]) => {
      await Promise.resolve();
      return (inner[name] as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  return store as unknown as RelayStore;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

Deno.test("with an asynchronous store, a recovering join acks first and leaves no gap", async () => {
  using h = harness({
    store: asyncStore(new MemoryStore({ epochId: () => "e1" })),
  });
  const [a] = h.joined("room", 1);
  await flush();
  publish(a, "1", "2");
  await flush();
  const b = h.connect();
  await flush();
  b.take();
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch: "e1", offset: 1 },
    echo: false,
  });
  publish(a, "3", "4");
  await flush();
  const frames = b.take();
  assert.equal(frames[0].type, "ack");
  const data = ackData(frames, 1);
  assert.equal(data.recovered, true);
  // What a client keeps: the missed list, then live offsets past the last seen.
  let last = 1;
  const kept: number[] = [];
  for (const m of data.missed!) kept.push(last = m.offset);
  for (const f of frames) {
    if (f.type === "msg" && f.offset! > last) kept.push(last = f.offset!);
  }
  assert.deepEqual(kept, [2, 3, 4]);
});

Deno.test("a since past the channel's latest offset is history_lost", () => {
  const store = new MemoryStore({ epochId: () => "e1" });
  store.join("room", { id: "a", data: null });
  store.append("room", "chat", 1, "a");
  assert.deepEqual(store.history("room", { epoch: "e1", offset: 2 }), {
    recovered: false,
    reason: "history_lost",
  });
});

Deno.test("a server publish to a channel kept empty is kept; to an unknown one it goes nowhere", () => {
  using h = harness();
  const [a] = h.joined("room", 1);
  const epoch = joinEpoch(a);
  a.send({ type: "leave", channel: "room" });
  h.relay.publish("room", "notice", "while away");
  h.relay.publish("nowhere", "notice", "lost");
  const b = h.connect();
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch, offset: 0 },
  });
  const data = ackData(b.take(), 1);
  assert.equal(data.epoch, epoch);
  assert.deepEqual(data.missed, [
    { offset: 1, event: "notice", data: "while away", sender: null },
  ]);
  b.send({ type: "join", ref: 2, channel: "nowhere" });
  assert.equal(ackData(b.take(), 2).offset, 0);
});

Deno.test("with history off, an emptied channel is forgotten at once", () => {
  using h = harness({ historySize: 0 });
  const [a] = h.joined("room", 1);
  const epoch = joinEpoch(a);
  a.send({ type: "leave", channel: "room" });
  const b = h.connect();
  b.send({
    type: "join",
    ref: 1,
    channel: "room",
    since: { epoch, offset: 0 },
  });
  const data = ackData(b.take(), 1);
  assert.notEqual(data.epoch, epoch);
  assert.equal(data.reason, "history_lost");
});
