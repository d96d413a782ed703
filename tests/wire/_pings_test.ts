import assert from "node:assert/strict";
import { Pings } from "../../src/wire/_pings.ts";

Deno.test("a pong resolves its ping and every ping before it, not after", async () => {
  const pings = new Pings();
  const settled: string[] = [];
  const track = (name: string, p: Promise<void>) =>
    p.then(() => settled.push(`${name} ok`), () => settled.push(`${name} no`));
  const a = track("a", pings.wait(new Uint8Array([1])));
  const b = track("b", pings.wait(new Uint8Array([2])));
  const c = track("c", pings.wait(new Uint8Array([3])));
  pings.pong(new Uint8Array([9])); // unknown: ignored
  pings.pong(new Uint8Array([2]));
  await Promise.all([a, b]);
  assert.deepEqual(settled, ["a ok", "b ok"]);
  pings.rejectAll(new Error("closed"));
  await c;
  assert.deepEqual(settled, ["a ok", "b ok", "c no"]);
});
