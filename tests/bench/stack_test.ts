/**
 * A smoke run of `bench/stack.ts`: a Deno relay, ten `RealtimeManager`
 * subscribers in client processes, one publisher. Proves the benchmark
 * works and that every message reached every subscriber once, in order; it
 * asserts no timing.
 */

import assert from "node:assert/strict";
import { benchStack } from "../../bench/stack.ts";

Deno.test("bench:stack --smoke delivers every message to every subscriber", async () => {
  const rows = await benchStack({ smoke: true });
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.equal(row.subscribers, 10);
  assert.equal(row.delivered, row.expected);
  assert.equal(row.faults, 0);
  assert.ok(row.perSecond > 0);
});
