import assert from "node:assert/strict";
import {
  APP_CHANNEL,
  MemoryStore,
  type RelayStore,
  type StoreListener,
} from "../../src/relay/mod.ts";
import { STORE_METHODS } from "../../src/relay/_settings.ts";
import { harness, resumeOf } from "./_harness.ts";

/** Lets every pending store answer and the frames behind it run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

/** The memory store, answering every call with a promise, as a remote one would. */
function asyncStore(
  inner: MemoryStore = new MemoryStore({ epochId: () => "e1" }),
  log: string[] = [],
): RelayStore {
  const store: Record<string, unknown> = {};
  for (const name of STORE_METHODS) {
    store[name] = async (...args: unknown[]) => {
      log.push(name);
      await Promise.resolve();
      return (inner[name] as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }
  store.counts = () => inner.counts();
  return store as unknown as RelayStore;
}

Deno.test("with an asynchronous store, a connection's frames are answered in order", async () => {
  using h = harness({ store: asyncStore() });
  const a = h.connect({ hello: false });
  const b = h.connect({ hello: false });
  a.send({ type: "hello", ref: 1, v: 1 });
  b.send({ type: "hello", v: 1 });
  a.send({ type: "join", ref: 2, channel: "lobby" });
  a.send({ type: "pub", ref: 3, channel: "lobby", event: "e", data: 1 });
  a.send({ type: "pub", ref: 4, channel: "lobby", event: "e", data: 2 });
  a.send({ type: "members", ref: 5, channel: "lobby" });
  a.send({ type: "leave", ref: 6, channel: "lobby" });
  assert.deepEqual(a.take(), []); // everything waits on the store
  await flush();
  const frames = a.take();
  assert.deepEqual(frames.map((f) => f.type === "ack" ? f.ref : f.type), [
    "welcome",
    2,
    "presence",
    "msg",
    3,
    "msg",
    4,
    5,
    6,
    "presence",
  ]);
  const acks = frames.filter((f) => f.type === "ack");
  assert.deepEqual(acks.map((f) => f.ok && f.data), [
    {
      members: [{ id: a.conn.id, data: null }],
      offset: 0,
      version: 1,
      epoch: "e1",
    },
    { offset: 1 },
    { offset: 2 },
    { members: [{ id: a.conn.id, data: null }], version: 1 },
    undefined,
  ]);
  const welcome = frames[0];
  assert.equal(welcome.type === "welcome" && welcome.ref, 1);
});

Deno.test("with an asynchronous store, members hear messages in offset order", async () => {
  using h = harness({ store: asyncStore() });
  const a = h.connect({ hello: false });
  const b = h.connect({ hello: false });
  for (const c of [a, b]) {
    c.send({ type: "hello", v: 1 });
    c.send({ type: "join", channel: "lobby", echo: false });
  }
  await flush();
  b.take();
  for (let i = 1; i <= 5; i++) {
    a.send({ type: "pub", channel: "lobby", event: "e", data: i });
  }
  await flush();
  const offsets = b.take().map((f) => f.type === "msg" && [f.offset, f.data]);
  assert.deepEqual(offsets, [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]);
});

Deno.test("with an asynchronous store, a resent mid is acked and not delivered twice", async () => {
  using h = harness({ store: asyncStore() });
  const a = h.connect({ hello: false });
  a.send({ type: "hello", v: 1 });
  a.send({ type: "join", channel: "lobby", echo: false });
  a.send({ type: "pub", ref: 1, channel: "lobby", event: "e", mid: "m" });
  a.send({ type: "pub", ref: 2, channel: "lobby", event: "e", mid: "m" });
  await flush();
  const acks = a.take().filter((f) => f.type === "ack");
  assert.deepEqual(acks.map((f) => f.ok && f.data), [
    { offset: 1 },
    { offset: 1 },
  ]);
  assert.equal(h.relay.stats().duplicates, 1);
});

Deno.test("with an asynchronous store, a closed session resumes", async () => {
  const inner = new MemoryStore();
  using h = harness({ store: asyncStore(inner) });
  const a = h.connect({ hello: false, identity: { userId: "u" } });
  a.send({ type: "hello", v: 1 });
  await flush();
  const session = a.conn.id;
  const resume = resumeOf(a);
  a.conn.closed();
  await flush();
  assert.equal(inner.counts().resumable, 1);
  const b = h.connect({ hello: false, identity: { userId: "u" } });
  b.send({ type: "hello", v: 1, session, resume: "wrong" });
  await flush();
  assert.notEqual(b.conn.id, session);
  const c = h.connect({ hello: false, identity: { userId: "u" } });
  c.send({ type: "hello", v: 1, session, resume });
  await flush();
  assert.equal(c.conn.id, session);
  assert.equal(inner.counts().resumable, 0);
});

Deno.test("a store that fails is answered with internal and the relay goes on", async () => {
  const errors: unknown[] = [];
  const inner = new MemoryStore();
  const store: RelayStore = Object.assign(asyncStore(inner), {
    append: () => Promise.reject(new Error("store down")),
  });
  using h = harness({ store, onError: (e) => errors.push(e) });
  const a = h.connect({ hello: false });
  a.send({ type: "hello", v: 1 });
  a.send({ type: "join", channel: "lobby" });
  a.send({ type: "pub", ref: 1, channel: "lobby", event: "e" });
  a.send("ping");
  a.send({ type: "members", ref: 2, channel: "lobby" });
  await flush();
  const frames = a.take();
  assert.deepEqual(frames.at(-2), {
    type: "error",
    error: { code: "internal", message: "Internal relay error" },
  });
  const last = frames.at(-1);
  assert.equal(last?.type === "ack" && last.ref, 2);
  assert.equal((errors[0] as Error).message, "store down");
});

Deno.test("a connection that goes away while the store answers its join is taken out again", async () => {
  const inner = new MemoryStore();
  using h = harness({ store: asyncStore(inner) });
  const a = h.connect({ hello: false });
  a.send({ type: "hello", v: 1 });
  await flush();
  a.send({ type: "join", channel: "lobby" });
  a.conn.closed();
  await flush();
  assert.deepEqual(inner.channel("lobby").members, []);
  assert.deepEqual(h.relay.members("lobby"), []);
});

Deno.test("a server publish through an asynchronous store is delivered once it settles", async () => {
  using h = harness({ store: asyncStore() });
  const a = h.connect({ hello: false });
  a.send({ type: "hello", v: 1 });
  a.send({ type: "join", channel: "lobby" });
  await flush();
  a.take();
  h.relay.publish("lobby", "notice", 1);
  assert.deepEqual(a.take(), []);
  await flush();
  assert.deepEqual(a.take(), [{
    type: "msg",
    channel: "lobby",
    offset: 1,
    event: "notice",
    data: 1,
    sender: null,
  }]);
});

Deno.test("the memory store answers synchronously: no frame waits", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "lobby" });
  a.send({ type: "pub", ref: 2, channel: "lobby", event: "e" });
  assert.deepEqual(a.take().map((f) => f.type), [
    "ack",
    "presence",
    "msg",
    "ack",
  ]);
});

Deno.test("a shared store's listener delivers what other processes did", () => {
  let listener: StoreListener | undefined;
  const store: RelayStore = Object.assign(new MemoryStore(), {
    listen(l: StoreListener) {
      listener = l;
    },
  });
  using h = harness({ store });
  const a = h.connect({ identity: { userId: "u" } });
  a.send({ type: "join", channel: "lobby" });
  a.take();
  listener!.message("lobby", 7, "chat", "hi", "remote");
  listener!.presence("lobby", "join", { id: "remote", data: null }, 4);
  listener!.message("elsewhere", 1, "chat", "hi", "remote");
  assert.deepEqual(a.take(), [
    {
      type: "msg",
      channel: "lobby",
      offset: 7,
      event: "chat",
      data: "hi",
      sender: "remote",
    },
    {
      type: "presence",
      channel: "lobby",
      action: "join",
      member: { id: "remote", data: null },
      version: 4,
    },
  ]);
  listener!.replaced(a.conn.id);
  assert.deepEqual(a.take(), [{
    type: "bye",
    reason: "replaced",
    reconnect: false,
  }]);
  assert.equal(a.socket.closes[0]?.code, 4409);
  // Not parked: the other process holds the session now.
  assert.equal(h.relay.stats().resumable, 0);
});

Deno.test("a shared store's listener delivers app-wide, volatile and user events from other processes", () => {
  let listener: StoreListener | undefined;
  const store: RelayStore = Object.assign(new MemoryStore(), {
    listen(l: StoreListener) {
      listener = l;
    },
  });
  using h = harness({ store });
  const a = h.connect({ identity: { userId: "u" } });
  a.send({ type: "join", channel: "lobby" });
  a.take();
  listener!.message(APP_CHANNEL, 3, "deploy", 2, null);
  listener!.volatile("lobby", "typing", 1, "remote");
  listener!.volatile("elsewhere", "typing", 1, "remote");
  listener!.volatile(APP_CHANNEL, "typing", 2, "remote");
  listener!.user("u", "notice", 3);
  listener!.user("nobody", "notice", 3);
  assert.deepEqual(a.take(), [
    {
      type: "msg",
      channel: null,
      offset: 3,
      event: "deploy",
      data: 2,
      sender: null,
    },
    {
      type: "msg",
      channel: "lobby",
      event: "typing",
      data: 1,
      sender: "remote",
    },
    { type: "msg", channel: null, event: "typing", data: 2, sender: "remote" },
    { type: "user", event: "notice", data: 3 },
  ]);
});

Deno.test("volatile messages and user events are handed to a shared store for the other processes", () => {
  const handed: unknown[][] = [];
  const store: RelayStore = Object.assign(new MemoryStore(), {
    volatile: (...args: unknown[]) => void handed.push(["volatile", ...args]),
    toUser: (...args: unknown[]) => void handed.push(["toUser", ...args]),
  });
  using h = harness({ store });
  const a = h.connect({ identity: { userId: "u" } });
  a.send({ type: "join", channel: "lobby" });
  a.send({
    type: "pub",
    channel: "lobby",
    event: "typing",
    data: 1,
    volatile: true,
  });
  a.send({
    type: "pub",
    channel: null,
    event: "typing",
    data: 2,
    volatile: true,
  });
  assert.equal(h.relay.sendToUser("u", "notice", 3), 1);
  assert.deepEqual(handed, [
    ["volatile", "lobby", "typing", 1, a.conn.id],
    ["volatile", APP_CHANNEL, "typing", 2, a.conn.id],
    ["toUser", "u", "notice", 3],
  ]);
});
