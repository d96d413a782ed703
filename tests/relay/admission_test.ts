import assert from "node:assert/strict";
import { codeOf, harness, request, settle } from "./_harness.ts";

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
