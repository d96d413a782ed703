import assert from "node:assert/strict";
import { harness } from "./_harness.ts";

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
