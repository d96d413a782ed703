import assert from "node:assert/strict";
import type { LogEntry } from "../../src/core/log.ts";
import { World } from "./_world.ts";

Deno.test("the manager logs the requests it sends from its queue on reconnect, and the ones it drops", async () => {
  await using world = new World();
  const entries: LogEntry[] = [];
  const alice = await world.connected({
    logger: (entry) => entries.push(entry),
    maxQueued: 2,
  });
  await alice.join("room");
  world.drop(alice);
  const sends = [1, 2, 3].map((n) =>
    alice.send("room", "chat", n).then(() => "sent", (e) => e.code)
  );
  await world.reconnect(alice);
  assert.deepEqual(await Promise.all(sends), ["sent", "sent", "buffer_full"]);
  const picked = entries
    .filter((e) => e.event === "flush" || e.event === "drop")
    .map(({ level, event, count, reason }) => ({
      level,
      event,
      count,
      reason,
    }));
  assert.deepEqual(picked, [
    { level: "warn", event: "drop", count: undefined, reason: "buffer_full" },
    { level: "debug", event: "flush", count: 2, reason: undefined },
  ]);
  const states = entries.filter((e) =>
    e.event === "state" || e.event === "attempt"
  )
    .map((e) => e.state ?? e.event);
  assert.deepEqual(states, [
    "connecting",
    "connected",
    "attempt",
    "reconnected",
  ]);
});
