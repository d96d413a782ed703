import assert from "node:assert/strict";
import { DEFAULT_HEARTBEAT, DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import { harness } from "./_harness.ts";

Deno.test("hello is answered with welcome carrying the ref, session, limits and heartbeat", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 7, v: 1 });
  assert.deepEqual(c.take(), [{
    type: "welcome",
    ref: 7,
    v: 1,
    session: c.conn.id,
    limits: DEFAULT_LIMITS,
    heartbeat: DEFAULT_HEARTBEAT,
  }]);
});

Deno.test("frames before hello are answered with hello_required", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "join", ref: 1, channel: "a" });
  c.send({ type: "join", channel: "a" });
  assert.deepEqual(c.take(), [
    {
      type: "ack",
      ref: 1,
      ok: false,
      error: { code: "hello_required", message: "Send 'hello' first" },
    },
    {
      type: "error",
      error: { code: "hello_required", message: "Send 'hello' first" },
    },
  ]);
  assert.deepEqual(h.relay.members("a"), []);
});

Deno.test("ping is answered with pong before and after hello", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send("ping");
  c.send({ type: "hello", v: 1 });
  c.send("ping");
  assert.deepEqual(c.socket.sent.filter((t) => t === "pong").length, 2);
});

Deno.test("frames pipelined right after hello are served", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "hello", v: 1 });
  c.send({ type: "join", ref: 1, channel: "a" });
  const [welcome, ack] = c.take();
  assert.equal(welcome.type, "welcome");
  assert.equal(ack.type === "ack" && ack.ok, true);
});

Deno.test("a second hello is refused with bad_frame", () => {
  using h = harness();
  const c = h.connect();
  c.send({ type: "hello", ref: 2, v: 1 });
  assert.deepEqual(c.take(), [{
    type: "ack",
    ref: 2,
    ok: false,
    error: { code: "bad_frame", message: "Already welcomed" },
  }]);
});

Deno.test("an unsupported version gets an error, bye and close 1002 after the linger", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 1, v: 99 });
  const [ack, bye] = c.take();
  assert.equal(
    ack.type === "ack" && !ack.ok && ack.error.code,
    "unsupported_version",
  );
  assert.deepEqual(bye, {
    type: "bye",
    reason: "unsupported_version",
    reconnect: false,
  });
  assert.equal(c.socket.closes.length, 0);
  h.clock.tick(250);
  assert.equal(c.socket.closes[0].code, 1002);
});

// ---------------------------------------------------------------- channels

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
  assert.deepEqual(b.take(), [
    { type: "ack", ref: 1, ok: true, data: { members, offset: 0, version: 2 } },
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
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.take();
  b.take();
  b.send({ type: "join", ref: 2, channel: "room" });
  const [ack] = b.take();
  assert.equal(ack.type === "ack" && ack.ok, true);
  assert.deepEqual(a.take(), []);
});

Deno.test("leave acks, tells the others and the leaver unless echo is false", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  for (const c of [a, b]) c.send({ type: "join", channel: "room" });
  a.take();
  b.take();
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

Deno.test("a disconnect sends leave presence to the remaining members", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.take();
  b.conn.closed(1006);
  b.conn.closed(1006); // idempotent
  assert.deepEqual(a.take(), [{
    type: "presence",
    channel: "room",
    action: "leave",
    member: { id: b.conn.id, data: null },
    version: 3,
  }]);
  assert.equal(h.relay.stats().connections, 1);
});

// ---------------------------------------------------------------- publish

Deno.test("pub is acked with increasing offsets and delivered with offset and sender", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.take();
  b.take();
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
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.take();
  b.take();
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
    event: "all",
    data: 1,
    sender: a.conn.id,
  };
  assert.deepEqual(a.take(), [msg, {
    type: "ack",
    ref: 1,
    ok: true,
    data: {},
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
    { type: "msg", channel: null, event: "all", sender: null },
  ]);
  assert.deepEqual(b.take(), [{
    type: "msg",
    channel: null,
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

// ---------------------------------------------------------------- dedupe and resume

Deno.test("a republished mid is acked with the same offset and not delivered twice", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.take();
  b.take();
  a.send({
    type: "pub",
    ref: 1,
    channel: "room",
    event: "e",
    mid: "m1",
    echo: false,
  });
  a.send({
    type: "pub",
    ref: 2,
    channel: "room",
    event: "e",
    mid: "m1",
    echo: false,
  });
  assert.deepEqual(a.take(), [
    { type: "ack", ref: 1, ok: true, data: { offset: 1 } },
    { type: "ack", ref: 2, ok: true, data: { offset: 1 } },
  ]);
  assert.equal(b.take().length, 1);
  assert.equal(h.relay.stats().duplicates, 1);
});

Deno.test("a resumed session keeps its id and its dedupe memory", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room" });
  a.send({ type: "pub", ref: 1, channel: "room", event: "e", mid: "m1" });
  const session = a.conn.id;
  a.conn.closed(1006);
  b.take();
  h.clock.tick(60_000);
  const again = h.connect({ hello: false });
  again.send({ type: "hello", v: 1, session });
  const [welcome] = again.take();
  assert.equal(welcome.type === "welcome" && welcome.session, session);
  assert.equal(again.conn.id, session);
  again.send({ type: "join", channel: "room" });
  b.take();
  again.send({ type: "pub", ref: 2, channel: "room", event: "e", mid: "m1" });
  assert.deepEqual(again.take().at(-1), {
    type: "ack",
    ref: 2,
    ok: true,
    data: { offset: 1 },
  });
  assert.deepEqual(b.take(), []);
});

Deno.test("a session is not resumed after the resume window or by another user", () => {
  using h = harness({ resumeWindow: 1000 });
  const a = h.connect({ identity: { userId: "u1" } });
  const session = a.conn.id;
  a.conn.closed();
  const thief = h.connect({ identity: { userId: "u2" }, hello: { session } });
  assert.notEqual(thief.conn.id, session);
  h.clock.tick(1000);
  const late = h.connect({ identity: { userId: "u1" }, hello: { session } });
  assert.notEqual(late.conn.id, session);
  assert.equal(h.relay.stats().resumable, 0);
});

Deno.test("a newer connection of the same user takes over a live session", () => {
  using h = harness();
  const old = h.connect({ identity: { userId: "u1" } });
  const peer = h.connect();
  old.send({ type: "join", channel: "room" });
  peer.send({ type: "join", channel: "room" });
  old.take();
  peer.take();
  const session = old.conn.id;
  const fresh = h.connect({ identity: { userId: "u1" }, hello: { session } });
  assert.equal(fresh.conn.id, session);
  assert.deepEqual(old.take(), [{
    type: "bye",
    reason: "replaced",
    reconnect: false,
  }]);
  assert.equal(old.socket.closes[0].code, 4409);
  assert.equal(peer.take()[0].type, "presence");
  assert.deepEqual(h.relay.members("room").map((m) => m.id), [peer.conn.id]);
  assert.equal(h.relay.stats().sessions, 2);
});

Deno.test("an anonymous connection cannot take over a live session", () => {
  using h = harness();
  const live = h.connect();
  const other = h.connect({ hello: { session: live.conn.id } });
  assert.notEqual(other.conn.id, live.conn.id);
  assert.equal(live.socket.closes.length, 0);
});

Deno.test("dedupe memory is bounded per session", () => {
  using h = harness({ dedupeSize: 2 });
  const a = h.connect();
  a.send({ type: "join", channel: "room" });
  a.take();
  for (const mid of ["m1", "m2", "m3", "m1"]) {
    a.send({
      type: "pub",
      channel: "room",
      event: "e",
      mid,
      echo: false,
      ref: 1,
    });
  }
  const offsets = a.take().map((f) =>
    f.type === "ack" && f.ok && (f.data as { offset: number }).offset
  );
  assert.deepEqual(offsets, [1, 2, 3, 4]); // m1 was forgotten, so published again
});

// ---------------------------------------------------------------- stats and close

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
    channels: 1,
    messagesIn: 3,
    messagesOut: 4, // welcome, ack, own presence, error
    drops: 0,
    badFrames: 1,
    rateLimited: 0,
    duplicates: 0,
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
