import assert from "node:assert/strict";
import * as status from "../../src/core/status.ts";

const CODES: Record<string, number> = {
  normalClosure: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  reserved1004: 1004,
  noStatusReceived: 1005,
  abnormalClosure: 1006,
  invalidFramePayloadData: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  missingMandatoryExtension: 1010,
  internalServerError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badGateway: 1014,
  tlsHandshakeFailed: 1015,
};

Deno.test("status exports every close code from 1000 to 1015", () => {
  const exported = Object.fromEntries(
    Object.entries(status).filter(([, value]) => typeof value === "number"),
  );
  assert.deepEqual(exported, CODES);
});

Deno.test("closeCodeName names every code from 1000 to 1015", () => {
  for (const [name, code] of Object.entries(CODES)) {
    assert.equal(status.closeCodeName(code), name);
  }
});

Deno.test("closeCodeName returns undefined for other codes", () => {
  for (const code of [0, 999, 1016, 3000, 4999, 1000.5, NaN, -1000]) {
    assert.equal(status.closeCodeName(code), undefined);
  }
});

Deno.test("isApplicationCloseCode accepts 1000 and 3000 to 4999", () => {
  for (const code of [1000, 3000, 3001, 3999, 4000, 4500, 4999]) {
    assert.equal(status.isApplicationCloseCode(code), true, String(code));
  }
});

Deno.test("isApplicationCloseCode refuses the reserved and protocol codes", () => {
  for (const code of Object.values(CODES).filter((code) => code !== 1000)) {
    assert.equal(status.isApplicationCloseCode(code), false, String(code));
  }
});

Deno.test("isApplicationCloseCode refuses codes outside the ranges", () => {
  for (
    const code of [0, -1, 999, 1016, 2000, 2999, 5000, 65535, Infinity, NaN]
  ) {
    assert.equal(status.isApplicationCloseCode(code), false, String(code));
  }
});

Deno.test("isApplicationCloseCode refuses non-integers", () => {
  for (const code of [1000.5, 2999.5, 3000.5, 4998.9, 4999.1]) {
    assert.equal(status.isApplicationCloseCode(code), false, String(code));
  }
  assert.equal(
    status.isApplicationCloseCode("3000" as unknown as number),
    false,
  );
});
