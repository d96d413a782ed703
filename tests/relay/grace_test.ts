// Presence grace: a dropped member stays for `presenceGrace` ms.
import assert from "node:assert/strict";
import type { RelayFrame } from "../../src/protocol/mod.ts";
import { Relay } from "../../src/relay/mod.ts";
import { fakeClock, FakeSocket, harness, resumeOf } from "./_harness.ts";

const presence = (frames: RelayFrame[]) =>
  frames.filter((f) => f.type === "presence").map((f) =>
    f.type === "presence" && `${f.action} ${f.channel} ${f.member.id}`
  );

Deno.test("a dropped member leaves each channel once, when the grace ends", () => {
  using h = harness({ presenceGrace: 5_000 });
  const a = h.connect({ hello: { profile: { name: "ann" } } });
  const b = h.connect();
  for (const channel of ["x", "y"]) {
    a.send({ type: "join", channel });
    b.send({ type: "join", channel });
  }
  b.take();
  a.conn.closed(1006);
  h.clock.tick(4_999);
  assert.deepEqual(presence(b.take()), []);
  // Still a member meanwhile, with its profile, here and in a join ack.
  assert.deepEqual(h.relay.members("x").map((m) => m.data), [
    null,
    { name: "ann" },
  ]);
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "x" });
  const ack = c.take()[0];
  assert.ok(ack.type === "ack" && ack.ok);
  assert.equal((ack.data as { members: unknown[] }).members.length, 3);
  b.take();
  h.clock.tick(1);
  assert.deepEqual(presence(b.take()), [
    `leave x ${a.conn.id}`,
    `leave y ${a.conn.id}`,
  ]);
  assert.deepEqual(h.relay.members("y").map((m) => m.id), [b.conn.id]);
  h.clock.tick(20_000);
  assert.deepEqual(presence(b.take()), []);
});

Deno.test("a member back within the grace keeps its session, channels and profile, silently", () => {
  using h = harness({ presenceGrace: 5_000 });
  const a = h.connect({ hello: { profile: { name: "ann" } } });
  const b = h.connect();
  a.send({ type: "join", ref: 1, channel: "x" });
  b.send({ type: "join", channel: "x" });
  b.take();
  const joined = a.take()[0];
  assert.ok(joined.type === "ack" && joined.ok);
  const { epoch } = joined.data as { epoch: string };
  const session = a.conn.id;
  const resume = resumeOf(a);
  a.conn.closed(1006);
  b.send({ type: "pub", channel: "x", event: "missed" });
  h.clock.tick(3_000);
  const back = h.connect({ hello: { session, resume } });
  assert.equal(back.conn.id, session);
  // Its rejoin is a repair: acked with what it missed, no presence.
  back.send({
    type: "join",
    ref: 1,
    channel: "x",
    since: { offset: 0, epoch },
  });
  const ack = back.take()[0];
  assert.ok(ack.type === "ack" && ack.ok);
  assert.deepEqual(
    (ack.data as { missed: { event: string }[] }).missed.map((m) => m.event),
    ["missed"],
  );
  b.send({ type: "pub", channel: "x", event: "live" });
  assert.deepEqual(back.take().map((f) => f.type === "msg" && f.event), [
    "live",
  ]);
  h.clock.tick(6_000);
  assert.deepEqual(presence(b.take()), []);
  assert.deepEqual(h.relay.members("x"), [
    { id: b.conn.id, data: null },
    { id: session, data: { name: "ann" } },
  ]);
});

Deno.test("a member back within the grace with a new profile is told as an update", () => {
  using h = harness();
  const [a, b] = h.joined("x");
  const session = a.conn.id;
  const resume = resumeOf(a);
  a.conn.closed(1006);
  h.connect({ hello: { session, resume, profile: { name: "new" } } });
  assert.deepEqual(presence(b.take()), [`update x ${session}`]);
});

Deno.test("a clean close or a leave leaves at once", () => {
  using h = harness();
  const [a, b, c] = h.joined("x", 3);
  a.conn.closed(1000);
  assert.deepEqual(presence(c.take()), [`leave x ${a.conn.id}`]);
  b.send({ type: "leave", channel: "x" });
  b.conn.closed(1006);
  assert.deepEqual(presence(c.take()), [`leave x ${b.conn.id}`]);
  h.clock.tick(60_000);
  assert.deepEqual(presence(c.take()), []);
});

Deno.test("a presenceGrace of 0 leaves at once on a drop", () => {
  using h = harness({ presenceGrace: 0 });
  const [a, b] = h.joined("x");
  a.conn.closed(1006);
  assert.deepEqual(presence(b.take()), [`leave x ${a.conn.id}`]);
});

Deno.test("a connection closed for bad input leaves at once", () => {
  using h = harness();
  const [a, b] = h.joined("x");
  for (let i = 0; i < 10; i++) a.send("garbage");
  assert.deepEqual(presence(b.take()), [`leave x ${a.conn.id}`]);
});

Deno.test("without the sweep timer, the grace ends at nextSweepAt's sweep", () => {
  const clock = fakeClock();
  const relay = new Relay({
    clock,
    sweepTimer: false,
    presenceGrace: 1_000,
    heartbeat: { timeout: 0 },
  });
  const socket = new FakeSocket();
  const open = () => {
    const conn = relay.open(new FakeSocket());
    conn.message('{"type":"hello","v":1}');
    conn.message('{"type":"join","channel":"x"}');
    return conn;
  };
  const gone = open();
  const peer = relay.open(socket);
  peer.message('{"type":"hello","v":1}');
  peer.message('{"type":"join","channel":"x"}');
  socket.take();
  assert.equal(relay.nextSweepAt(), undefined);
  gone.closed(1006);
  assert.equal(relay.nextSweepAt(), 1_000);
  assert.equal(clock.countTimers(), 0);
  clock.tick(999);
  relay.sweep();
  assert.deepEqual(presence(socket.take()), []);
  clock.tick(1);
  relay.sweep();
  assert.deepEqual(presence(socket.take()), [`leave x ${gone.id}`]);
  assert.equal(relay.nextSweepAt(), undefined);
  relay.close();
});

Deno.test("closing the relay ends every grace quietly, with no timer left", () => {
  using h = harness();
  const [a, b] = h.joined("x");
  a.conn.closed(1006);
  h.relay.close();
  assert.deepEqual(presence(b.take()), []);
  assert.equal(h.clock.countTimers(), 0);
});

Deno.test("a member silent past the heartbeat is a drop: it leaves after the grace", () => {
  using h = harness({
    heartbeat: { interval: 1_000, timeout: 500 },
    presenceGrace: 3_000,
  });
  const [silent, peer] = h.joined("x");
  const at = (ms: number) => {
    for (let t = 0; t < ms; t += 400) {
      h.clock.tick(400);
      peer.send("ping");
    }
  };
  at(2_000);
  assert.equal(silent.socket.closes[0]?.code, 4408);
  assert.deepEqual(presence(peer.take()), []);
  at(3_200);
  assert.deepEqual(presence(peer.take()), [`leave x ${silent.conn.id}`]);
});

Deno.test("dropped members in grace share one timer, and each leaves when its own grace ends", () => {
  using h = harness({ presenceGrace: 5_000, heartbeat: { timeout: 0 } });
  const watcher = h.connect();
  watcher.send({ type: "join", channel: "x" });
  const first = Array.from({ length: 20 }, () => h.connect());
  for (const c of first) c.send({ type: "join", channel: "x" });
  h.clock.tick(1_000); // past the hello deadlines: the sweep is done
  const timers = h.clock.countTimers();
  for (const c of first) c.conn.closed(1006);
  h.clock.tick(2_000);
  const later = h.connect();
  later.send({ type: "join", channel: "x" });
  later.conn.closed(1006);
  assert.equal(h.clock.countTimers(), timers + 1);
  watcher.take();
  h.clock.tick(2_999);
  assert.deepEqual(presence(watcher.take()), []);
  h.clock.tick(1);
  assert.equal(presence(watcher.take()).length, 20);
  h.clock.tick(1_999);
  assert.deepEqual(presence(watcher.take()), []);
  h.clock.tick(1);
  assert.deepEqual(presence(watcher.take()), [`leave x ${later.conn.id}`]);
  assert.equal(h.clock.countTimers(), timers);
});
