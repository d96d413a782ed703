import assert from "node:assert/strict";
import { histogramText, storm } from "../../bench/storm.ts";

// A smoke run of `deno task bench:storm`: a few clients come back after the
// relay is killed and restarted, and every attempt lands in the histogram.
// No figure is asserted (the machine is shared).
Deno.test("bench:storm brings a few clients back after a relay kill and restart", async () => {
  const result = await storm({
    clients: 20,
    runtime: "deno",
    processes: 1,
    graceful: false,
    log: () => {},
  });
  assert.equal(result.clients, 20);
  assert.ok(result.attempts >= 20); // each client came back at least once
  assert.equal(result.histogram.reduce((a, b) => a + b, 0), result.attempts);
  assert.ok(result.rejoinMs > 0 && result.peakRss > 0);
  // The kill dropped every client's socket, with no bye (1012) to any.
  const closes = Object.values(result.closes).reduce((a, b) => a + b, 0);
  assert.ok(closes >= 20, JSON.stringify(result.closes));
  assert.equal(result.closes["1012"], undefined);
  assert.match(histogramText(result.histogram), /ms +\d+ #+/);
});
