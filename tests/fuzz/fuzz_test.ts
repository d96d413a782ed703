import assert from "node:assert/strict";
import { runFuzz } from "./_run.ts";

Deno.test("fuzz: 50,000 seeded frames break no rule of the decoders or the relay", () => {
  const figures = runFuzz({ count: 50_000, seed: 7 });
  assert.equal(figures.frames, 50_000);
  assert.equal(figures.goodDelivered, figures.goodPublishes);
  assert.ok(figures.goodPublishes >= 1_000);
  // The run reached the interesting paths.
  const { stats } = figures;
  assert.ok(stats.badFrames > 1_000, `badFrames ${stats.badFrames}`);
  assert.ok(stats.rateLimited > 0, "nothing rate limited");
  assert.ok(figures.decodedOk > 5_000, `decoded ${figures.decodedOk}`);
  for (const code of ["1008", "1009"]) {
    assert.ok(figures.closes[code] > 0, `no close ${code}`);
  }
});

Deno.test("fuzz: the same seed gives the same run", () => {
  const a = runFuzz({ count: 3_000, seed: 11 });
  const b = runFuzz({ count: 3_000, seed: 11 });
  assert.deepEqual({ ...a, ms: 0 }, { ...b, ms: 0 });
});

Deno.test("fuzz: the heap returns near its baseline after a run (deno task fuzz, with GC)", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      "tests/fuzz/main.ts",
      "--count",
      "20000",
      "--seed",
      "5",
    ],
    cwd: new URL("../../", import.meta.url),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  const out = decoder.decode(stdout);
  // main.ts exits 1 when the heap grew by more than 16 MiB after a GC.
  assert.equal(code, 0, decoder.decode(stderr));
  assert.match(out, /MiB after \(after GC\)/);
});
