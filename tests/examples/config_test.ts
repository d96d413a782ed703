import assert from "node:assert/strict";
import { readConfig } from "../../examples/relay/config.ts";
import { codeOf, harness } from "../relay/_harness.ts";

Deno.test("LIFELINE_BROADCAST=off refuses app-wide publishes and nothing else", () => {
  const { relay } = readConfig({
    LIFELINE_BROADCAST: "off",
    LIFELINE_LOG: "off",
  });
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

Deno.test("LIFELINE_MAX_DEPTH, LIFELINE_MAX_CONNECTIONS_PER_USER and LIFELINE_IDLE_TIMEOUT configure the relay", () => {
  const { relay } = readConfig({
    LIFELINE_MAX_DEPTH: "8",
    LIFELINE_MAX_CONNECTIONS_PER_USER: "3",
    LIFELINE_IDLE_TIMEOUT: "60000",
    LIFELINE_LOG: "off",
  });
  assert.equal(relay.limits?.depth, 8);
  assert.equal(relay.maxConnectionsPerUser, 3);
  assert.equal(relay.idleTimeout, 60_000);
  using h = harness(relay);
  const c = h.connect();
  // Nine levels: one too deep.
  c.send(
    '{"type":"pub","ref":1,"channel":null,"event":"e","data":[[[[[[[[1]]]]]]]]}',
  );
  assert.equal(codeOf(c.take()[0]), "bad_frame");
  assert.throws(() => readConfig({ LIFELINE_MAX_DEPTH: "deep" }), RangeError);
});

Deno.test("LIFELINE_JOIN_MEMBERS and LIFELINE_PRESENCE_BATCH set the big-channel options", () => {
  const { relay } = readConfig({
    LIFELINE_JOIN_MEMBERS: "20",
    LIFELINE_PRESENCE_BATCH: "0",
  });
  assert.equal(relay.joinMembers, 20);
  assert.equal(relay.presenceBatch, 0);
  const defaults = readConfig({}).relay;
  assert.equal(defaults.joinMembers, undefined);
  assert.equal(defaults.presenceBatch, undefined);
  assert.throws(
    () => readConfig({ LIFELINE_JOIN_MEMBERS: "many" }),
    RangeError,
  );
});

Deno.test("LIFELINE_PRESENCE_OFF switches presence off in channels with those prefixes", () => {
  const { relay } = readConfig({ LIFELINE_PRESENCE_OFF: "town-, news:" });
  assert.equal(relay.presence?.("town-hall"), false);
  assert.equal(relay.presence?.("news:today"), false);
  assert.equal(relay.presence?.("room:42"), true);
  assert.equal(relay.presence?.("townhall"), true);
  assert.equal(readConfig({}).relay.presence, undefined);
  assert.equal(
    readConfig({ LIFELINE_PRESENCE_OFF: " , " }).relay.presence,
    undefined,
  );
});

Deno.test("LIFELINE_PRESENCE_GRACE sets the relay's presence grace", () => {
  assert.equal(
    readConfig({ LIFELINE_PRESENCE_GRACE: "2500" }).relay.presenceGrace,
    2500,
  );
  assert.equal(readConfig({}).relay.presenceGrace, undefined);
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

Deno.test("LIFELINE_LOG and LIFELINE_LOG_FORMAT choose the log; info and text by default", () => {
  assert.deepEqual(readConfig({}).log, { level: "info", format: "text" });
  assert.deepEqual(
    readConfig({ LIFELINE_LOG: "DEBUG", LIFELINE_LOG_FORMAT: "json" }).log,
    { level: "debug", format: "json" },
  );
  assert.equal(readConfig({ LIFELINE_LOG: "off" }).relay.logger, undefined);
  assert.equal(typeof readConfig({}).relay.logger, "function");
  assert.throws(
    () => readConfig({ LIFELINE_LOG: "verbose" }),
    new RangeError(
      'Cannot read LIFELINE_LOG as it must be "debug", "info", "warn", "error", "off": current value is "verbose"',
    ),
  );
  assert.throws(
    () => readConfig({ LIFELINE_LOG_FORMAT: "xml" }),
    new RangeError(
      'Cannot read LIFELINE_LOG_FORMAT as it must be "text", "json": current value is "xml"',
    ),
  );
});
