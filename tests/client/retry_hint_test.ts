// The relay's retry hint: clients wait at least the hint, plus jitter.
import assert from "node:assert/strict";
import { Relay } from "../../src/relay/mod.ts";
import { connectedOnce, World } from "./_world.ts";

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

Deno.test("after a restart's bye, clients wait at least the hint, spread by jitter", async () => {
  await using world = new World({ restartHint: 1_000 });
  const early = await world.connected({ random: () => 0 });
  const late = await world.connected({ random: () => 0.5 });
  const first = [world.socket(early), world.socket(late)];
  const old = world.link.relay;
  world.link.relay = new Relay({ clock: world.clock, restartHint: 1_000 });
  old.close();
  await settle();
  const attempts = () =>
    [early, late].map((m, i) => world.socket(m) !== first[i]);
  world.clock.tick(999); // the backoff alone would retry after 100 ms
  await settle();
  assert.deepEqual(attempts(), [false, false]);
  const back = connectedOnce(early);
  world.clock.tick(1);
  await back;
  assert.deepEqual(attempts(), [true, false]);
  world.clock.tick(499);
  await settle();
  assert.deepEqual(attempts(), [true, false]);
  const lateBack = connectedOnce(late);
  world.clock.tick(1);
  await lateBack;
  assert.deepEqual(attempts(), [true, true]);
});

Deno.test("a hint counts once: a later drop retries on the backoff", async () => {
  await using world = new World({ restartHint: 1_000 });
  const alice = await world.connected({ random: () => 0 });
  const old = world.link.relay;
  world.link.relay = new Relay({ clock: world.clock });
  old.close();
  await settle();
  const back = connectedOnce(alice);
  world.clock.tick(1_000);
  await back;
  world.drop(alice);
  await world.reconnect(alice); // after RETRY_MS
});
