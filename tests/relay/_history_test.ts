import assert from "node:assert/strict";
import { History } from "../../src/relay/_history.ts";

Deno.test("the history ring keeps order when it grows after wrapping", () => {
  const history = new History(4);
  history.push("e", 1, null, 0);
  history.push("e", 2, null, 10);
  history.expire(0); // drops 1: the oldest now sits at index 1
  history.push("e", 3, null, 20); // wraps to index 0
  history.push("e", 4, null, 30); // grows: the ring is straightened first
  history.push("e", 5, null, 40);
  assert.equal(history.size, 4);
  assert.deepEqual(history.after(1, 5)?.map((m) => m.data), [2, 3, 4, 5]);
  history.push("e", 6, null, 50); // full: overwrites the oldest
  assert.equal(history.after(1, 6), undefined);
  assert.deepEqual(history.after(2, 6)?.map((m) => [m.offset, m.data]), [
    [3, 3],
    [4, 4],
    [5, 5],
    [6, 6],
  ]);
  assert.equal(history.newestTime, 50);
});
