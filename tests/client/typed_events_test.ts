/**
 * The type parameters are a compile-time promise, so the test is the
 * compiler: `_typed_events_fixture.ts` must type-check as it is, and again
 * without its `@ts-expect-error` marks it must fail with exactly one error on
 * each line that was marked, no more and no fewer.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const FIXTURE = new URL("tests/client/_typed_events_fixture.ts", ROOT);
const MARK = "// @ts-expect-error";

async function denoCheck(file: string): Promise<{ ok: boolean; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "check",
      "--quiet",
      `--config=${new URL("deno.json", ROOT).pathname}`,
      file,
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { ok: code === 0, out: decode(stdout) + decode(stderr) };
}

Deno.test("the typed-events fixture compiles, marks included", async () => {
  const { ok, out } = await denoCheck(FIXTURE.pathname);
  assert.ok(ok, out);
});

Deno.test("each line marked @ts-expect-error in the fixture is a compile error", async () => {
  const source = await Deno.readTextFile(FIXTURE);
  const lines = source.split("\n");
  // The line after each mark is the one that must fail (1-based numbers).
  const expected = lines.flatMap((line, i) =>
    line.trim().startsWith(MARK) ? [i + 2] : []
  );
  assert.ok(expected.length >= 10, `only ${expected.length} marks`);
  const stripped = lines.map((line) => line.trim().startsWith(MARK) ? "" : line)
    .join("\n");
  // Beside the fixture, so its imports resolve the same; removed after.
  const copy = new URL("tests/client/_typed_events_stripped.ts", ROOT);
  await Deno.writeTextFile(copy, stripped);
  try {
    const { ok, out } = await denoCheck(copy.pathname);
    assert.equal(ok, false, "the fixture without its marks compiled");
    // Each error's own location (related information is indented deeper).
    const failing = [
      ...out.matchAll(/^ {4}at \S*_typed_events_stripped\.ts:(\d+):\d+$/gm),
    ].map((m) => Number(m[1]));
    assert.deepEqual(
      [...new Set(failing)].sort((a, b) => a - b),
      expected,
      out,
    );
  } finally {
    await Deno.remove(copy);
  }
});
