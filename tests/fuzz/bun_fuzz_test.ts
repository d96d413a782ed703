import assert from "node:assert/strict";
import { ensureNodeModules, findBun, ROOT } from "../../tools/servers.ts";
import type { FuzzFigures } from "./_run.ts";

Deno.test("fuzz under Bun: 20,000 seeded frames break no rule", async () => {
  const bun = await findBun();
  await ensureNodeModules();
  const { code, stdout, stderr } = await new Deno.Command(bun, {
    args: ["tests/fuzz/_bun.ts", "20000", "7"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const figures: FuzzFigures = JSON.parse(decoder.decode(stdout));
  assert.equal(figures.frames, 20_000);
  assert.equal(figures.goodDelivered, figures.goodPublishes);
});
