/**
 * What the relay tells an operator: frames in and out by type, deliveries,
 * resumes, errors by code, the publish latency, and one log entry per
 * notable event, none holding a token, a resume token or a message body.
 */
import assert from "node:assert/strict";
import {
  ackErrorFrame,
  ackFrame,
  byeFrame,
  diffFrame,
  encodeFrame,
  errorFrame,
  msgFrame,
  presenceFrame,
  userFrame,
  welcomeFrame,
} from "../../src/protocol/mod.ts";
import type { LogEntry, RelayOptions } from "../../src/relay/mod.ts";
import { harness, request, resumeOf, settle } from "./_harness.ts";

Deno.test("every relay frame is encoded with its type first, and the types' first letters differ", () => {
  const frames = [
    welcomeFrame("s1", {} as never, {} as never, 1, "r", undefined),
    ackFrame(1, { x: 1 }),
    ackErrorFrame(1, { code: "forbidden", message: "no" }),
    errorFrame({ code: "bad_frame", message: "bad" }),
    msgFrame("room", 1, "chat", { text: "hi" }, "s1"),
    userFrame("notice", 1),
    presenceFrame("room", "join", { id: "s1", data: null }, 1),
    diffFrame("room", []),
    byeFrame("shutdown", 10),
  ];
  const letters = new Map<string, string>();
  for (const frame of frames) {
    const text = encodeFrame(frame);
    assert.ok(text.startsWith(`{"type":"${frame.type}"`), text);
    const letter = frame.type[0];
    assert.ok(
      !letters.has(letter) || letters.get(letter) === frame.type,
      `${frame.type} and ${letters.get(letter)} share a first letter`,
    );
    letters.set(letter, frame.type);
  }
});

Deno.test("frames are counted by type in and out, fan-out included, and each delivery once", () => {
  using h = harness();
  const [a] = h.joined("room", 3);
  a.send({ type: "pub", ref: 1, channel: "room", event: "chat", data: 1 });
  a.send("ping");
  const stats = h.relay.stats();
  assert.equal(stats.framesIn.pub, 1);
  assert.equal(stats.framesIn.join, 3);
  assert.equal(stats.framesIn.ping, 1);
  assert.equal(stats.framesOut.msg, 3); // the sender hears its echo
  assert.equal(stats.framesOut.pong, 1);
  assert.equal(stats.deliveries, 3);
  assert.equal(stats.members, 3);
  assert.equal(stats.latency.count, 1);
  assert.equal(stats.latency.counts[0], 1); // no time passed: under 1 ms
});

Deno.test("errors sent to clients are counted by code", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "leave", ref: 1, channel: "nowhere" });
  a.send("{oops");
  assert.deepEqual(h.relay.stats().errors, { not_joined: 1, bad_frame: 1 });
});

function logged(options: RelayOptions = {}) {
  const entries: LogEntry[] = [];
  const h = harness({ ...options, logger: (entry) => entries.push(entry) });
  const events = () => entries.map(({ time: _, ...rest }) => rest);
  return { h, entries, events };
}

Deno.test("refused upgrades are logged with their reason; a bad token as auth_failed", async () => {
  const { h, events } = logged({
    origins: ["https://app.test"],
    authenticate: (_request, token) => token === "good-token" ? {} : null,
  });
  using _ = h;
  await h.relay.accept(request("", { origin: "https://evil.test" }));
  await h.relay.accept(request("?token=bad-token-123"));
  assert.deepEqual(events(), [
    {
      level: "warn",
      event: "upgrade_refused",
      status: 403,
      code: "forbidden",
      reason: "Origin not allowed",
    },
    { level: "warn", event: "auth_failed", at: "upgrade", status: 401 },
  ]);
  h.connect({ hello: { token: "bad-hello-token" } });
  await settle();
  assert.deepEqual(events().at(-1), {
    level: "warn",
    event: "auth_failed",
    at: "hello",
  });
  assert.ok(!JSON.stringify(events()).includes("token-"));
});

Deno.test("a rate limit is logged once a window, and the close it ends in", () => {
  const { h, events } = logged({
    limits: { rate: 1, burst: 1 },
    rateRefusalLimit: 3,
  });
  using _ = h;
  const a = h.connect();
  for (let i = 0; i < 4; i++) a.send({ type: "members", channel: "x" });
  const session = a.conn.id;
  assert.deepEqual(events(), [
    { level: "warn", event: "rate_limited", session },
    { level: "warn", event: "rate_limit_close", session, refusals: 3 },
  ]);
});

Deno.test("closes for bad frames, a frame too large and a slow consumer are logged", () => {
  const { h, events } = logged({
    badFrameLimit: 2,
    maxBufferedBytes: 10,
    slowConsumerTimeout: 1_000,
  });
  using _ = h;
  const bad = h.connect();
  bad.send("{secret body");
  bad.send("{secret body");
  const big = h.connect();
  big.send("x".repeat((1 << 20) + 1));
  assert.deepEqual(events(), [
    {
      level: "warn",
      event: "bad_frames_close",
      session: bad.conn.id,
      count: 2,
      code: "bad_frame",
    },
    { level: "warn", event: "too_large_close", session: big.conn.id },
  ]);
  assert.ok(!JSON.stringify(events()).includes("secret"));
});

Deno.test("a slow consumer's close is logged with its backlog", async () => {
  const { h, events } = logged({
    maxBufferedBytes: 10,
    slowConsumerTimeout: 1_000,
  });
  using _ = h;
  const [sender, slow] = h.joined("room", 2);
  slow.socket.bufferedAmount = 11;
  sender.send({ type: "pub", channel: "room", event: "e", data: "one" });
  h.clock.tick(1_000);
  sender.send({ type: "pub", channel: "room", event: "e", data: "two" });
  await settle();
  assert.deepEqual(events(), [{
    level: "warn",
    event: "slow_consumer_close",
    session: slow.conn.id,
    bufferedAmount: 11,
  }]);
  h.clock.tick(250);
});

Deno.test("a resume and a takeover are logged and counted, never with the resume token", () => {
  const { h, entries, events } = logged();
  using _ = h;
  const a = h.connect({ identity: { userId: "u1" } });
  const session = a.conn.id;
  const resume = resumeOf(a)!;
  a.conn.closed(1006);
  h.connect({ identity: { userId: "u1" }, hello: { session, resume } });
  h.connect({ identity: { userId: "u1" }, hello: { session, resume } });
  assert.deepEqual(events(), [
    { level: "info", event: "resume", session },
    { level: "info", event: "takeover", session },
  ]);
  const { resumes, takeovers } = h.relay.stats();
  assert.deepEqual({ resumes, takeovers }, { resumes: 1, takeovers: 1 });
  assert.ok(!JSON.stringify(entries).includes(resume));
});

Deno.test("shutdown is logged with the connections it closes", () => {
  const { h, events } = logged();
  h.connect();
  h.connect();
  h.relay.close();
  assert.deepEqual(events(), [
    { level: "info", event: "shutdown", connections: 2 },
  ]);
});
