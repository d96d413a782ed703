import assert from "node:assert/strict";
import type { ResyncEvent } from "../../src/client/realtime_events.ts";
import { Relay } from "../../src/relay/mod.ts";
import { collect, frames, next, World } from "./_world.ts";

/** Lets every queued microtask (the in-memory network) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

Deno.test("a client that drops gets the missed broadcasts exactly once, in order, when back", async () => {
  await using world = new World();
  const alice = await world.connected();
  const bob = await world.connected();
  const heard = collect(bob, "news");
  const resyncs: ResyncEvent[] = [];
  bob.onResync((event) => resyncs.push(event));
  await alice.broadcast("news", 1);
  await alice.broadcast("news", 2);
  await flush();
  world.drop(bob);
  for (const n of [3, 4, 5]) await alice.broadcast("news", n);
  world.link.relay.publish(null, "news", 6);
  await world.reconnect(bob);
  await flush();
  await alice.broadcast("news", 7);
  await flush();
  assert.deepEqual(heard.map((m) => m.message), [1, 2, 3, 4, 5, 6, 7]);
  // The listener's shape is unchanged: no offset for app-wide messages.
  assert.deepEqual(heard.map((m) => [m.channel, m.offset]), [
    ...Array(7).fill([null, undefined]),
  ]);
  assert.deepEqual(resyncs, []);
  const hello = frames(world.socket(bob).sent).find((f) => f.type === "hello");
  assert.deepEqual((hello?.since as { offset: number }).offset, 2);
});

Deno.test("a relay restart is a resync of app-wide messages with history_lost", async () => {
  await using world = new World({ restartHint: 0 });
  const alice = await world.connected();
  const heard = collect(alice, "news");
  world.link.relay.publish(null, "news", 1);
  await flush();
  const resyncs: ResyncEvent[] = [];
  alice.onResync((event) => resyncs.push(event));
  const down = next<string>((l) => alice.onDisconnect(l));
  world.link.relay.close();
  await down;
  world.link.relay = new Relay({ clock: world.clock });
  await world.reconnect(alice);
  await flush();
  assert.deepEqual(resyncs, [{ channel: null, reason: "history_lost" }]);
  world.link.relay.publish(null, "news", 2);
  await flush();
  assert.deepEqual(heard.map((m) => m.message), [1, 2]);
});

Deno.test("without recover, the hello asks for no app-wide messages", async () => {
  await using world = new World();
  const alice = await world.connected({ recover: false });
  world.link.relay.publish(null, "news", 1);
  await flush();
  world.drop(alice);
  await world.reconnect(alice);
  await flush();
  const hello = frames(world.socket(alice).sent).find((f) =>
    f.type === "hello"
  );
  assert.equal(hello?.since, undefined);
});

/** A manager whose network loses, once, the app-wide message with `offset`. */
function lossy(world: World, offset: number) {
  return world.lossy((text) =>
    text.includes(`"channel":null,"offset":${offset},`)
  );
}

Deno.test("a gap in live app-wide offsets is repaired at once, with no reconnect", async () => {
  await using world = new World();
  const alice = await world.connected();
  const { manager: bob, lost } = await lossy(world, 2);
  const heard = collect(bob, "news");
  const resyncs: ResyncEvent[] = [];
  bob.onResync((event) => resyncs.push(event));
  let drops = 0;
  bob.onDisconnect(() => drops++);
  for (const n of [1, 2, 3, 4]) await alice.broadcast("news", n);
  await flush();
  assert.equal(lost(), true);
  assert.deepEqual(heard.map((m) => m.message), [1, 2, 3, 4]);
  assert.deepEqual(resyncs, []);
  assert.equal(drops, 0);
  const repairs = frames(world.link.sockets.at(-1)!.sent).filter((f) =>
    f.type === "join"
  );
  assert.deepEqual(repairs.map((f) => [f.channel, f.since]), [
    [null, {
      epoch: (repairs[0]?.since as { epoch: string }).epoch,
      offset: 1,
    }],
  ]);
});

Deno.test("an app-wide gap past the history window is a resync with channel null", async () => {
  await using world = new World({ historySize: 2 });
  const { manager: bob, lost } = await lossy(world, 2);
  const heard = collect(bob, "news");
  const resyncs: ResyncEvent[] = [];
  bob.onResync((event) => resyncs.push(event));
  // Offset 2 is lost on the way, and gone from history before 5 arrives.
  world.link.relay.publish(null, "news", 1);
  world.link.relay.publish(null, "news", 2);
  await flush();
  for (const n of [3, 4, 5]) world.link.relay.publish(null, "news", n);
  await flush();
  assert.equal(lost(), true);
  assert.deepEqual(resyncs, [{ channel: null, reason: "too_far_behind" }]);
  assert.deepEqual(heard.map((m) => m.message), [1, 3, 4, 5]);
});

Deno.test("a broadcast sent without echo is no gap for its sender", async () => {
  await using world = new World();
  const alice = await world.connected();
  const heard = collect(alice, "news");
  await alice.broadcast("news", "first", false);
  await alice.broadcast("news", "second");
  await flush();
  assert.deepEqual(heard.map((m) => m.message), ["second"]);
  const joins = frames(world.socket(alice).sent).filter((f) =>
    f.type === "join"
  );
  assert.deepEqual(joins, []);
});
