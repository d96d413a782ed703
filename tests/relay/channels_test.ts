import assert from "node:assert/strict";
import { harness } from "./_harness.ts";
import { MemoryStore } from "../../src/relay/mod.ts";
import type { Member } from "../../src/protocol/mod.ts";

Deno.test("join acks members, offset and version, and tells the others", () => {
  using h = harness();
  const a = h.connect({ hello: { profile: { name: "ann" } } });
  const b = h.connect({ hello: { profile: { name: "bob" } } });
  a.send({ type: "join", ref: 1, channel: "room" });
  a.take();
  b.send({ type: "join", ref: 1, channel: "room" });
  const members = [
    { id: a.conn.id, data: { name: "ann" } },
    { id: b.conn.id, data: { name: "bob" } },
  ];
  const presence = {
    type: "presence",
    channel: "room",
    action: "join",
    member: { id: b.conn.id, data: { name: "bob" } },
    version: 2,
  };
  const frames = b.take();
  const epoch = frames[0].type === "ack" && frames[0].ok &&
    (frames[0].data as { epoch: string }).epoch;
  assert.ok(typeof epoch === "string" && epoch.length > 0);
  assert.deepEqual(frames, [
    {
      type: "ack",
      ref: 1,
      ok: true,
      data: { members, offset: 0, version: 2, epoch },
    },
    presence, // echo defaults to true
  ]);
  assert.deepEqual(a.take(), [presence]);
  assert.deepEqual(h.relay.members("room"), members);
});

Deno.test("join with echo false does not send the joiner its own presence", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "room", echo: false });
  assert.deepEqual(a.take().map((f) => f.type), ["ack"]);
});

Deno.test("joining a joined channel acks again without new presence", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  b.send({ type: "join", ref: 2, channel: "room" });
  const [ack] = b.take();
  assert.equal(ack.type === "ack" && ack.ok, true);
  assert.deepEqual(a.take(), []);
});

Deno.test("leave acks, tells the others and the leaver unless echo is false", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  b.send({ type: "leave", ref: 3, channel: "room" });
  const leave = {
    type: "presence",
    channel: "room",
    action: "leave",
    member: { id: b.conn.id, data: null },
    version: 3,
  };
  assert.deepEqual(b.take(), [{ type: "ack", ref: 3, ok: true }, leave]);
  assert.deepEqual(a.take(), [leave]);
  a.send({ type: "leave", ref: 4, channel: "room", echo: false });
  assert.deepEqual(a.take(), [{ type: "ack", ref: 4, ok: true }]);
  assert.equal(h.relay.stats().channels, 0);
});

Deno.test("leave, members and pub on a channel not joined answer not_joined", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "leave", ref: 1, channel: "x" });
  a.send({ type: "members", ref: 2, channel: "x" });
  a.send({ type: "pub", ref: 3, channel: "x", event: "e" });
  const codes = a.take().map((f) => f.type === "ack" && !f.ok && f.error.code);
  assert.deepEqual(codes, ["not_joined", "not_joined", "not_joined"]);
});

Deno.test("members acks the members and the presence version", () => {
  using h = harness();
  const a = h.connect({ hello: { profile: 1 } });
  a.send({ type: "join", channel: "room" });
  a.take();
  a.send({ type: "members", ref: 5, channel: "room" });
  assert.deepEqual(a.take(), [{
    type: "ack",
    ref: 5,
    ok: true,
    data: { members: [{ id: a.conn.id, data: 1 }], version: 1 },
  }]);
});

Deno.test("update changes the profile in every channel with a new version each", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  for (const name of ["x", "y"]) {
    a.send({ type: "join", channel: name });
    b.send({ type: "join", channel: name });
  }
  a.take();
  b.take();
  a.send({ type: "update", ref: 1, profile: { mood: "ok" }, echo: false });
  assert.deepEqual(a.take(), [{ type: "ack", ref: 1, ok: true }]);
  const member = { id: a.conn.id, data: { mood: "ok" } };
  assert.deepEqual(b.take(), [
    { type: "presence", channel: "x", action: "update", member, version: 3 },
    { type: "presence", channel: "y", action: "update", member, version: 3 },
  ]);
  assert.deepEqual(h.relay.members("x")[0], member);
});

Deno.test("a disconnect sends leave presence to the remaining members after the grace", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  b.conn.closed(1006);
  b.conn.closed(1006); // idempotent
  h.clock.tick(9_999);
  assert.deepEqual(a.take(), []);
  h.clock.tick(1);
  assert.deepEqual(a.take(), [{
    type: "presence",
    channel: "room",
    action: "leave",
    member: { id: b.conn.id, data: null },
    version: 3,
  }]);
  assert.equal(h.relay.stats().connections, 1);
});

Deno.test("pub is acked with increasing offsets and delivered with offset and sender", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  a.send({ type: "pub", ref: 1, channel: "room", event: "chat", data: "one" });
  a.send({ type: "pub", ref: 2, channel: "room", event: "chat" });
  const msg1 = {
    type: "msg",
    channel: "room",
    offset: 1,
    event: "chat",
    data: "one",
    sender: a.conn.id,
  };
  const msg2 = {
    type: "msg",
    channel: "room",
    offset: 2,
    event: "chat",
    sender: a.conn.id,
  };
  assert.deepEqual(a.take(), [
    msg1,
    { type: "ack", ref: 1, ok: true, data: { offset: 1 } },
    msg2,
    { type: "ack", ref: 2, ok: true, data: { offset: 2 } },
  ]);
  assert.deepEqual(b.take(), [msg1, msg2]);
  b.send({ type: "join", ref: 9, channel: "room" });
  const [ack] = b.take();
  assert.equal(
    ack.type === "ack" && ack.ok && (ack.data as { offset: number }).offset,
    2,
  );
});

Deno.test("pub with echo false is not delivered to its sender", () => {
  using h = harness();
  const [a, b] = h.joined("room");
  a.send({ type: "pub", ref: 1, channel: "room", event: "e", echo: false });
  assert.deepEqual(a.take().map((f) => f.type), ["ack"]);
  assert.deepEqual(b.take().map((f) => f.type), ["msg"]);
});

Deno.test("an app-wide pub reaches every welcomed connection, joined or not", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  const pending = h.connect({ hello: false });
  a.send({ type: "join", channel: "room" });
  a.take();
  a.send({ type: "pub", ref: 1, channel: null, event: "all", data: 1 });
  const msg = {
    type: "msg",
    channel: null,
    offset: 1,
    event: "all",
    data: 1,
    sender: a.conn.id,
  };
  assert.deepEqual(a.take(), [msg, {
    type: "ack",
    ref: 1,
    ok: true,
    data: { offset: 1 },
  }]);
  assert.deepEqual(b.take(), [msg]);
  assert.deepEqual(pending.take(), []);
});

Deno.test("relay.publish sends from the server to a channel or app-wide", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  a.take();
  h.relay.publish("room", "news", { n: 1 });
  h.relay.publish("empty", "news");
  h.relay.publish(null, "all");
  assert.deepEqual(a.take(), [
    {
      type: "msg",
      channel: "room",
      offset: 1,
      event: "news",
      data: { n: 1 },
      sender: null,
    },
    { type: "msg", channel: null, offset: 1, event: "all", sender: null },
  ]);
  assert.deepEqual(b.take(), [{
    type: "msg",
    channel: null,
    offset: 1,
    event: "all",
    sender: null,
  }]);
  assert.throws(() => h.relay.publish("bad name", "e"), TypeError);
  assert.throws(() => h.relay.publish("room", ""), TypeError);
});

Deno.test("sendToUser reaches every connection of that user only", () => {
  using h = harness();
  const tab1 = h.connect({ identity: { userId: "u1" } });
  const tab2 = h.connect({ identity: { userId: "u1" } });
  const other = h.connect({ identity: { userId: "u2" } });
  h.connect({ identity: { userId: "u1" }, hello: false }); // not welcomed
  assert.equal(h.relay.sendToUser("u1", "notice", { n: 1 }), 2);
  const frame = { type: "user", event: "notice", data: { n: 1 } };
  assert.deepEqual(tab1.take(), [frame]);
  assert.deepEqual(tab2.take(), [frame]);
  assert.deepEqual(other.take(), []);
  tab1.conn.closed();
  assert.equal(h.relay.sendToUser("u1", "notice"), 1);
  assert.deepEqual(tab2.take(), [{ type: "user", event: "notice" }]);
});

Deno.test("a channel without presence acks a join with no member list and tells nobody", () => {
  const asked: string[] = [];
  using h = harness({
    presence: (channel) => {
      asked.push(channel);
      return !channel.startsWith("town:");
    },
  });
  const a = h.connect({ hello: { profile: "ann" } });
  const b = h.connect({ hello: { profile: "bob" } });
  a.send({ type: "join", ref: 1, channel: "town:hall" });
  const [first] = a.take();
  assert.ok(first.type === "ack" && first.ok);
  assert.deepEqual(
    (first.data as { members: unknown[]; presence?: boolean }).members,
    [],
  );
  assert.equal((first.data as { presence?: boolean }).presence, false);
  b.send({ type: "join", ref: 1, channel: "town:hall" });
  const bFrames = b.take();
  assert.deepEqual(bFrames.map((f) => f.type), ["ack"]);
  assert.deepEqual(a.take(), []); // no join presence
  b.send({ type: "update", ref: 2, profile: "bobby" });
  b.send({ type: "leave", ref: 3, channel: "town:hall" });
  assert.deepEqual(b.take().map((f) => f.type), ["ack", "ack"]);
  assert.deepEqual(a.take(), []); // no update, no leave
  // Members still come on request.
  a.send({ type: "members", ref: 4, channel: "town:hall" });
  const [members] = a.take();
  assert.ok(members.type === "ack" && members.ok);
  assert.deepEqual((members.data as { members: unknown[] }).members, [
    { id: a.conn.id, data: "ann" },
  ]);
  // Asked once per channel while it has members here.
  assert.deepEqual(asked, ["town:hall"]);
});

Deno.test("the presence option leaves other channels as they were", () => {
  using h = harness({ presence: (channel) => channel !== "quiet" });
  const [a, b] = h.joined("room");
  b.send({ type: "leave", ref: 3, channel: "room" });
  assert.deepEqual(a.take().map((f) => f.type), ["presence"]);
});

Deno.test("a presence option that throws counts as presence on, and is reported", () => {
  const errors: unknown[] = [];
  using h = harness({
    presence: () => {
      throw new Error("boom");
    },
    onError: (error) => void errors.push(error),
  });
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "room" });
  const [ack] = a.take();
  assert.ok(ack.type === "ack" && ack.ok);
  assert.equal((ack.data as { members: unknown[] }).members.length, 1);
  assert.equal(errors.length, 1);
});

Deno.test("past joinMembers a join ack counts the members instead of listing them", () => {
  using h = harness({ joinMembers: 2, presenceBatch: 0 });
  const [a, b] = h.joined("room");
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room" });
  const [ack] = c.take();
  assert.ok(ack.type === "ack" && ack.ok);
  const data = ack.data as { members: unknown[]; count?: number };
  assert.deepEqual([data.members, data.count], [[], 3]);
  // The others still hear the join, and the members come on request.
  assert.deepEqual(a.take().map((f) => f.type), ["presence"]);
  assert.deepEqual(b.take().map((f) => f.type), ["presence"]);
  c.send({ type: "members", ref: 2, channel: "room" });
  const [members] = c.take();
  assert.ok(members.type === "ack" && members.ok);
  assert.equal((members.data as { members: unknown[] }).members.length, 3);
});

Deno.test("a store that lists every member anyway is trimmed to joinMembers", () => {
  class ListsAll extends MemoryStore {
    override join(channel: string, member: Member) {
      return super.join(channel, member); // ignores the list bound
    }
  }
  using h = harness({ joinMembers: 1, store: new ListsAll() });
  h.joined("room");
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room" });
  const [ack] = c.take();
  assert.ok(ack.type === "ack" && ack.ok);
  const data = ack.data as { members: unknown[]; count?: number };
  assert.deepEqual([data.members, data.count], [[], 3]);
});

Deno.test("a big channel's presence changes within the window go out as one diff", () => {
  using h = harness({ joinMembers: 2, presenceBatch: 50 });
  const [a, b] = h.joined("room", 3); // the third join is batched already
  h.clock.tick(50);
  a.take();
  b.take();
  const c = h.connect({ hello: { profile: "cy" } });
  const d = h.connect({ hello: { profile: "di" } });
  c.send({ type: "join", ref: 1, channel: "room" });
  d.send({ type: "join", ref: 1, channel: "room", echo: false });
  b.send({ type: "leave", ref: 2, channel: "room" });
  // Each changer hears its own change at once (as its echo says); the
  // others nothing yet.
  assert.deepEqual(c.take().map((f) => f.type), ["ack", "presence"]);
  assert.deepEqual(d.take().map((f) => f.type), ["ack"]);
  assert.deepEqual(b.take().map((f) => f.type), ["ack", "presence"]);
  assert.deepEqual(a.take(), []);
  h.clock.tick(50);
  const [diff] = a.take();
  assert.deepEqual(diff, {
    type: "diff",
    channel: "room",
    changes: [
      { action: "join", member: { id: c.conn.id, data: "cy" }, version: 4 },
      { action: "join", member: { id: d.conn.id, data: "di" }, version: 5 },
      { action: "leave", member: { id: b.conn.id, data: null }, version: 6 },
    ],
  });
  // Every member gets the same frame; the leaver is no longer one.
  assert.deepEqual(c.take(), [diff]);
  assert.deepEqual(d.take(), [diff]);
  assert.deepEqual(b.take(), []);
});

Deno.test("a small channel hears each presence change at once", () => {
  using h = harness({ joinMembers: 5, presenceBatch: 50 });
  const [a] = h.joined("room", 3);
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room" });
  assert.deepEqual(a.take().map((f) => f.type), ["presence"]);
});

Deno.test("closing the relay drops a waiting batch and its timer", () => {
  const h = harness({ joinMembers: 1, presenceBatch: 50 });
  h.joined("room", 3);
  assert.equal(h.clock.countTimers() > 0, true);
  h[Symbol.dispose](); // throws if a timer is left
});

Deno.test("a members answer follows the batched changes it reflects", () => {
  using h = harness({ joinMembers: 1, presenceBatch: 50 });
  const [a] = h.joined("room", 3); // the later joins wait in the batch
  a.send({ type: "members", ref: 9, channel: "room" });
  const frames = a.take();
  assert.deepEqual(frames.map((f) => f.type), ["diff", "ack"]);
  const [diff, ack] = frames;
  assert.ok(diff.type === "diff" && ack.type === "ack" && ack.ok);
  assert.equal(
    diff.changes.at(-1)!.version,
    (ack.data as { version: number }).version,
  );
});
