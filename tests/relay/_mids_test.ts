import assert from "node:assert/strict";
import { RememberedMids } from "../../src/relay/_mids.ts";

/** Which of `mids` are remembered. */
function kept(memory: RememberedMids, mids: string[]): string[] {
  return mids.filter((mid) => memory.get(mid) !== undefined);
}

Deno.test("remembered mids keep the last `capacity`, the oldest forgotten first", () => {
  const memory = new RememberedMids(3);
  const all = ["a", "b", "c", "d", "e"];
  assert.equal(memory.add("a", { offset: 1 }), true);
  assert.equal(memory.add("b", { offset: 2 }), true);
  assert.equal(memory.add("c", { offset: 3 }), true);
  assert.equal(memory.add("d", { offset: 4 }), false); // a goes
  assert.deepEqual(kept(memory, all), ["b", "c", "d"]);
  assert.equal(memory.add("c", { offset: 9 }), false); // known: keeps its place
  assert.deepEqual(memory.get("c"), { offset: 9 });
  memory.add("e", {}); // b goes
  assert.deepEqual(kept(memory, all), ["c", "d", "e"]);
  assert.equal(memory.size, 3);
});

Deno.test("remembered mids forget the oldest on demand and grow back in order", () => {
  const memory = new RememberedMids(4);
  const all = ["a", "b", "c", "d", "e", "f", "g", "h"];
  for (const mid of ["a", "b", "c"]) memory.add(mid, {});
  memory.forgetOldest(); // a
  memory.forgetOldest(); // b
  assert.deepEqual(kept(memory, all), ["c"]);
  // The ring (3 slots, starting past b) fills, then grows to 4.
  for (const mid of ["d", "e", "f"]) assert.equal(memory.add(mid, {}), true);
  assert.deepEqual(kept(memory, all), ["c", "d", "e", "f"]);
  assert.equal(memory.add("g", {}), false); // full: c goes
  assert.equal(memory.add("h", {}), false); // d goes
  assert.deepEqual(kept(memory, all), ["e", "f", "g", "h"]);
  memory.forgetOldest(); // e
  assert.deepEqual(kept(memory, all), ["f", "g", "h"]);
  assert.equal(memory.size, 3);
});
