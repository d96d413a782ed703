// A session the relay no longer knows: the client says hello again and rejoins.
import assert from "node:assert/strict";
import { MemoryStore, Relay } from "../../src/relay/mod.ts";
import { RealtimeError } from "../../src/client/realtime_error.ts";
import { collect, connectedOnce, World } from "./_world.ts";

const settle = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

Deno.test("hello_required on a welcomed connection: the client says hello again, rejoins and its request succeeds", async () => {
  const store = new MemoryStore();
  await using world = new World({ store });
  const alice = await world.connected();
  await alice.join("room");
  const errors: string[] = [];
  alice.onError((e) => errors.push(e instanceof RealtimeError ? e.code : "?"));
  const reasons: string[] = [];
  alice.onDisconnect((reason) => reasons.push(reason));
  // The relay wakes without its memory; alice's socket stays open.
  const old = world.link.relay;
  world.link.relay = new Relay({ clock: world.clock, store });
  world.socket(alice).forget();
  const carol = await world.connected();
  await carol.join("room");
  const heard = collect(carol, "chat");
  const back = connectedOnce(alice);
  await alice.send("room", "chat", "after the wake");
  await back;
  await settle();
  assert.deepEqual(heard.map((m) => m.message), ["after the wake"]);
  assert.equal(alice.isConnected(), true);
  const ids = (await alice.getMembers("room")).map((m) => m.id);
  assert.ok(
    ids.includes(alice.getSocketId()!) && ids.includes(carol.getSocketId()!),
  );
  assert.deepEqual(errors, ["hello_required"]);
  assert.deepEqual(reasons, ["session_lost"]);
  old.close();
});

Deno.test("a welcome under another session id: the client rejoins its channels there", async () => {
  await using world = new World();
  const alice = await world.connected();
  await alice.join("room");
  const before = alice.getSocketId();
  world.drop(alice);
  world.link.relay.close();
  world.link.relay = new Relay({ clock: world.clock });
  await world.reconnect(alice);
  await settle();
  assert.notEqual(alice.getSocketId(), before);
  const members = await alice.getMembers("room");
  assert.deepEqual(members.map((m) => m.id), [alice.getSocketId()]);
  await alice.send("room", "chat", "still here");
});

Deno.test("hello_required without a ref (a volatile publish) is a lost session too", async () => {
  const store = new MemoryStore();
  await using world = new World({ store });
  const alice = await world.connected();
  await alice.join("room");
  const errors: string[] = [];
  alice.onError((e) => errors.push(e instanceof RealtimeError ? e.code : "?"));
  const old = world.link.relay;
  world.link.relay = new Relay({ clock: world.clock, store });
  const first = world.socket(alice);
  first.forget();
  const back = connectedOnce(alice);
  assert.equal(await alice.send("room", "cursor", 1, { volatile: true }), true);
  await back;
  assert.notEqual(world.socket(alice), first);
  assert.deepEqual(errors, ["hello_required"]);
  await alice.send("room", "chat", "works");
  old.close();
});
