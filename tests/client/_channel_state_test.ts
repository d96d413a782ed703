import assert from "node:assert/strict";
import type { RealtimeMessage } from "../../src/client/realtime_events.ts";
import { next, rejects, World } from "./_world.ts";

// ---------------------------------------------------------------- channels

Deno.test("a channel view joins, streams its messages and tracks the connection", async () => {
  await using world = new World();
  const alice = await world.connected();
  const bob = await world.connected();
  const room = alice.channel("room");
  assert.equal(alice.channel("room"), room);
  const states: string[] = [];
  room.status.subscribe((s) => states.push(s.type));
  await room.connect();
  assert.equal(room.isConnected, true);
  await bob.join("room");
  const iterator = room.messages[Symbol.asyncIterator]();
  await bob.send("room", "chat", "hi");
  const { value } = await iterator.next();
  assert.equal(value.channelId, "room");
  assert.equal(value.type, "chat");
  assert.equal(value.payload, "hi");
  assert.equal(value.senderId, bob.getSocketId());
  assert.equal(value.offset, 1);
  await iterator.return!();
  const echoed = next<unknown>((l) => bob.on("message", l));
  await room.send({ n: 1 });
  assert.deepEqual((await echoed as RealtimeMessage).message, { n: 1 });
  world.drop(alice);
  await world.reconnect(alice);
  await room.disconnect();
  await room.dispose();
  assert.deepEqual(states, [
    "disconnected",
    "connecting",
    "connected",
    "reconnecting",
    "connected",
    "disconnected",
  ]);
  assert.notEqual(alice.channel("room"), room);
});

Deno.test("a view made after the join shows the channel as it is", async () => {
  await using world = new World();
  const alice = await world.connected();
  await alice.join("room");
  const room = alice.channel("room");
  const status = () => room.status.value.type as string;
  assert.equal(status(), "connected");
  world.drop(alice);
  assert.equal(status(), "reconnecting");
  await world.reconnect(alice);
  assert.equal(status(), "connected");
  await alice.leave("room");
  assert.equal(status(), "disconnected");
});

Deno.test("a join refused by the relay shows on the view with its error", async () => {
  await using world = new World({
    authorize: (_identity, _action, channel) => channel !== "secret",
  });
  const alice = await world.connected();
  const secret = alice.channel("secret");
  await rejects(secret.connect(), "forbidden");
  const status = secret.status.value;
  assert.equal(status.type, "disconnected");
  assert.equal(
    status.type === "disconnected" && status.error?.code,
    "forbidden",
  );
});

Deno.test("joins of a channel while one is in flight send one join frame", async () => {
  await using world = new World();
  const alice = await world.connected();
  const sent = world.socket(alice).sent.length;
  await Promise.all([
    alice.join("a"),
    alice.join("a"),
    alice.channel("a").connect(),
  ]);
  const joins = world.socket(alice).sent.slice(sent).filter((f) =>
    f.includes('"type":"join"')
  );
  assert.equal(joins.length, 1);
  assert.equal(alice.channel("a").status.value.type, "connected");
});
