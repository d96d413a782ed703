import assert from "node:assert/strict";
import {
  BYE_REASONS,
  ERROR_CODES,
  isErrorCode,
  RelayCloseCode,
} from "../../src/protocol/mod.ts";
import * as status from "../../src/core/status.ts";

Deno.test("the standard relay close codes are the status module's constants", () => {
  assert.equal(RelayCloseCode.protocolError, status.protocolError);
  assert.equal(RelayCloseCode.policyViolation, status.policyViolation);
  assert.equal(RelayCloseCode.messageTooBig, status.messageTooBig);
  assert.equal(RelayCloseCode.serviceRestart, status.serviceRestart);
  assert.equal(RelayCloseCode.tryAgainLater, status.tryAgainLater);
});

Deno.test("the relay's own close codes are application codes in 44xx", () => {
  for (
    const code of [
      RelayCloseCode.unauthorized,
      RelayCloseCode.heartbeatTimeout,
      RelayCloseCode.sessionReplaced,
    ]
  ) {
    assert.ok(status.isApplicationCloseCode(code) && code >= 4400, `${code}`);
  }
  assert.deepEqual(
    [
      RelayCloseCode.unauthorized,
      RelayCloseCode.heartbeatTimeout,
      RelayCloseCode.sessionReplaced,
    ],
    [4401, 4408, 4409],
  );
});

Deno.test("the close code table cannot be changed", () => {
  assert.ok(Object.isFrozen(RelayCloseCode));
  assert.ok(Object.isFrozen(ERROR_CODES));
  assert.ok(Object.isFrozen(BYE_REASONS));
});

Deno.test("isErrorCode knows exactly the listed codes", () => {
  for (const code of ERROR_CODES) assert.equal(isErrorCode(code), true);
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  for (const other of ["", "BAD_FRAME", "timeout", 1, null, undefined]) {
    assert.equal(isErrorCode(other), false);
  }
});

Deno.test("every bye reason closes with a relay close code", () => {
  const codes = new Set<number>(Object.values(RelayCloseCode));
  for (const [reason, entry] of Object.entries(BYE_REASONS)) {
    assert.ok(codes.has(entry.code), reason);
  }
  assert.equal(BYE_REASONS.shutdown.reconnect, true);
  assert.equal(BYE_REASONS.timeout.reconnect, true);
  assert.equal(BYE_REASONS.unauthorized.reconnect, false);
});
