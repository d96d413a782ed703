import assert from "node:assert/strict";
import { ProtocolError } from "../../src/protocol/mod.ts";

Deno.test("ProtocolError carries code, message and ref", () => {
  const error = ProtocolError.from({
    code: "rate_limited",
    message: "slow down",
    ref: 4,
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ProtocolError");
  assert.equal(error.code, "rate_limited");
  assert.equal(error.message, "slow down");
  assert.equal(error.ref, 4);
  assert.equal(new ProtocolError("internal", "x").ref, undefined);
});
