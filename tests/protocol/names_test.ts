import assert from "node:assert/strict";
import { isChannelName, isEventName } from "../../src/protocol/mod.ts";

Deno.test("isChannelName and isEventName follow the documented rules", () => {
  assert.equal(isChannelName("A-z_0.9:@/"), true);
  assert.equal(isChannelName("abc", 2), false);
  assert.equal(isChannelName(""), false);
  assert.equal(isChannelName(1), false);
  assert.equal(isEventName("any chars ✓"), true);
  assert.equal(isEventName("e".repeat(128)), true);
  assert.equal(isEventName("e".repeat(129)), false);
  assert.equal(isEventName("channel:join"), false);
  assert.equal(isEventName("channel:"), false);
  assert.equal(isEventName("channel"), true);
});
