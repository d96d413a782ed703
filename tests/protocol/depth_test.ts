import assert from "node:assert/strict";
import { decodeClientFrame } from "../../src/protocol/mod.ts";
import {
  deeperThan,
  fewBrackets,
  peekRef,
  SCAN_FROM,
  textDeeperThan,
  topLevelRef,
} from "../../src/protocol/_depth.ts";

const nested = (levels: number, open = "[", close = "]") =>
  open.repeat(levels) + close.repeat(levels);

const pub = (data: string, ref = 7) =>
  `{"type":"pub","ref":${ref},"channel":"a","event":"e","data":${data}}`;

Deno.test("a frame nested 100,000 levels deep is a bad frame that keeps its ref", () => {
  const result = decodeClientFrame(pub(nested(100_000)));
  assert.deepEqual(result, {
    ok: false,
    error: { code: "bad_frame", message: "Frame nested too deep", ref: 7 },
  });
});

Deno.test("limits.depth counts the frame's own object as level 1, short and long frames alike", () => {
  const limits = { depth: 4 };
  const padding = "x".repeat(SCAN_FROM);
  for (const pad of ["", padding]) {
    const at = (levels: number) =>
      decodeClientFrame(
        `{"type":"pub","channel":"a","event":"e","pad":"${pad}","data":${
          nested(levels, '{"k":', "}").replace(/\{"k":\}/, "{}")
        }}`,
        limits,
      );
    assert.equal(at(3).ok, true, `3 levels in data, pad ${pad.length}`);
    const deep = at(4);
    assert.equal(!deep.ok && deep.error.message, "Frame nested too deep");
  }
});

Deno.test("the default depth is 32", () => {
  assert.equal(decodeClientFrame(pub(nested(31))).ok, true);
  assert.equal(decodeClientFrame(pub(nested(32))).ok, false);
});

Deno.test("brackets inside strings do not count", () => {
  const text = pub(JSON.stringify('[[[[[{{{{\\"[[[[' + "[".repeat(SCAN_FROM)));
  assert.equal(textDeeperThan(text, 2), false);
  assert.equal(decodeClientFrame(text, { depth: 2 }).ok, true);
});

Deno.test("a short frame with no more brackets than the depth is not walked, and is never too deep", () => {
  assert.equal(fewBrackets('{"a":[1,{"b":2}]}', 3), true);
  assert.equal(fewBrackets('{"a":[1,{"b":2}]}', 2), false);
  assert.equal(fewBrackets('{"a":"[[["}', 3), false); // in strings too: walked
  // A frame past the count is walked: shallow ones still pass, deep ones fail.
  const wide = pub(`[${"{},".repeat(40)}{}]`);
  assert.equal(fewBrackets(wide, 4), false);
  assert.equal(decodeClientFrame(wide, { depth: 4 }).ok, true);
  assert.equal(decodeClientFrame(pub(nested(3)), { depth: 4 }).ok, true);
  assert.equal(decodeClientFrame(pub(nested(4)), { depth: 4 }).ok, false);
});

Deno.test("the walk and the scan agree", () => {
  for (
    const value of [
      1,
      "s",
      null,
      [],
      {},
      [[1]],
      { a: { b: [] } },
      { a: "]]]", b: ['"[', { c: [[]] }] },
    ]
  ) {
    const text = JSON.stringify(value);
    for (let max = 0; max < 5; max++) {
      assert.equal(textDeeperThan(text, max), deeperThan(value, max), text);
    }
  }
});

Deno.test("topLevelRef reads only the top-level ref", () => {
  assert.equal(topLevelRef('{"a":{"ref":1},"ref" : 5}'), 5);
  assert.equal(topLevelRef('{"a":{"ref":1}}'), undefined);
  assert.equal(topLevelRef('{"event":"ref","x":1}'), undefined);
  assert.equal(topLevelRef('{"ref":"5"}'), undefined);
  assert.equal(topLevelRef('{"x":"\\"ref\\"","ref":2}'), 2);
});

Deno.test("a deep frame with a bad ref has no ref", () => {
  const result = decodeClientFrame(pub(nested(100_000), -1));
  assert.deepEqual(result, {
    ok: false,
    error: { code: "bad_frame", message: "Frame nested too deep" },
  });
});

Deno.test("peekRef finds a ref only when it is whole within the first characters", () => {
  assert.equal(
    peekRef('{"type":"pub","ref":12,"data":"' + "x".repeat(1e5)),
    12,
  );
  assert.equal(peekRef('{"type":"pub","data":{"ref":3},"ref":4}'), 4);
  assert.equal(
    peekRef(`{"type":"pub","data":"${"x".repeat(80)}","ref":1}`),
    undefined,
  );
  assert.equal(peekRef('{"ref":1.5}'), undefined);
  assert.equal(peekRef('{"ref":-1}'), undefined);
  assert.equal(peekRef("{not json"), undefined);
});
