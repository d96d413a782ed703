/**
 * The manager's socket hears the network through the `networkEvents`
 * option: offline, its publishes wait and no retry runs however long it
 * is; `online` brings it back at once, and the publishes are delivered.
 *
 * @module
 */

import assert from "node:assert/strict";
import { collect, connectedOnce, pair, World } from "./_world.ts";

Deno.test("offline, publishes wait and no retry runs; online reconnects at once and delivers them", async () => {
  await using world = new World();
  const network = Object.assign(new EventTarget(), {
    navigator: { onLine: true },
  });
  const { alice, bob } = await pair(world, "room", { networkEvents: network });
  const heard = collect(alice, "chat");
  network.navigator.onLine = false;
  const dropped = world.socket(bob);
  world.drop(bob);
  network.dispatchEvent(new Event("offline"));
  const sends = [1, 2].map((n) => bob.send("room", "chat", n));
  // 50 times the backoff (100 ms), within the relay's presence grace.
  world.clock.tick(5_000);
  assert.equal(bob.isConnected(), false);
  assert.equal(world.socket(bob), dropped, "no attempt while offline");

  const back = connectedOnce(bob);
  network.navigator.onLine = true;
  network.dispatchEvent(new Event("online"));
  await back; // no clock tick: the retry ran on `online`
  await Promise.all(sends);
  assert.deepEqual(heard.map((m) => m.message), [1, 2]);
});
