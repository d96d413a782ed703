/** A smoke run of `deno task bench:channel`'s fill: it works, and counts what it should. */
import assert from "node:assert/strict";
import { fill } from "../../bench/_channel_fill_run.ts";
import * as relay from "../../src/relay/mod.ts";

const N = 30;

Deno.test("a fill without presence sends each member its welcome and join ack only", () => {
  const result = fill(relay, N, 2000, { presence: () => false });
  assert.equal(result.members, N);
  assert.equal(result.frames, 2 * N);
});

Deno.test("a fill with presence at once tells each member of every join since its own", () => {
  const result = fill(relay, N, 2000, { presenceBatch: 0 });
  assert.equal(result.frames, 2 * N + (N * (N + 1)) / 2);
});

Deno.test("a fill of a big channel batches its presence into fewer frames", () => {
  const result = fill(relay, N, 2000, { joinMembers: 5, presenceBatch: 50 });
  assert.ok(result.frames < 2 * N + (N * (N + 1)) / 2, String(result.frames));
});
