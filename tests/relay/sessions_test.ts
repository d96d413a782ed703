import assert from "node:assert/strict";
import { harness, resumeOf } from "./_harness.ts";

Deno.test("a republished mid is acked with the same offset and not delivered twice", () => {
  using h = harness();
  const [a, b] = h.joined("room");
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
  const [a, b] = h.joined("room");
  a.send({ type: "pub", ref: 1, channel: "room", event: "e", mid: "m1" });
  const session = a.conn.id;
  const resume = resumeOf(a);
  a.conn.closed(1006);
  b.take();
  h.clock.tick(60_000);
  const again = h.connect({ hello: false });
  again.send({ type: "hello", v: 1, session, resume });
  const [welcome] = again.take();
  assert.equal(welcome.type === "welcome" && welcome.session, session);
  assert.equal(welcome.type === "welcome" && welcome.resume, resume);
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
  const resume = resumeOf(a);
  a.conn.closed();
  const thief = h.connect({
    identity: { userId: "u2" },
    hello: { session, resume },
  });
  assert.notEqual(thief.conn.id, session);
  h.clock.tick(1000);
  const late = h.connect({
    identity: { userId: "u1" },
    hello: { session, resume },
  });
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
  const fresh = h.connect({
    identity: { userId: "u1" },
    hello: { session, resume: resumeOf(old) },
  });
  assert.equal(fresh.conn.id, session);
  assert.deepEqual(old.take(), [{
    type: "bye",
    reason: "replaced",
    reconnect: false,
  }]);
  assert.equal(old.socket.closes[0].code, 4409);
  // The session, in its channels, moved: nobody hears a leave or a join.
  assert.deepEqual(peer.take(), []);
  assert.deepEqual(
    h.relay.members("room").map((m) => m.id).sort(),
    [
      session,
      peer.conn.id,
    ].sort(),
  );
  fresh.send({ type: "pub", ref: 1, channel: "room", event: "e" });
  assert.equal(peer.take()[0].type, "msg");
  h.clock.tick(10_000); // past the presence grace
  assert.deepEqual(peer.take(), []);
  assert.equal(h.relay.stats().sessions, 2);
});

Deno.test("a live session is taken over only with its resume token", () => {
  using h = harness();
  const live = h.connect();
  const session = live.conn.id;
  for (const resume of [undefined, "guess", session]) {
    const other = h.connect({ hello: { session, resume } });
    assert.notEqual(other.conn.id, session);
  }
  assert.equal(live.socket.closes.length, 0);
  // The owner, anonymous too, comes back before the relay noticed the drop.
  const owner = h.connect({ hello: { session, resume: resumeOf(live) } });
  assert.equal(owner.conn.id, session);
  assert.equal(live.socket.closes[0].code, 4409);
});

Deno.test("another identity presenting a public session id gets a fresh session, not its dedupe ids or channels", () => {
  // Two bare-token clients of the example server: both identities are `{}`.
  using h = harness({
    resumeToken: (() => {
      let n = 0;
      return () => `secret-${++n}`;
    })(),
  });
  const [owner, watcher] = h.joined("room");
  owner.send({ type: "pub", ref: 1, channel: "room", event: "e", mid: "m1" });
  owner.take();
  const session = watcher.take()[0].type === "msg" ? owner.conn.id : "";
  assert.equal(session, owner.conn.id); // the id every member sees as sender
  owner.conn.closed(1006);
  watcher.take();
  const thief = h.connect({ hello: false });
  thief.send({ type: "hello", v: 1, ref: 1, session, resume: "secret-9" });
  const [welcome] = thief.take();
  assert.ok(welcome.type === "welcome");
  assert.notEqual(welcome.session, session);
  assert.notEqual(welcome.resume, resumeOf(owner));
  // Not in the owner's channel, and its mid is not the owner's.
  thief.send({ type: "pub", ref: 2, channel: "room", event: "e", mid: "m1" });
  assert.equal(codeOfLast(thief), "not_joined");
  thief.send({ type: "join", channel: "room" });
  thief.send({ type: "pub", ref: 3, channel: "room", event: "e", mid: "m1" });
  const ack = thief.take().at(-1);
  assert.deepEqual(ack, { type: "ack", ref: 3, ok: true, data: { offset: 2 } });
  // The owner still resumes its own session afterwards, dedupe memory intact.
  const back = h.connect({
    hello: { session, resume: resumeOf(owner) },
  });
  assert.equal(back.conn.id, session);
  back.send({ type: "join", channel: "room" });
  back.send({ type: "pub", ref: 4, channel: "room", event: "e", mid: "m1" });
  assert.deepEqual(back.take().at(-1), {
    type: "ack",
    ref: 4,
    ok: true,
    data: { offset: 1 },
  });
});

function codeOfLast(client: { take(): { type: string }[] }): string | false {
  const frame = client.take().at(-1) as {
    type: string;
    ok?: boolean;
    error?: { code: string };
  };
  return frame?.error?.code ?? false;
}

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
