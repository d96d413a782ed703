import assert from "node:assert/strict";
import { Inbox } from "../../src/wire/_inbox.ts";

Deno.test("untaken, the inbox stops holding messages at highWaterMark and ends after them", async () => {
  const inbox = new Inbox(2, () => {});
  inbox.push("a");
  inbox.push("b");
  inbox.push("c"); // nobody takes the stream: dropped from it
  assert.equal(inbox.full, false);
  const got = await Array.fromAsync(inbox.readable);
  assert.deepEqual(got, ["a", "b"]);
});

Deno.test("taken, the inbox is full at highWaterMark and has room once read", async () => {
  let cancelled = false;
  const inbox = new Inbox(2, () => cancelled = true);
  const reader = inbox.readable.getReader();
  inbox.push("a");
  inbox.push("b");
  assert.equal(inbox.full, true);
  const room = inbox.room();
  assert.deepEqual(await reader.read(), { value: "a", done: false });
  await room;
  assert.equal(inbox.full, false);
  await reader.cancel();
  assert.equal(cancelled, true);
});
