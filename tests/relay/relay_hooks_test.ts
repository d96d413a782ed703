import assert from "node:assert/strict";
import type { RelayFrame } from "../../src/protocol/mod.ts";
import type { Fanout } from "../../src/relay/fanout.ts";
import type { Identity } from "../../src/relay/identity.ts";
import type { RelaySocket } from "../../src/relay/socket.ts";
import { harness, settle } from "./_harness.ts";

const codeOf = (f: RelayFrame): string | false =>
  (f.type === "ack" && !f.ok && f.error.code) ||
  (f.type === "error" && f.error.code);

const request = (
  query = "",
  headers: Record<string, string> = {},
): Request => new Request(`http://relay.test/ws${query}`, { headers });

// ---------------------------------------------------------------- accept

Deno.test("accept allows listed origins and requests without an Origin", async () => {
  using h = harness({ origins: ["https://app.test"] });
  const ok = await h.relay.accept(request("", { origin: "https://app.test" }));
  assert.deepEqual(ok, { ok: true, identity: {} });
  assert.equal((await h.relay.accept(request())).ok, true);
  assert.deepEqual(
    await h.relay.accept(request("", { origin: "https://evil.test" })),
    {
      ok: false,
      status: 403,
      code: "forbidden",
      message: "Origin not allowed",
    },
  );
});

Deno.test("accept takes an origin predicate; a throwing one refuses", async () => {
  const errors: unknown[] = [];
  using h = harness({
    origins: (origin) => {
      if (origin === "boom") throw new Error("boom");
      return origin.endsWith(".app.test");
    },
    onError: (error) => errors.push(error),
  });
  const check = async (origin: string) =>
    (await h.relay.accept(request("", { origin }))).ok;
  assert.equal(await check("https://a.app.test"), true);
  assert.equal(await check("https://app.evil"), false);
  assert.equal(await check("boom"), false);
  assert.equal(errors.length, 1);
});

Deno.test("accept authenticates the query token", async () => {
  const seen: (string | undefined)[] = [];
  using h = harness({
    authenticate: (_request, token) => {
      seen.push(token);
      return token === "good" ? { userId: "u1" } : null;
    },
  });
  assert.deepEqual(await h.relay.accept(request("?token=good")), {
    ok: true,
    identity: { userId: "u1" },
  });
  assert.deepEqual(await h.relay.accept(request("?token=bad")), {
    ok: false,
    status: 401,
    code: "unauthorized",
    message: "Authentication failed",
  });
  assert.equal((await h.relay.accept(request())).ok, false);
  assert.deepEqual(seen, ["good", "bad", undefined]);
});

Deno.test("accept authenticates a Sec-WebSocket-Protocol token and answers lifeline", async () => {
  using h = harness({
    authenticate: async (_request, token) =>
      await Promise.resolve(token === "abc.def" ? { userId: "u1" } : undefined),
  });
  const header = { "sec-websocket-protocol": "lifeline, token.abc.def" };
  assert.deepEqual(await h.relay.accept(request("", header)), {
    ok: true,
    identity: { userId: "u1" },
    protocol: "lifeline",
  });
  const noLifeline = await h.relay.accept(
    request("", { "sec-websocket-protocol": "token.abc.def" }),
  );
  assert.equal(!noLifeline.ok && noLifeline.status, 400);
});

Deno.test("accept answers a throwing authenticate with 401 and reports it", async () => {
  const errors: unknown[] = [];
  using h = harness({
    authenticate: () => {
      throw new Error("db down");
    },
    onError: (error) => errors.push(error),
  });
  const result = await h.relay.accept(request("?token=x"));
  assert.equal(!result.ok && result.status, 401);
  assert.equal((errors[0] as Error).message, "db down");
});

Deno.test("without authenticate everyone is anonymous", async () => {
  using h = harness();
  const header = { "sec-websocket-protocol": "lifeline" };
  assert.deepEqual(await h.relay.accept(request("?token=x", header)), {
    ok: true,
    identity: {},
    protocol: "lifeline",
  });
});

// ---------------------------------------------------------------- hello token

Deno.test("a token in hello is authenticated and sets the identity", async () => {
  using h = harness({
    authenticate: (_request, token) =>
      Promise.resolve(token === "t1" ? { userId: "u1" } : null),
  });
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 1, v: 1, token: "t1" });
  c.send({ type: "join", ref: 2, channel: "room" }); // pipelined behind the hook
  assert.deepEqual(c.take(), []);
  await settle();
  assert.deepEqual(c.take().map((f) => f.type), ["welcome", "ack", "presence"]);
  assert.equal(h.relay.sendToUser("u1", "hi"), 1);
});

Deno.test("a rejected hello token gets unauthorized, bye and close 4401", async () => {
  using h = harness({ authenticate: () => null });
  const c = h.connect({ hello: false });
  c.send({ type: "hello", ref: 1, v: 1, token: "nope" });
  c.send({ type: "join", ref: 2, channel: "room" });
  await settle();
  const frames = c.take();
  assert.deepEqual(frames.map(codeOf), ["unauthorized", false]);
  assert.deepEqual(frames[1], {
    type: "bye",
    reason: "unauthorized",
    reconnect: false,
  });
  h.clock.tick(250);
  assert.equal(c.socket.closes[0].code, 4401);
});

// ---------------------------------------------------------------- authorize

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

// ---------------------------------------------------------------- fanout

Deno.test("a Fanout hook delivers channel, presence and app-wide frames", () => {
  const calls: string[] = [];
  const topics = new Map<string, Set<RelaySocket>>();
  const fanout: Fanout = {
    subscribe(socket, topic) {
      calls.push(`sub ${topic}`);
      if (!topics.has(topic)) topics.set(topic, new Set());
      topics.get(topic)!.add(socket);
    },
    unsubscribe(socket, topic) {
      calls.push(`unsub ${topic}`);
      topics.get(topic)?.delete(socket);
    },
    publish(topic, frame, except) {
      calls.push(`pub ${topic}${except ? " except" : ""}`);
      for (const socket of topics.get(topic) ?? []) {
        if (socket !== except) socket.send(frame);
      }
    },
  };
  using h = harness({ fanout });
  const a = h.connect();
  const b = h.connect();
  a.send({ type: "join", channel: "room" });
  b.send({ type: "join", channel: "room", echo: false });
  a.take();
  b.take();
  a.send({ type: "pub", ref: 1, channel: "room", event: "e", echo: false });
  h.relay.publish(null, "all");
  assert.deepEqual(a.take().map((f) => f.type), ["ack", "msg"]);
  assert.deepEqual(b.take().map((f) => f.type), ["msg", "msg"]);
  b.conn.closed();
  assert.deepEqual(calls, [
    "sub #app",
    "sub #app",
    "sub room",
    "pub room",
    "sub room",
    "pub room except",
    "pub room except",
    "pub #app",
    "unsub #app",
    "unsub room",
    "pub room",
  ]);
  assert.equal(h.relay.stats().messagesOut > 0, true);
});
