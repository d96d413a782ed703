import assert from "node:assert/strict";
import { benchMemory } from "../../bench/memory.ts";

// A smoke run of `deno task bench:memory`: it works end to end on both
// runtimes. No figure is asserted (the machine is shared).
Deno.test("bench:memory measures a few connections against raw, on Bun and Deno", async () => {
  const lines: string[] = [];
  const rows = await benchMemory({
    connections: 40,
    runs: 1,
    runtimes: ["bun", "deno"],
    settleMs: 100,
    log: (line) => lines.push(line),
  });
  assert.deepEqual(
    rows.map((row) => `${row.runtime} ${row.kind}`),
    ["bun raw", "bun lifeline", "deno raw", "deno lifeline"],
  );
  for (const row of rows) assert.ok(Number.isFinite(row.kbPerConnection));
  assert.equal(lines.length, 4);
});
