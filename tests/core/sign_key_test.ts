import assert from "node:assert/strict";
import { signKey } from "../../src/core/sign_key.ts";

Deno.test("signKey answers the example key of RFC 6455", async () => {
  assert.equal(
    await signKey("dGhlIHNhbXBsZSBub25jZQ=="),
    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  );
});

Deno.test("signKey answers another key", async () => {
  // Computed independently: printf '%s' 'x3JJHMbDL1EzLkh9GBhXDw==258EAFA5-E914-47DA-95CA-C5AB0DC85B11' | openssl sha1 -binary | base64
  assert.equal(
    await signKey("x3JJHMbDL1EzLkh9GBhXDw=="),
    "HSmrc0sMlYUkAGmm5OPpG2HaGWk=",
  );
});

Deno.test("signKey rejects a key that is not a string", async () => {
  await assert.rejects(() => signKey(42 as unknown as string), {
    name: "TypeError",
    message: "Cannot sign key as 'key' must be a string: current value is 42",
  });
});
