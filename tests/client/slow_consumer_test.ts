import assert from "node:assert/strict";
import type { Relay, RelaySocket } from "../../src/relay/mod.ts";
import { collect, pair, World } from "./_world.ts";

/** Lets every queued microtask (the in-memory network) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

/**
 * Gives the relay-side sockets of `world` a backlog the test sets: the
 * `backlog[i]` of the i-th socket opened.
 */
function withBacklogs(world: World): number[] {
  const backlog: number[] = [];
  const relay = world.link.relay;
  world.link.relay = {
    open(socket: RelaySocket, identity) {
      const index = backlog.push(0) - 1;
      const backlogged: RelaySocket = {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        get bufferedAmount() {
          return backlog[index];
        },
      };
      return relay.open(backlogged, identity);
    },
    close: () => relay.close(),
  } as Relay;
  return backlog;
}

Deno.test("a backlogged subscriber misses volatile messages first, and repairs the channel messages it missed", async () => {
  await using world = new World({
    softBufferedBytes: 100,
    maxBufferedBytes: 1_000,
  });
  const backlog = withBacklogs(world);
  const { alice, bob } = await pair(world);
  const chat = collect(bob, "chat");
  const cursors = collect(bob, "cursor");
  const BOB = 1;

  backlog[BOB] = 500; // past the soft limit
  await alice.send("room", "cursor", { x: 1 }, { volatile: true });
  await alice.send("room", "chat", 1);
  await flush();
  assert.equal(cursors.length, 0);
  assert.deepEqual(chat.map((m) => m.message), [1]);

  backlog[BOB] = 5_000; // past the hard limit: channel messages go too
  await alice.send("room", "chat", 2);
  await alice.send("room", "chat", 3);
  await flush();
  assert.deepEqual(chat.map((m) => m.message), [1]);

  backlog[BOB] = 0;
  await alice.send("room", "chat", 4);
  await alice.send("room", "cursor", { x: 2 }, { volatile: true });
  await flush();
  // The gap (offset 4 after 1) is repaired from history, in order.
  assert.deepEqual(chat.map((m) => m.message), [1, 2, 3, 4]);
  assert.deepEqual(chat.map((m) => m.offset), [1, 2, 3, 4]);
  assert.deepEqual(cursors.map((m) => m.message), [{ x: 2 }]);
});
