import assert from "node:assert/strict";
import type { ResyncEvent } from "../../src/client/realtime_events.ts";
import { Relay } from "../../src/relay/mod.ts";
import { collect, frames, next, pair, World } from "./_world.ts";

/** Lets every queued microtask (the in-memory network) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

Deno.test("a subscriber that drops while others publish gets every message once, in order, when back", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard = collect(bob, "chat");
  const view: unknown[] = [];
  bob.channel("room").messages.subscribe((m) => view.push(m.payload));
  await alice.send("room", "chat", 1);
  await alice.send("room", "chat", 2);
  await flush();
  world.drop(bob);
  for (const n of [3, 4, 5]) await alice.send("room", "chat", n);
  await world.reconnect(bob);
  await flush();
  await alice.send("room", "chat", 6);
  await flush();
  assert.deepEqual(heard.map((m) => m.message), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(heard.map((m) => m.offset), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(view, [1, 2, 3, 4, 5, 6]);
  const rejoin = frames(world.socket(bob).sent).find((f) => f.type === "join");
  assert.deepEqual((rejoin?.since as { offset: number }).offset, 2);
});

Deno.test("a relay restart is a resync with history_lost for each joined channel", async () => {
  await using world = new World({ restartHint: 0 }); // no retry hint;
  const alice = await world.connected();
  await alice.join("room");
  await alice.join("other");
  const resyncs: ResyncEvent[] = [];
  alice.onResync((event) => resyncs.push(event));
  const shown: ResyncEvent[] = [];
  alice.channel("room").resyncs.subscribe((event) => shown.push(event));
  const down = next<string>((l) => alice.onDisconnect(l));
  world.link.relay.close();
  await down;
  world.link.relay = new Relay({ clock: world.clock });
  await world.reconnect(alice);
  await flush();
  assert.deepEqual(
    resyncs.sort((a, b) => String(a.channel).localeCompare(String(b.channel))),
    [
      { channel: null, reason: "history_lost" },
      { channel: "other", reason: "history_lost" },
      { channel: "room", reason: "history_lost" },
    ],
  );
  assert.deepEqual(shown, [{ channel: "room", reason: "history_lost" }]);
});

Deno.test("a resync, channel or app-wide, is logged as a warning", async () => {
  await using world = new World({ restartHint: 0 });
  const entries: Record<string, unknown>[] = [];
  const alice = await world.connected({ logger: (e) => entries.push(e) });
  await alice.join("room");
  const down = next<string>((l) => alice.onDisconnect(l));
  world.link.relay.close();
  await down;
  world.link.relay = new Relay({ clock: world.clock });
  await world.reconnect(alice);
  await flush();
  const resyncs = entries.filter((e) => e.event === "resync")
    .map(({ level, channel, reason }) => ({ level, channel, reason }))
    .sort((a, b) => String(a.channel).localeCompare(String(b.channel)));
  assert.deepEqual(resyncs, [
    { level: "warn", channel: null, reason: "history_lost" },
    { level: "warn", channel: "room", reason: "history_lost" },
  ]);
});

Deno.test("without recover, a rejoin asks for nothing and no resync is told", async () => {
  await using world = new World();
  const alice = await world.connected({ recover: false });
  await alice.join("room");
  const resyncs: ResyncEvent[] = [];
  alice.onResync((event) => resyncs.push(event));
  world.drop(alice);
  await world.reconnect(alice);
  await flush();
  const rejoin = frames(world.socket(alice).sent).find((f) =>
    f.type === "join"
  );
  assert.equal(rejoin?.since, undefined);
  assert.deepEqual(resyncs, []);
});

Deno.test("a gap in live offsets is repaired before later messages are delivered", async () => {
  await using world = new World();
  const alice = await world.connected();
  // Bob's network loses the message with offset 2, once.
  const { manager: bob, lost } = await world.lossy((text) =>
    text.includes('"offset":2,')
  );
  await alice.join("room");
  await bob.join("room");
  const heard = collect(bob, "chat");
  for (const n of [1, 2, 3, 4]) await alice.send("room", "chat", n);
  await flush();
  assert.equal(lost(), true);
  assert.deepEqual(heard.map((m) => m.offset), [1, 2, 3, 4]);
  const repairs = frames(world.link.sockets.at(-1)!.sent).filter((f) =>
    f.type === "join" && f.since !== undefined
  );
  assert.equal((repairs[0]?.since as { offset: number }).offset, 1);
});

Deno.test("a volatile send is fire and forget: no offset, dropped when not connected", async () => {
  await using world = new World();
  const { alice, bob } = await pair(world);
  const heard = collect(bob, "cursor");
  assert.equal(
    await alice.send("room", "cursor", { x: 1 }, { volatile: true }),
    true,
  );
  await alice.send("room", "chat", "kept");
  await flush();
  assert.deepEqual(heard.map((m) => [m.message, m.offset]), [[
    { x: 1 },
    undefined,
  ]]);
  world.drop(alice);
  assert.equal(
    await alice.send("room", "cursor", { x: 2 }, { volatile: true }),
    false,
  );
  await world.reconnect(alice);
  await flush();
  assert.equal(heard.length, 1); // never queued
  const sent = frames(world.socket(alice).sent).filter((f) => f.type === "pub");
  assert.deepEqual(sent, []);
});
