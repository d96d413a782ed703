import assert from "node:assert/strict";
import { msgText, pubAckText } from "../../src/protocol/_frame_text.ts";
import { ackFrame, encodeFrame, msgFrame } from "../../src/protocol/mod.ts";

Deno.test("msgText writes what encodeFrame(msgFrame(...)) writes", () => {
  const cases: Parameters<typeof msgFrame>[] = [
    ["lobby", 7, "chat", "hi", "s1"],
    ["lobby", 0, "chat", { n: 1, list: [1, "two", null] }, "s1"],
    [null, 3, "deploy", undefined, null],
    [null, undefined, "deploy", 'quote " and \\ and \u2028', null],
    ["a:b/c@d-e_f.g", undefined, 'ev"nt\n', null, 'se"nder'],
    ["x", 9, "e", () => 1, "s"],
    ["x", 9, "e", new Date(0), "s"],
    ["x", Number.MAX_SAFE_INTEGER, "e", false, "s"],
  ];
  for (const args of cases) {
    assert.equal(msgText(...args), encodeFrame(msgFrame(...args)));
  }
});

Deno.test("pubAckText writes what encodeFrame(ackFrame(...)) writes", () => {
  assert.equal(pubAckText(3, 8), encodeFrame(ackFrame(3, { offset: 8 })));
  assert.equal(pubAckText(0, 0), encodeFrame(ackFrame(0, { offset: 0 })));
  assert.equal(pubAckText(5, undefined), encodeFrame(ackFrame(5, {})));
});
