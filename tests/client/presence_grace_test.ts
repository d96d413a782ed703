// Presence grace as clients see it: a quick reconnect is invisible.
import assert from "node:assert/strict";
import type { RealtimeManager } from "../../src/client/realtime_manager.ts";
import { pair, World } from "./_world.ts";

const GRACE = 5_000;

function presenceLog(manager: RealtimeManager): string[] {
  const log: string[] = [];
  manager.onJoin((e) => log.push(`join ${e.member.id}`));
  manager.onLeave((e) => log.push(`leave ${e.member.id}`));
  return log;
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

Deno.test("a quick reconnect is invisible to the others and keeps the session id", async () => {
  await using world = new World({
    presenceGrace: GRACE,
    heartbeat: { timeout: 0 },
  });
  const { alice, bob } = await pair(world);
  const session = alice.getSocketId();
  const log = presenceLog(bob);
  const heard: unknown[] = [];
  alice.on("chat", (m) => heard.push(m.message));
  world.drop(alice);
  await bob.send("room", "chat", "while away");
  await world.reconnect(alice);
  assert.equal(alice.getSocketId(), session);
  await settle();
  assert.deepEqual(heard, ["while away"]); // recovered on the rejoin
  world.clock.tick(GRACE * 2);
  await settle();
  assert.deepEqual(log, []);
  assert.deepEqual(
    (await bob.getMembers("room")).map((m) => m.id).sort(),
    [
      session,
      bob.getSocketId(),
    ].sort(),
  );
});

Deno.test("a client that does not come back leaves once, when the grace ends", async () => {
  await using world = new World({
    presenceGrace: GRACE,
    heartbeat: { timeout: 0 },
  });
  const { alice, bob } = await pair(world);
  const session = alice.getSocketId();
  const log = presenceLog(bob);
  world.link.refuse = true;
  world.drop(alice);
  world.clock.tick(GRACE - 1);
  await settle();
  assert.deepEqual(log, []);
  world.clock.tick(1);
  await settle();
  assert.deepEqual(log, [`leave ${session}`]);
  world.clock.tick(GRACE * 2);
  await settle();
  assert.deepEqual(log, [`leave ${session}`]);
});

Deno.test("a clean close leaves at once", async () => {
  await using world = new World({
    presenceGrace: GRACE,
    heartbeat: { timeout: 0 },
  });
  const { alice, bob } = await pair(world);
  const session = alice.getSocketId();
  const log = presenceLog(bob);
  await alice.close();
  await settle();
  assert.deepEqual(log, [`leave ${session}`]);
});
