import assert from "node:assert/strict";
import { codeOf, harness } from "./_harness.ts";

Deno.test("frames past the token bucket are refused with rate_limited", () => {
  using h = harness({ limits: { rate: 2, burst: 3 } });
  const a = h.connect(); // hello took no token
  a.send({ type: "join", ref: 1, channel: "a", echo: false });
  a.send({ type: "join", ref: 2, channel: "b", echo: false });
  a.send({ type: "join", ref: 3, channel: "c", echo: false });
  a.send({ type: "join", ref: 4, channel: "d", echo: false });
  assert.deepEqual(a.take().map(codeOf), [false, false, false, "rate_limited"]);
  h.clock.tick(500); // one token back at 2/s
  a.send({ type: "join", ref: 5, channel: "d", echo: false });
  assert.deepEqual(a.take().map(codeOf), [false]);
  assert.equal(h.relay.stats().rateLimited, 1);
});

Deno.test("ping and the session's hello are not rate limited when the bucket is empty", () => {
  using h = harness({ limits: { rate: 1, burst: 1 } });
  const a = h.connect({ hello: false });
  a.send({ type: "join", ref: 1, channel: "a" }); // spends the only token
  a.send({ type: "join", ref: 2, channel: "a" });
  assert.deepEqual(a.take().map(codeOf), ["hello_required", "rate_limited"]);
  for (let i = 0; i < 5; i++) a.send("ping");
  assert.deepEqual(a.socket.sent.slice(-5), Array(5).fill("pong"));
  a.send({ type: "hello", ref: 3, v: 1 });
  assert.deepEqual(a.take().map((f) => f.type), ["welcome"]);
  // The bucket is still empty: a hello after the handshake counts again.
  a.send({ type: "hello", ref: 4, v: 1 });
  a.send({ type: "join", ref: 5, channel: "a" });
  assert.deepEqual(a.take().map(codeOf), ["rate_limited", "rate_limited"]);
  assert.equal(h.relay.stats().rateLimited, 3);
  h.clock.tick(1_000);
  a.send({ type: "join", ref: 6, channel: "a", echo: false });
  assert.deepEqual(a.take().map(codeOf), [false]);
});

Deno.test("rate 0 turns the rate limit off", () => {
  using h = harness({ limits: { rate: 0, burst: 1 } });
  const a = h.connect();
  a.send({ type: "join", channel: "a" });
  for (let i = 0; i < 500; i++) {
    a.send({ type: "pub", channel: "a", event: "e", echo: false });
  }
  assert.equal(h.relay.stats().rateLimited, 0);
});

Deno.test("joining past the channel limit is refused with too_many_channels", () => {
  using h = harness({ limits: { channels: 2 } });
  const a = h.connect();
  for (const channel of ["a", "b", "c"]) {
    a.send({ type: "join", ref: 1, channel, echo: false });
  }
  assert.deepEqual(a.take().map(codeOf), [false, false, "too_many_channels"]);
  a.send({ type: "leave", channel: "a", echo: false });
  a.send({ type: "join", ref: 2, channel: "c", echo: false });
  assert.deepEqual(a.take().map(codeOf), [false]);
});

Deno.test("oversize profiles are refused with profile_too_large", () => {
  using h = harness({ limits: { profileBytes: 10 } });
  const a = h.connect({ hello: false });
  a.send({ type: "hello", ref: 1, v: 1, profile: "x".repeat(20) });
  assert.deepEqual(a.take().map(codeOf), ["profile_too_large"]);
  a.send({ type: "hello", ref: 2, v: 1, profile: "ok" });
  assert.equal(a.take()[0].type, "welcome");
  a.send({ type: "update", ref: 3, profile: "x".repeat(20) });
  assert.deepEqual(a.take().map(codeOf), ["profile_too_large"]);
  assert.equal(h.relay.stats().badFrames, 2);
});

Deno.test("oversize hellos count as bad frames and close the connection", () => {
  // 260,000 oversized hellos in 5 s were all answered, and nothing closed.
  using h = harness({ limits: { profileBytes: 10 } });
  const a = h.connect({ hello: false });
  const big = JSON.stringify({ type: "hello", v: 1, profile: "x".repeat(20) });
  for (let i = 0; i < 1_000; i++) a.send(big);
  assert.equal(a.take().length, 10); // the bad-frame limit, then nothing
  assert.equal(h.relay.stats().badFrames, 10);
  h.clock.tick(250);
  assert.deepEqual(a.socket.closes.map((c) => c.code), [1008]);
});

Deno.test("an oversize update takes a token", () => {
  using h = harness({ limits: { profileBytes: 10, rate: 1, burst: 2 } });
  const a = h.connect();
  const big = { type: "update", profile: "x".repeat(20) } as const;
  a.send({ ...big, ref: 1 });
  a.send({ ...big, ref: 2 });
  a.send({ type: "join", ref: 3, channel: "a" });
  assert.deepEqual(a.take().map(codeOf), [
    "profile_too_large",
    "profile_too_large",
    "rate_limited",
  ]);
});

Deno.test("frames over the rate are refused before decoding; without a ref, one answer per run", () => {
  using h = harness({ limits: { rate: 1, burst: 1 }, rateRefusalLimit: 0 });
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "a", echo: false });
  a.take();
  // Not even JSON: refused for rate, not decoded (so not a bad frame).
  for (let i = 0; i < 100; i++) a.send("{not json");
  assert.deepEqual(a.take(), [{
    type: "error",
    error: {
      code: "rate_limited",
      message:
        "More than 1 messages per second (burst 1): send less often, or raise the relay's limits.rate",
    },
  }]);
  const stats = h.relay.stats();
  assert.deepEqual([stats.rateLimited, stats.badFrames], [100, 0]);
  h.clock.tick(1_000);
  a.send({ type: "pub", ref: 2, channel: "a", event: "e", echo: false }); // served: the run ends
  a.send("{not json");
  a.send("{not json");
  assert.deepEqual(a.take().map(codeOf), [false, "rate_limited"]);
});

Deno.test("every refused frame with a ref in its first characters gets its ack", () => {
  using h = harness({ limits: { rate: 1, burst: 1 }, rateRefusalLimit: 0 });
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "a", echo: false });
  a.take();
  const data = "x".repeat(100_000);
  for (let ref = 2; ref < 5; ref++) {
    a.send({ type: "pub", ref, channel: "a", event: "e", data });
  }
  a.send(`{"type":"pub","data":"${"x".repeat(100)}","ref":9}`); // too far in
  const frames = a.take();
  assert.deepEqual(
    frames.map((f) => f.type === "ack" && !f.ok && [f.ref, f.error.code]),
    [[2, "rate_limited"], [3, "rate_limited"], [4, "rate_limited"], false],
  );
  assert.equal(codeOf(frames[3]), "rate_limited"); // an error frame: no ref
});

Deno.test("a persistent rate violator is told to come back later: bye with a hint, then 1013", () => {
  using h = harness({
    limits: { rate: 10, burst: 10 },
    rateRefusalLimit: 50,
    badFrameWindow: 1_000,
  });
  const a = h.connect();
  for (let i = 0; i < 59; i++) a.send({ type: "members", channel: "a" });
  assert.equal(a.socket.closes.length, 0);
  a.send({ type: "members", channel: "a" }); // the 50th refusal
  assert.deepEqual(a.take().at(-1), {
    type: "bye",
    reason: "rate_limited",
    reconnect: true,
    retryAfter: 1_000, // badFrameWindow
  });
  h.clock.tick(250);
  assert.deepEqual(a.socket.closes.map((c) => c.code), [1013]);
});

Deno.test("refusals spread wider than the window do not close", () => {
  using h = harness({
    limits: { rate: 10, burst: 1 },
    rateRefusalLimit: 5,
    badFrameWindow: 1_000,
  });
  const a = h.connect();
  for (let i = 0; i < 20; i++) {
    a.send({ type: "members", channel: "a" });
    a.send({ type: "members", channel: "a" }); // refused
    h.clock.tick(300);
  }
  assert.equal(h.relay.stats().rateLimited, 20);
  assert.equal(a.socket.closes.length, 0);
});

Deno.test("bad channel names and events are answered with ack errors", () => {
  using h = harness();
  const a = h.connect();
  a.send({ type: "join", ref: 1, channel: "no spaces" });
  a.send('{"type":"pub","ref":2,"channel":"a","event":""}');
  assert.deepEqual(a.take().map(codeOf), ["bad_channel", "bad_event"]);
});

Deno.test("publishes named like presence events are refused with bad_event", () => {
  using h = harness();
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room", echo: false });
  b.send({ type: "join", channel: "room", echo: false });
  a.take();
  b.take();
  let ref = 0;
  for (const event of ["channel:join", "channel:leave", "channel:update"]) {
    a.send({ type: "pub", ref: ++ref, channel: "room", event });
    a.send({ type: "pub", ref: ++ref, channel: null, event });
  }
  assert.deepEqual(a.take().map(codeOf), Array(6).fill("bad_event"));
  assert.deepEqual(b.take(), []);
  assert.throws(() => h.relay.publish("room", "channel:join"), TypeError);
});

Deno.test("undecodable frames get error frames; binary frames are bad frames", () => {
  using h = harness();
  const a = h.connect();
  a.send("not json");
  a.send('{"type":"dance","ref":4}');
  a.conn.message(new Uint8Array([1, 2, 3]));
  a.conn.message(new ArrayBuffer(2));
  const frames = a.take();
  assert.deepEqual(frames.map((f) => f.type), [
    "error",
    "ack",
    "error",
    "error",
  ]);
  assert.deepEqual(frames.map(codeOf), Array(4).fill("bad_frame"));
  assert.equal(h.relay.stats().badFrames, 4);
});

Deno.test("repeated bad frames close with 1008 after the linger, serving nothing meanwhile", () => {
  using h = harness();
  const [bad, good] = h.joined("room");
  for (let i = 0; i < 10; i++) bad.send("garbage");
  assert.equal(bad.take().length, 10);
  // It left its channels at once.
  assert.deepEqual(good.take().map((f) => f.type === "presence" && f.action), [
    "leave",
  ]);
  assert.deepEqual(h.relay.members("room").map((m) => m.id), [good.conn.id]);
  // While lingering it is not served and receives nothing.
  bad.send("ping");
  bad.send({ type: "join", ref: 1, channel: "room" });
  good.send({ type: "pub", channel: "room", event: "e" });
  h.relay.publish(null, "all");
  assert.equal(h.relay.sendToUser("nobody", "e"), 0);
  assert.deepEqual(bad.take(), []);
  assert.equal(bad.socket.sent.includes("pong"), false);
  h.clock.tick(249);
  assert.equal(bad.socket.closes.length, 0);
  h.clock.tick(1);
  assert.deepEqual(bad.socket.closes, [{
    code: 1008,
    reason: "too many bad frames",
  }]);
  // Everyone else is still served.
  good.send({ type: "pub", ref: 9, channel: "room", event: "e" });
  assert.equal(good.take().at(-1)?.type, "ack");
  assert.equal(h.relay.stats().connections, 1);
});

Deno.test("bad frames spread wider than the window do not close", () => {
  using h = harness({ badFrameLimit: 3, badFrameWindow: 1000 });
  const a = h.connect();
  for (let i = 0; i < 6; i++) {
    a.send("garbage");
    h.clock.tick(600);
  }
  h.clock.tick(1000);
  assert.equal(a.socket.closes.length, 0);
  a.send("garbage");
  a.send("garbage");
  a.send("garbage");
  h.clock.tick(250);
  assert.equal(a.socket.closes[0].code, 1008);
});

Deno.test("an oversize frame gets too_large and closes with 1009 after the linger", () => {
  using h = harness({ limits: { frameBytes: 100 } });
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "pub", channel: null, event: "e", data: "x".repeat(200) });
  assert.deepEqual(a.take().map(codeOf), ["too_large"]);
  assert.deepEqual(b.take(), []);
  h.clock.tick(250);
  assert.deepEqual(a.socket.closes, [{
    code: 1009,
    reason: "frame too large",
  }]);
  const c = h.connect();
  c.conn.message(new Uint8Array(101));
  h.clock.tick(250);
  assert.equal(c.socket.closes[0].code, 1009);
});

Deno.test("a pub nested 100,000 levels deep is a bad frame, acked, and takes no offset", () => {
  using h = harness();
  const [a, b] = h.joined("a");
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  a.send(`{"type":"pub","ref":1,"channel":"a","event":"e","data":${deep}}`);
  assert.deepEqual(a.take(), [{
    type: "ack",
    ref: 1,
    ok: false,
    error: { code: "bad_frame", message: "Frame nested too deep" },
  }]);
  assert.deepEqual(b.take(), []);
  assert.equal(h.relay.stats().badFrames, 1);
  a.send({ type: "pub", ref: 2, channel: "a", event: "e", echo: false });
  assert.deepEqual(a.take(), [{
    type: "ack",
    ref: 2,
    ok: true,
    data: { offset: 1 },
  }]);
});

Deno.test("a hello nested too deep is a bad frame, not an internal error", () => {
  const errors: unknown[] = [];
  using h = harness({ onError: (e) => errors.push(e) });
  const a = h.connect({ hello: false });
  const deep = '{"a":'.repeat(50) + "1" + "}".repeat(50);
  a.send(`{"type":"hello","ref":1,"v":1,"profile":${deep}}`);
  assert.deepEqual(a.take().map(codeOf), ["bad_frame"]);
  assert.deepEqual(errors, []);
  assert.equal(h.relay.stats().badFrames, 1);
});

Deno.test("by default 1,000 refusals within 10 s close the connection", () => {
  using h = harness({ limits: { rate: 1, burst: 1 } });
  const a = h.connect();
  for (let i = 0; i < 1_000; i++) a.send({ type: "members", channel: "a" });
  h.clock.tick(250);
  assert.equal(a.socket.closes.length, 0); // 999 refusals
  a.send({ type: "members", channel: "a" });
  h.clock.tick(250);
  assert.deepEqual(a.socket.closes.map((c) => c.code), [1013]);
});
