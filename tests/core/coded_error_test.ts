import assert from "node:assert/strict";
import { CodedError } from "../../src/core/coded_error.ts";
import { BufferFullError } from "../../src/core/ring_buffer.ts";
import { WaitError } from "../../src/core/wait_error.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";

Deno.test("CodedError carries its code, message and cause", () => {
  const cause = new Error("underneath");
  const error = new CodedError("some_code", "Something failed", { cause });
  assert.equal(error.name, "CodedError");
  assert.equal(error.code, "some_code");
  assert.equal(error.message, "Something failed");
  assert.equal(error.cause, cause);
  assert.ok(error instanceof Error);
  assert.match(String(error.stack), /Something failed/);
});

Deno.test("the library's coded errors share the base and keep their shape", () => {
  const cause = new Error("underneath");
  const cases: [CodedError, string, string][] = [
    [new WaitError("timeout", "Timed out", { cause }), "WaitError", "timeout"],
    [
      new ConnectionError("url_failed", "No URL", { cause }),
      "ConnectionError",
      "url_failed",
    ],
    [
      new BufferFullError("The buffer is full", { cause }),
      "BufferFullError",
      "buffer_full",
    ],
  ];
  for (const [error, name, code] of cases) {
    assert.ok(error instanceof CodedError, name);
    assert.ok(error instanceof Error, name);
    assert.equal(error.name, name);
    assert.equal(error.code, code);
    assert.equal(error.cause, cause);
    assert.equal(String(error).startsWith(`${name}: `), true);
  }
});

Deno.test("BufferFullError has a default message", () => {
  const error = new BufferFullError();
  assert.equal(error.message, "The buffer is full");
  assert.equal(error.code, "buffer_full");
});
