import assert from "node:assert/strict";
import {
  type ConnectionSnapshot,
  type Fanout,
  MemoryStore,
  Relay,
  type RelaySocket,
} from "../../src/relay/mod.ts";
import { fakeClock, FakeSocket } from "./_harness.ts";

/** A socket that keeps the relay's snapshots, as a Durable Object's attachment does. */
class PersistingSocket extends FakeSocket {
  readonly snapshots: ConnectionSnapshot[] = [];
  persist(snapshot: ConnectionSnapshot): void {
    this.snapshots.push(structuredClone(snapshot));
  }
  get saved(): ConnectionSnapshot | undefined {
    return this.snapshots.at(-1);
  }
}

function send(
  conn: { message(data: string): void },
  frame: Record<string, unknown>,
) {
  conn.message(JSON.stringify(frame));
}

Deno.test("the relay hands the socket a snapshot whenever session, channels or profile change", () => {
  const relay = new Relay({ clock: fakeClock(), resumeToken: () => "secret" });
  const socket = new PersistingSocket();
  const conn = relay.open(socket, { userId: "u1", claims: { role: "x" } });
  conn.message("ping");
  send(conn, { type: "join", channel: "a" }); // refused: no hello yet
  assert.equal(socket.snapshots.length, 0);
  send(conn, { type: "hello", v: 1, profile: "ann" });
  send(conn, { type: "join", channel: "a" });
  send(conn, { type: "join", channel: "b" });
  send(conn, { type: "pub", channel: "a", event: "chat" }); // no change
  send(conn, { type: "update", profile: "bo" });
  send(conn, { type: "leave", channel: "a" });
  assert.deepEqual(socket.snapshots.map((s) => [s.profile, s.channels]), [
    ["ann", []],
    ["ann", ["a"]],
    ["ann", ["a", "b"]],
    ["bo", ["a", "b"]],
    ["bo", ["b"]],
  ]);
  assert.deepEqual(socket.saved, {
    session: conn.id,
    resume: "secret",
    identity: { userId: "u1", claims: { role: "x" } },
    profile: "bo",
    channels: ["b"],
  });
  relay.close();
});

Deno.test("a restored connection is open with its channels, without a welcome or presence", () => {
  const store = new MemoryStore();
  const clock = fakeClock();
  const before = new Relay({ clock, store });
  const aSocket = new PersistingSocket();
  const bSocket = new PersistingSocket();
  const a = before.open(aSocket, { userId: "ua" });
  const b = before.open(bSocket, { userId: "ub" });
  send(a, { type: "hello", v: 1, profile: "ann" });
  send(b, { type: "hello", v: 1, profile: "bo" });
  send(a, { type: "join", channel: "lobby" });
  send(b, { type: "join", channel: "lobby" });
  send(a, { type: "pub", channel: "lobby", event: "chat", mid: "m1" });
  // The process hibernates: the relay's memory goes, the store and sockets stay.
  const after = new Relay({ clock, store });
  aSocket.sent.length = 0;
  bSocket.sent.length = 0;
  const a2 = after.restore(aSocket, aSocket.saved!);
  after.restore(bSocket, bSocket.saved!);
  assert.deepEqual([aSocket.sent, bSocket.sent], [[], []]);
  assert.equal(a2.id, a.id);
  assert.deepEqual(after.stats().sessions, 2);
  assert.deepEqual(after.members("lobby"), [
    { id: a.id, data: "ann" },
    { id: b.id, data: "bo" },
  ]);
  // Frames are served at once: no hello_required.
  send(a2, { type: "pub", ref: 1, channel: "lobby", event: "chat" });
  assert.deepEqual(JSON.parse(bSocket.sent.at(-1)!), {
    type: "msg",
    channel: "lobby",
    offset: 2,
    event: "chat",
    sender: a.id,
  });
  assert.deepEqual(JSON.parse(aSocket.sent.at(-1)!), {
    type: "ack",
    ref: 1,
    ok: true,
    data: { offset: 2 },
  });
  // The dedupe memory was the store's, so it survived.
  send(a2, { type: "pub", ref: 2, channel: "lobby", event: "chat", mid: "m1" });
  assert.deepEqual(JSON.parse(aSocket.sent.at(-1)!).data, { offset: 1 });
  assert.equal(after.stats().duplicates, 1);
  // Users are indexed again.
  assert.equal(after.sendToUser("ub", "notice"), 1);
  after.close();
  assert.equal(bSocket.closes.at(-1)?.code, 1012);
  before.close();
  assert.equal(clock.countTimers(), 0);
});

Deno.test("a restored connection's channels are fan-out subscriptions again", () => {
  const topics: string[] = [];
  const fanout: Fanout = {
    subscribe: (_socket, topic) => void topics.push(topic),
    unsubscribe() {},
    publish() {},
  };
  const relay = new Relay({ clock: fakeClock(), fanout });
  relay.restore(new FakeSocket(), {
    session: "s1",
    identity: {},
    profile: null,
    channels: ["a", "b"],
  });
  assert.deepEqual(topics.sort(), ["#app", "a", "b"]);
  relay.close();
});

Deno.test("a restored connection leaves its channels when its socket closes", () => {
  const store = new MemoryStore();
  const relay = new Relay({ clock: fakeClock(), store });
  store.createSession("s1", undefined, "r");
  store.join("lobby", { id: "s1", data: null });
  const conn = relay.restore(new FakeSocket(), {
    session: "s1",
    identity: {},
    profile: null,
    channels: ["lobby"],
  });
  conn.closed(1000);
  assert.deepEqual(store.channel("lobby").members, []);
  assert.equal(store.counts().resumable, 1);
  relay.close();
});

Deno.test("a restored connection is swept like any other", () => {
  const clock = fakeClock();
  const relay = new Relay({ clock, heartbeat: { interval: 10, timeout: 10 } });
  const socket = new FakeSocket();
  relay.restore(socket, {
    session: "s1",
    identity: {},
    profile: null,
    channels: [],
  });
  clock.tick(40);
  assert.equal(socket.closes[0]?.code, 4408);
  relay.close();
  assert.equal(clock.countTimers(), 0);
});

Deno.test("a restored connection keeps the silence its snapshot's heardAt says, never a later one", () => {
  const clock = fakeClock();
  clock.tick(1_000);
  const relay = new Relay({
    clock,
    sweepTimer: false,
    heartbeat: { interval: 10, timeout: 10 },
  });
  const base = { identity: {}, profile: null, channels: [] };
  relay.restore(new FakeSocket(), { ...base, session: "s1", heardAt: 990 });
  relay.restore(new FakeSocket(), { ...base, session: "s2", heardAt: 5_000 });
  relay.restore(new FakeSocket(), { ...base, session: "s3" });
  assert.equal(relay.nextSweepAt(), 1_011);
  relay.close();
});

Deno.test("restore on a closed relay closes the socket at once", () => {
  const relay = new Relay({ clock: fakeClock() });
  relay.close();
  const socket: RelaySocket & { codes: (number | undefined)[] } = {
    codes: [],
    send() {},
    close(code) {
      this.codes.push(code);
    },
  };
  relay.restore(socket, {
    session: "s1",
    identity: {},
    profile: null,
    channels: [],
  });
  assert.deepEqual(socket.codes, [1012]);
  assert.equal(relay.stats().connections, 0);
});

Deno.test("a socket whose persist throws is reported and still served", () => {
  const errors: unknown[] = [];
  const relay = new Relay({
    clock: fakeClock(),
    onError: (e) => errors.push(e),
  });
  const socket = new FakeSocket();
  const conn = relay.open(
    Object.assign(socket, {
      persist() {
        throw new Error("storage full");
      },
    }),
  );
  send(conn, { type: "hello", v: 1 });
  send(conn, { type: "join", ref: 1, channel: "a" });
  assert.equal(socket.frames().at(-2)?.type, "ack");
  assert.deepEqual(errors.map((e) => (e as Error).message), [
    "storage full",
    "storage full",
  ]);
  relay.close();
});

Deno.test("a restored connection is taken over only with the resume token its snapshot kept", () => {
  const store = new MemoryStore();
  const clock = fakeClock();
  const before = new Relay({ clock, store, resumeToken: () => "r1" });
  const socket = new PersistingSocket();
  send(before.open(socket), { type: "hello", v: 1 });
  assert.equal(socket.saved?.resume, "r1");
  const after = new Relay({ clock, store, resumeToken: () => "r2" });
  const restored = after.restore(socket, socket.saved!);
  const thief = new FakeSocket();
  send(after.open(thief), {
    type: "hello",
    v: 1,
    session: restored.id,
    resume: "r2",
  });
  assert.notEqual(JSON.parse(thief.sent[0]).session, restored.id);
  assert.equal(socket.closes.length, 0);
  const owner = new FakeSocket();
  send(after.open(owner), {
    type: "hello",
    v: 1,
    session: restored.id,
    resume: "r1",
  });
  assert.equal(JSON.parse(owner.sent[0]).session, restored.id);
  assert.equal(socket.closes[0].code, 4409);
  after.close();
  before.close();
});
