import assert from "node:assert/strict";
import { readToken } from "../../src/relay/auth_token.ts";

const request = (query: string, protocol?: string): Request =>
  new Request(`http://relay.test/ws${query}`, {
    headers: protocol === undefined
      ? {}
      : { "sec-websocket-protocol": protocol },
  });

Deno.test("reads the token from the query", () => {
  assert.deepEqual(readToken(request("?token=a%20b")), { token: "a b" });
  assert.deepEqual(readToken(request("")), {});
});

Deno.test("reads the token from Sec-WebSocket-Protocol, which wins over the query", () => {
  assert.deepEqual(readToken(request("?token=q", "token.h, lifeline")), {
    token: "h",
    protocol: "lifeline",
  });
});

Deno.test("answers lifeline when offered without a token", () => {
  assert.deepEqual(readToken(request("?token=q", "lifeline")), {
    token: "q",
    protocol: "lifeline",
  });
  assert.deepEqual(readToken(request("", "other")), {});
});

Deno.test("a token entry without lifeline is an error", () => {
  assert.ok(readToken(request("", "token.x")).error);
});
