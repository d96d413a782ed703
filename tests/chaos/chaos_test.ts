/**
 * The chaos test, CI-sized: 10,000 messages from three publishers on three
 * channels, three subscribers in every channel, a real relay process, every
 * connection through the chaos proxy, which cuts one at random every
 * 100–500 ms, 50 times. Then the same with the relay restarted half-way.
 * `deno task chaos` runs a larger one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runChaos } from "../../tools/chaos.ts";

Deno.test("random cuts lose no acked message and deliver none twice", async () => {
  const counts = await runChaos({ messages: 10_000, cuts: 50, seed: 7 });
  console.log(counts);
  assert.ok(counts.acked >= 9_000, `only ${counts.acked} of 10,000 acked`);
  assert.equal(counts.cuts, 50);
  assert.equal(counts.lost, 0);
  assert.equal(counts.duplicates, 0);
  assert.equal(counts.outOfOrder, 0);
  assert.equal(counts.resyncs, 0);
  assert.equal(counts.resynced, 0);
});

Deno.test("a relay restart mid-run is a resync in every channel, never a silent gap", async () => {
  const counts = await runChaos({
    messages: 3_000,
    cuts: 20,
    seed: 11,
    restart: true,
  });
  console.log(counts);
  assert.equal(counts.lost, 0);
  assert.equal(counts.duplicates, 0);
  assert.equal(counts.outOfOrder, 0);
  // Each of the three subscribers hears of each of the three channels.
  assert.ok(counts.resyncs >= 9, `only ${counts.resyncs} resyncs`);
});

Deno.test("two nodes on one Redis, clients moving between them and one node killed: nothing lost, nothing twice", async () => {
  const counts = await runChaos({
    messages: 3_000,
    cuts: 20,
    seed: 13,
    nodes: true,
  });
  console.log(counts);
  assert.equal(counts.cuts, 20);
  assert.equal(counts.lost, 0);
  assert.equal(counts.duplicates, 0);
  assert.equal(counts.outOfOrder, 0);
  // Recovery is by offset from Redis, on whichever node: no resync.
  assert.equal(counts.resyncs, 0);
});
