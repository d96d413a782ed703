import assert from "node:assert/strict";
import { fill, fillLine } from "../../bench/fill.ts";
import { benchScale } from "../../bench/_scale.ts";

// Smoke runs of the networked channel fill and of the sections `deno task
// bench` ends with: they work and count what they should. No figure is
// asserted (the machine is shared).
Deno.test("bench fill: every member of one channel gets its join ack", async () => {
  const result = await fill({ runtime: "deno", members: 24, processes: 2 });
  assert.equal(result.acked, 24);
  assert.equal(result.lost, 0);
  assert.ok(result.ms >= 0 && result.peakRss >= result.idleRss);
  // Each member got its welcome, its join ack and presence frames.
  assert.ok(result.frames > 2 * 24, String(result.frames));
  assert.match(fillLine(result), /24 +[\d.]+ s +0 lost/);
});

Deno.test("bench fill --presence off: each member gets its welcome and join ack, nothing else", async () => {
  const result = await fill({
    runtime: "deno",
    members: 24,
    processes: 2,
    presence: false,
  });
  assert.equal(result.acked, 24);
  assert.equal(result.frames, 2 * 24);
  assert.match(fillLine(result), /24 +[\d.]+ s +0 lost .* presence off/);
});

Deno.test("deno task bench's fill and storm sections run end to end", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await benchScale({
      "fill-members": "10,20",
      "fill-baseline": "",
      "storm-clients": "10",
      "scale-runtimes": "deno",
      "scale-processes": "1",
    }, false);
  } finally {
    console.log = log;
  }
  const text = lines.join("\n");
  assert.match(text, /deno current +10 .* 0 lost/);
  assert.match(text, /deno current +20 .* 0 lost/);
  assert.match(text, /all 10 rejoined after [\d.]+ s/);
});
