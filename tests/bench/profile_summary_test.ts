import assert from "node:assert/strict";
import { summarize } from "../../bench/profile_summary.ts";

const frame = (functionName: string, url = "", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

Deno.test("the profile summary ranks functions by their share of the samples", () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("parse") },
      { id: 3, callFrame: frame("remember", "file:///x/src/store.ts", 250) },
      { id: 4, callFrame: frame("", "file:///x/src/a.ts", 9) },
      // Another node of the same function (another caller): counted together.
      { id: 5, callFrame: frame("remember", "file:///x/src/store.ts", 250) },
    ],
    samples: [2, 3, 2, 5, 4, 2, 3, 1],
  };
  assert.deepEqual(summarize(profile), [
    { name: "parse", percent: 37.5 },
    { name: "remember store.ts:251", percent: 37.5 },
    { name: "(anonymous) a.ts:10", percent: 12.5 },
    { name: "(root)", percent: 12.5 },
  ]);
  assert.deepEqual(summarize(profile, 1), [{ name: "parse", percent: 37.5 }]);
});
