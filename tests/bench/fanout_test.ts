import assert from "node:assert/strict";

// A smoke run of `deno task bench` as a user runs it, with `--smoke`: every
// section (fan-out against the raw runtimes, Redis nodes against socket.io,
// the channel fill, the restart storm) prints its rows, and no result file
// is written. No figure is asserted (the machine is shared).
Deno.test("deno task bench --smoke runs every section once, small", async () => {
  const root = new URL("../../", import.meta.url);
  const results = ["fill.json", "storms.json"].map((name) =>
    new URL(`bench/results/${name}`, root)
  );
  const before = await Promise.all(results.map((url) => Deno.readFile(url)));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/fanout.ts", "--smoke"],
    cwd: root,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const number = String.raw`[\d,.]+`;
  for (const runtime of ["deno", "bun"]) {
    // runtime, N, then lifeline, raw and their ratio: every cell measured.
    assert.match(
      text,
      new RegExp(`^ +${runtime} +3 +${number} +${number} +${number} `, "m"),
    );
    assert.match(text, new RegExp(`^ *${runtime} current +10 .* 0 lost`, "m"));
    assert.match(text, new RegExp(`^  ${runtime}: all 10 rejoined after`, "m"));
  }
  for (
    const setup of ["one node, Redis", "two nodes (Deno + Bun), Redis"]
  ) {
    assert.match(
      text,
      new RegExp(`^${setup.replace(/[()+]/g, "\\$&")} +\\d+ `, "m"),
    );
  }
  assert.match(text, /lifeline \/ socket\.io 4\.8 .*: one node [\d.]+/);
  const after = await Promise.all(results.map((url) => Deno.readFile(url)));
  assert.deepEqual(after, before);
});
