import assert from "node:assert/strict";
import { randomSessionId } from "../../src/relay/_ids.ts";
import { harness } from "./_harness.ts";

Deno.test("session ids are 16 base64url characters, all distinct, every character in use", () => {
  const ids = Array.from({ length: 10_000 }, randomSessionId);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{16}$/);
  assert.equal(new Set(ids).size, ids.length);
  // 160,000 characters drawn: each of the 64 would be missing by chance
  // with odds of about e^-2500.
  assert.equal(new Set(ids.join("")).size, 64);
});

Deno.test("the relay's default session id is the short one; its resume token stays a UUID", () => {
  using h = harness();
  const client = h.connect({ hello: false });
  client.send({ type: "hello", v: 1 });
  const welcome = client.take().find((f) => f.type === "welcome");
  assert.ok(welcome?.type === "welcome");
  assert.match(welcome.session, /^[A-Za-z0-9_-]{16}$/);
  assert.match(welcome.resume ?? "", /^[0-9a-f-]{36}$/);
});
