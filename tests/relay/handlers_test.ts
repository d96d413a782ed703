import assert from "node:assert/strict";
import { DEFAULT_HEARTBEAT, DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import { type Identity, MemoryStore } from "../../src/relay/mod.ts";
import { codeOf, harness, settle } from "./_harness.ts";

Deno.test("hello is answered with welcome carrying the ref, session, resume token, limits and heartbeat", () => {
  const store = new MemoryStore({ epochId: () => "e1" });
  using h = harness({ resumeToken: () => "secret", store });
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 7, v: 1 });
  assert.deepEqual(c.take(), [{
    type: "welcome",
    ref: 7,
    v: 1,
    session: c.conn.id,
    resume: "secret",
    limits: DEFAULT_LIMITS,
    heartbeat: DEFAULT_HEARTBEAT,
    app: { epoch: "e1", offset: 0 },
  }]);
});

Deno.test("frames before hello are answered with hello_required", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "join", ref: 1, channel: "a" });
  c.send({ type: "join", channel: "a" });
  assert.deepEqual(c.take(), [
    {
      type: "ack",
      ref: 1,
      ok: false,
      error: { code: "hello_required", message: "Send 'hello' first" },
    },
    {
      type: "error",
      error: { code: "hello_required", message: "Send 'hello' first" },
    },
  ]);
  assert.deepEqual(h.relay.members("a"), []);
});

Deno.test("ping is answered with pong before and after hello", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send("ping");
  c.send({ type: "hello", v: 1 });
  c.send("ping");
  assert.deepEqual(c.socket.sent.filter((t) => t === "pong").length, 2);
});

Deno.test("frames pipelined right after hello are served", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "hello", v: 1 });
  c.send({ type: "join", ref: 1, channel: "a" });
  const [welcome, ack] = c.take();
  assert.equal(welcome.type, "welcome");
  assert.equal(ack.type === "ack" && ack.ok, true);
});

Deno.test("a second hello is refused with bad_frame", () => {
  using h = harness();
  const c = h.connect();
  c.send({ type: "hello", ref: 2, v: 1 });
  assert.deepEqual(c.take(), [{
    type: "ack",
    ref: 2,
    ok: false,
    error: { code: "bad_frame", message: "Already welcomed" },
  }]);
});

Deno.test("an unsupported version gets an error, bye and close 1002 after the linger", () => {
  using h = harness();
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 1, v: 99 });
  const [ack, bye] = c.take();
  assert.equal(
    ack.type === "ack" && !ack.ok && ack.error.code,
    "unsupported_version",
  );
  assert.deepEqual(bye, {
    type: "bye",
    reason: "unsupported_version",
    reconnect: false,
  });
  assert.equal(c.socket.closes.length, 0);
  h.clock.tick(250);
  assert.equal(c.socket.closes[0].code, 1002);
});

Deno.test("authorize refuses joins and publishes with forbidden", () => {
  const asked: [string | undefined, string, string | null][] = [];
  using h = harness({
    authorize: (identity: Identity, action, channel) => {
      asked.push([identity.userId, action, channel]);
      return channel === "open";
    },
  });
  const c = h.connect({ identity: { userId: "u1" } });
  c.send({ type: "join", ref: 1, channel: "secret" });
  c.send({ type: "join", ref: 2, channel: "open", echo: false });
  c.send({ type: "pub", ref: 3, channel: "open", event: "e", echo: false });
  c.send({ type: "pub", ref: 4, channel: null, event: "e" });
  assert.deepEqual(c.take().map(codeOf), [
    "forbidden",
    false,
    false,
    "forbidden",
  ]);
  assert.deepEqual(asked, [
    ["u1", "join", "secret"],
    ["u1", "join", "open"],
    ["u1", "publish", "open"],
    ["u1", "publish", null],
  ]);
});

Deno.test("an async authorize keeps the connection's frames in order", async () => {
  const gates: (() => void)[] = [];
  using h = harness({
    authorize: () =>
      new Promise<boolean>((resolve) => gates.push(() => resolve(true))),
  });
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room", echo: false });
  c.send({ type: "pub", ref: 2, channel: "room", event: "e" });
  c.send({ type: "leave", ref: 3, channel: "room", echo: false });
  c.send("ping");
  assert.equal(c.socket.sent.at(-1), "pong");
  assert.deepEqual(c.take(), []);
  assert.equal(gates.length, 1);
  gates[0]();
  await settle();
  gates[1]();
  await settle();
  assert.deepEqual(
    c.take().map((f) => f.type === "ack" ? `ack ${f.ref}` : f.type),
    ["ack 1", "msg", "ack 2", "ack 3"],
  );
});

Deno.test("a throwing or rejecting authorize is answered with internal", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  using h = harness({
    authorize: () => {
      if (calls++ === 0) throw new Error("sync");
      return Promise.reject(new Error("async"));
    },
    onError: (error) => errors.push(error),
  });
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "a" });
  c.send({ type: "join", ref: 2, channel: "a" });
  await settle();
  assert.deepEqual(c.take().map(codeOf), ["internal", "internal"]);
  assert.equal(errors.length, 2);
});

Deno.test("a connection closed while authorize is pending is not joined", async () => {
  let allow: () => void = () => {};
  using h = harness({
    authorize: () =>
      new Promise<boolean>((resolve) => allow = () => resolve(true)),
  });
  const c = h.connect();
  c.send({ type: "join", ref: 1, channel: "room" });
  c.conn.closed();
  allow();
  await settle();
  assert.deepEqual(h.relay.members("room"), []);
  assert.deepEqual(c.take(), []);
});
