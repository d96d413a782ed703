import assert from "node:assert/strict";
import { checkKeys } from "../../src/core/_options.ts";

const KNOWN = ["maxRetries", "backoff", "keepalive", "connectTimeout"];

Deno.test("checkKeys lets known keys and undefined through", () => {
  const options = { maxRetries: 3, backoff: undefined };
  assert.equal(checkKeys("Thing", options, KNOWN), options);
  assert.equal(checkKeys("Thing", undefined, KNOWN), undefined);
});

Deno.test("checkKeys suggests the nearest known key for a typo", () => {
  assert.throws(
    () => checkKeys("Thing", { maxRetry: 1 }, KNOWN),
    new TypeError(
      "Cannot create Thing as 'maxRetry' is not an option: did you mean 'maxRetries'?",
    ),
  );
});

Deno.test("checkKeys suggests by shared words for another library's name", () => {
  assert.throws(
    () => checkKeys("Thing", { retries: 1 }, KNOWN),
    /'retries' is not an option: did you mean 'maxRetries'\?/,
  );
  assert.throws(
    () => checkKeys("Thing", { connectionTimeout: 1 }, KNOWN),
    /did you mean 'connectTimeout'\?/,
  );
});

Deno.test("checkKeys names an unknown key with no near match", () => {
  assert.throws(
    () => checkKeys("Thing", { zzz: 1 }, KNOWN),
    new TypeError("Cannot create Thing as 'zzz' is not an option"),
  );
});

Deno.test("checkKeys refuses options that are not an object", () => {
  assert.throws(
    () => checkKeys("Thing", true, KNOWN),
    new TypeError(
      "Cannot create Thing as 'options' must be an object: current value is true",
    ),
  );
});

Deno.test("checkKeys names a nested option by its path", () => {
  assert.throws(
    () =>
      checkKeys("Thing", { intervl: 1 }, ["interval"], { name: "keepalive" }),
    new TypeError(
      "Cannot create Thing as 'keepalive.intervl' is not an option: did you mean 'keepalive.interval'?",
    ),
  );
  assert.throws(
    () => checkKeys("Thing", 5, ["interval"], { name: "keepalive" }),
    new TypeError(
      "Cannot create Thing as 'keepalive' must be an object: current value is 5",
    ),
  );
});

Deno.test("checkKeys hints another library's name through its aliases", () => {
  assert.throws(
    () =>
      checkKeys("Thing", { minReconnectionDelay: 1 }, KNOWN, {
        aliases: { minReconnectionDelay: "backoff" },
      }),
    new TypeError(
      "Cannot create Thing as 'minReconnectionDelay' is not an option: did you mean 'backoff'?",
    ),
  );
});
