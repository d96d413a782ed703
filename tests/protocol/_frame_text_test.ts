import assert from "node:assert/strict";
import { pubAckText } from "../../src/protocol/_frame_text.ts";
import { ackFrame, encodeFrame } from "../../src/protocol/mod.ts";

Deno.test("pubAckText writes what encodeFrame(ackFrame(...)) writes", () => {
  assert.equal(pubAckText(3, 8), encodeFrame(ackFrame(3, { offset: 8 })));
  assert.equal(pubAckText(0, 0), encodeFrame(ackFrame(0, { offset: 0 })));
  assert.equal(pubAckText(5, undefined), encodeFrame(ackFrame(5, {})));
});
