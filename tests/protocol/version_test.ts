import assert from "node:assert/strict";
import { tokenProtocols } from "../../src/protocol/mod.ts";

Deno.test("tokenProtocols offers the subprotocol and the token entry", () => {
  assert.deepEqual(tokenProtocols("a.b-c_d"), ["lifeline", "token.a.b-c_d"]);
});
