import assert from "node:assert/strict";
import { Serial } from "../../src/wire/_serial.ts";

/** A `Serial` whose first step waits until `release` is called. */
function heldUp(): { serial: Serial; seen: string[]; release: () => void } {
  const serial = new Serial();
  let release!: () => void;
  serial.run(() => new Promise<void>((resolve) => release = resolve));
  return { serial, seen: [], release: () => release() };
}

Deno.test("run is synchronous while nothing waits, and idle again after", () => {
  const serial = new Serial();
  const seen: string[] = [];
  serial.run(() => {
    seen.push("a");
  });
  assert.deepEqual(seen, ["a"]);
  assert.equal(serial.tail, undefined);
});

Deno.test("steps behind an async one wait for it, in order, past a failure", async () => {
  const { serial, seen, release } = heldUp();
  serial.run(() => {
    seen.push("b");
    throw new Error("b failed");
  });
  serial.run(() => {
    seen.push("c");
  });
  assert.deepEqual(seen, []);
  release();
  await serial.tail;
  assert.deepEqual(seen, ["b", "c"]);
  assert.equal(serial.tail, undefined);
});

Deno.test("later never runs at once, settles as its step, and queues behind run", async () => {
  const { serial, seen, release } = heldUp();
  const first = serial.later(() => {
    seen.push("first");
    return Promise.resolve(1);
  });
  const failed = serial.later(() => Promise.reject(new Error("no")));
  assert.deepEqual(seen, []);
  release();
  assert.equal(await first, 1);
  await assert.rejects(failed, /no/);
  const idle = new Serial();
  let ran = false;
  const done = idle.later(() => Promise.resolve(ran = true));
  assert.equal(ran, false);
  await done;
  assert.equal(ran, true);
});
