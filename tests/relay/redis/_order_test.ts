import assert from "node:assert/strict";
import { type Arrival, ChannelOrder } from "../../../src/relay/redis/_order.ts";
import { fakeClock } from "../_harness.ts";

/** Lets the order's pauses (a few promise hops) run. */
async function hops(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function order() {
  const clock = fakeClock();
  const out: string[] = [];
  const channel = new ChannelOrder(
    (offset, arrival) =>
      void out.push(`${offset}:${"event" in arrival ? arrival.data : "?"}`),
    clock,
    100,
  );
  const msg = (data: unknown): Arrival => ({ event: "e", data, sender: null });
  return { clock, out, channel, msg };
}

Deno.test("messages that arrive out of order go out in offset order, each once", async () => {
  const { out, channel, msg } = order();
  channel.arrive("e1", 12, msg("b")); // before the node's place is known
  channel.start("e1", 10);
  channel.arrive("e1", 13, msg("c"));
  channel.arrive("e1", 11, msg("a"));
  channel.arrive("e1", 11, msg("again"));
  channel.arrive("e1", 9, msg("old"));
  await hops();
  assert.deepEqual(out, ["11:a", "12:b", "13:c"]);
  channel.close();
});

Deno.test("an own append settles at its place, and the next waits until the relay acted", async () => {
  const { out, channel, msg } = order();
  channel.start("e1", 0);
  const acted: string[] = [];
  channel.arrive("e1", 2, msg("remote"));
  const own = new Promise<void>((resolve) =>
    channel.arrive("e1", 1, { settle: resolve })
  );
  own.then(() => acted.push(`own delivered before ${out.length} remote`));
  await hops();
  assert.deepEqual(acted, ["own delivered before 0 remote"]);
  assert.deepEqual(out, ["2:remote"]);
  channel.close();
});

Deno.test("a gap left open for gapTimeout is skipped, for the clients to recover", async () => {
  const { clock, out, channel, msg } = order();
  channel.start("e1", 0);
  channel.arrive("e1", 2, msg("b"));
  await hops();
  assert.deepEqual(out, []);
  clock.tick(100);
  await hops();
  assert.deepEqual(out, ["2:b"]);
  channel.close();
});

Deno.test("a new epoch starts over at its first offset", async () => {
  const { out, channel, msg } = order();
  channel.start("e1", 5);
  channel.arrive("e1", 6, msg("a"));
  channel.arrive("e2", 9000, msg("new life"));
  channel.arrive("e2", 9001, msg("next"));
  await hops();
  assert.deepEqual(out, ["6:a", "9000:new life", "9001:next"]);
  channel.close();
});
