import assert from "node:assert/strict";

// A smoke run of `deno task bench:wire` with `--smoke`: every size is
// measured through the wire client and the native one, the codec alone and
// with compression, each with its ratio. No figure is asserted.
Deno.test("deno task bench:wire --smoke measures every size once, small", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "bench/wire.ts", "--smoke"],
    cwd: new URL("../../", import.meta.url),
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  for (const size of ["32 B", "1 KiB", "64 KiB"]) {
    const label = size.padEnd(9);
    assert.match(text, new RegExp(`^${label} ratio [\\d.]+x$`, "m"));
    assert.match(text, new RegExp(`^${label} total [\\d.]+ +encode `, "m"));
    assert.match(
      text,
      new RegExp(`^${label} off +\\d+ +deflate +\\d+ +ratio [\\d.]+x$`, "m"),
    );
  }
});
