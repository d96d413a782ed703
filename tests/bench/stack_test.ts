/**
 * Smoke runs of `bench/stack.ts`: a Deno relay, ten `RealtimeManager`
 * subscribers in client processes, one publisher, with the client processes
 * on each runtime `--clients` takes. Proves the benchmark works there and
 * that every message reached every subscriber once, in order; it asserts
 * no timing.
 */

import assert from "node:assert/strict";
import { benchStack, type ClientRuntime } from "../../bench/stack.ts";

for (const clients of ["deno", "bun", "node"] as ClientRuntime[]) {
  Deno.test(`bench:stack --smoke --clients ${clients} delivers every message to every subscriber`, async () => {
    const rows = await benchStack({ smoke: true, clients: [clients] });
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row.clients, clients);
    assert.equal(row.subscribers, 10);
    assert.equal(row.delivered, row.expected);
    assert.equal(row.faults, 0);
    assert.ok(row.perSecond > 0);
  });
}
