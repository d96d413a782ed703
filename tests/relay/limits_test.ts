import assert from "node:assert/strict";
import { Relay } from "../../src/relay/mod.ts";
import { fakeClock, FakeSocket, harness } from "./_harness.ts";

const upgrade = (token: string) =>
  new Request(`http://relay.test/ws?token=${token}`);

Deno.test("a user past maxConnectionsPerUser is refused at the upgrade with 429", async () => {
  const relay = new Relay({
    clock: fakeClock(),
    maxConnectionsPerUser: 2,
    authenticate: (_request, token) =>
      token === "anon" ? {} : { userId: token },
  });
  const open = async (token: string) => {
    const result = await relay.accept(upgrade(token));
    if (!result.ok) return result;
    const socket = new FakeSocket();
    return { socket, conn: relay.open(socket, result.identity) };
  };
  const first = await open("alice");
  await open("alice");
  const third = await relay.accept(upgrade("alice"));
  assert.deepEqual(third, {
    ok: false,
    status: 429,
    code: "too_many_connections",
    message: "Too many connections for this user",
  });
  // Others are not affected, and anonymous connections are not counted.
  assert.ok((await relay.accept(upgrade("bob"))).ok);
  for (let i = 0; i < 3; i++) await open("anon");
  assert.ok((await relay.accept(upgrade("anon"))).ok);
  // A closed connection frees its place.
  assert.ok("conn" in first);
  first.conn.closed();
  assert.ok((await relay.accept(upgrade("alice"))).ok);
  relay.close();
});

Deno.test("a socket past the per-user cap that got by accept in a race is closed with 1013", () => {
  const relay = new Relay({ clock: fakeClock(), maxConnectionsPerUser: 1 });
  const first = new FakeSocket();
  const second = new FakeSocket();
  relay.open(first, { userId: "u" });
  relay.open(second, { userId: "u" }).message('{"type":"hello","v":1}');
  assert.equal(second.closes[0].code, 1013);
  assert.deepEqual(second.sent, []);
  assert.equal(first.closes.length, 0);
  assert.equal(relay.stats().connections, 1);
  relay.close();
});

Deno.test("the per-user cap defaults to 100 and 0 turns it off", () => {
  for (const [max, kept] of [[undefined, 100], [0, 101]] as const) {
    const relay = new Relay({ clock: fakeClock(), maxConnectionsPerUser: max });
    for (let i = 0; i < 101; i++) relay.open(new FakeSocket(), { userId: "u" });
    assert.equal(relay.stats().connections, kept);
    relay.close();
  }
});

Deno.test("a welcomed connection that sends nothing but pings for idleTimeout is closed with bye idle and 4408", () => {
  using h = harness({
    idleTimeout: 1_000,
    heartbeat: { interval: 300, timeout: 100 },
  });
  const idle = h.connect();
  const busy = h.connect();
  busy.send({ type: "join", channel: "room" });
  for (let t = 0; t < 1_200; t += 200) {
    idle.send("ping");
    busy.send({ type: "members", channel: "room" });
    h.clock.tick(200);
  }
  assert.deepEqual(idle.socket.frames().at(-1), {
    type: "bye",
    reason: "idle",
    reconnect: true,
  });
  assert.equal(idle.socket.closes[0].code, 4408);
  assert.equal(busy.socket.closes.length, 0);
});

Deno.test("the idle timeout is off by default", () => {
  using h = harness({ heartbeat: { interval: 300, timeout: 100 } });
  const c = h.connect();
  for (let t = 0; t < 60_000; t += 200) {
    c.send("ping");
    h.clock.tick(200);
  }
  assert.equal(c.socket.closes.length, 0);
});

Deno.test("nextSweepAt includes the idle timeout of a welcomed connection", () => {
  const clock = fakeClock();
  const relay = new Relay({
    clock,
    sweepTimer: false,
    idleTimeout: 500,
    heartbeat: { interval: 10_000, timeout: 10_000 },
    helloTimeout: 0,
  });
  relay.open(new FakeSocket()).message('{"type":"hello","v":1}');
  assert.equal(relay.nextSweepAt(), 500);
  relay.close();
});
