import assert from "node:assert/strict";
import { benchPeers, SMOKE } from "../../bench/peers.ts";
import { chartSvg } from "../../bench/chart.ts";

// A smoke run of `deno task bench:peers` (it npm-installs the peers into
// bench/.peers/ on its first run): every workload measures every side and
// the chart draws them. No figure is asserted (the machine is shared).
Deno.test("bench:peers runs every workload against its peers once, small", async () => {
  const { figures } = await benchPeers({
    runs: 1,
    sizes: SMOKE,
    log: () => {},
  });
  assert.deepEqual([...new Set(figures.map((f) => f.workload))], [
    "fan-out",
    "echo CPU per round trip",
    "echo round trips",
    "recovery after a restart",
    "idle memory per connection, bun",
    "idle memory per connection, deno",
  ]);
  for (const f of figures) {
    assert.ok(Number.isFinite(f.ratio), `${f.workload}: ${f.ratio}`);
  }
  const svg = chartSvg(figures, "smoke");
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<rect x=/g)?.length, 2 + 4 + 4 + 3 + 2 + 2);
});
