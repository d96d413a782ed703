import assert from "node:assert/strict";
import { readConfig } from "../../examples/relay/config.ts";
import { codeOf, harness } from "../relay/_harness.ts";

Deno.test("LIFELINE_BROADCAST=off refuses app-wide publishes and nothing else", () => {
  const { relay } = readConfig({ LIFELINE_BROADCAST: "off" });
  using h = harness(relay);
  const [a, b] = h.joined("room");
  a.send({ type: "pub", ref: 1, channel: null, event: "all" });
  a.send({ type: "pub", ref: 2, channel: "room", event: "e", echo: false });
  assert.deepEqual(a.take().map(codeOf), ["forbidden", false]);
  assert.deepEqual(b.take().map((f) => f.type === "msg" && f.channel), [
    "room",
  ]);
});

Deno.test("app-wide publishes are on unless LIFELINE_BROADCAST says off", () => {
  for (const value of [undefined, "on", " ON "]) {
    const { relay } = readConfig({ LIFELINE_BROADCAST: value });
    assert.equal(relay.authorize, undefined);
  }
  assert.throws(
    () => readConfig({ LIFELINE_BROADCAST: "no" }),
    RangeError,
  );
});

Deno.test("the backlog limits come from LIFELINE_BACKLOG_BYTES and LIFELINE_SLOW_TIMEOUT", () => {
  const { relay } = readConfig({
    LIFELINE_BACKLOG_BYTES: "65536",
    LIFELINE_SLOW_TIMEOUT: "1000",
  });
  assert.equal(relay.maxBufferedBytes, 65_536);
  assert.equal(relay.slowConsumerTimeout, 1_000);
  const defaults = readConfig({}).relay;
  assert.equal(defaults.maxBufferedBytes, undefined);
  assert.equal(defaults.slowConsumerTimeout, undefined);
});
