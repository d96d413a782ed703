import assert from "node:assert/strict";
import { setup } from "./_setup.ts";
import { createTestClock } from "../_fake_clock.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";
import type { ConstantBackoff } from "../../src/core/backoff.ts";
import {
  ReconnectingWebSocket,
  type WebSocketConstructor,
} from "../../src/socket/reconnecting_websocket.ts";
import { RingBuffer } from "../../src/core/ring_buffer.ts";
import { WaitError } from "../../src/core/wait_error.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";

/** Lets promise callbacks (async URL providers, close echoes) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function hasCode(code: string) {
  return (error: unknown) =>
    (error instanceof ConnectionError || error instanceof WaitError) &&
    error.code === code;
}

Deno.test("announces connecting, then connected when the socket opens", async () => {
  const { fakes, socket, types } = setup();
  assert.equal(fakes.sockets.length, 1);
  assert.equal(fakes.last.url, "ws://example.test/");
  assert.equal(socket.readyState, 0);
  fakes.last.open("chat");
  assert.deepEqual(types(), ["connecting", "connected"]);
  assert.equal(socket.readyState, 1);
  assert.equal(socket.protocol, "chat");
  await socket.close();
});

Deno.test("reports protocol and extensions as empty strings when the socket says null, as workerd's does", async () => {
  const { fakes, socket } = setup();
  fakes.last.open(null, null);
  assert.equal(socket.protocol, "");
  assert.equal(socket.extensions, "");
  await socket.close();
});

Deno.test("emits each state once, in order, through a drop, a reconnect and a close", async () => {
  const { clock, fakes, socket, states } = setup();
  fakes.last.open();
  fakes.last.serverClose(1001, "restart");
  clock.tick(250);
  fakes.last.open();
  await socket.close(1000, "bye");
  assert.deepEqual(states, [
    { type: "connecting" },
    { type: "connected" },
    { type: "reconnecting", attempt: 1, delay: 250 },
    { type: "reconnected" },
    { type: "disconnecting" },
    { type: "disconnected", code: 1000, reason: "bye" },
  ]);
  assert.equal(socket.closeCode, 1000);
  assert.equal(socket.closeReason, "bye");
  assert.equal(clock.countTimers(), 0);
});

Deno.test("retries when the connect timeout fires, abandoning the stalled socket", async () => {
  const { clock, fakes, socket, states } = setup({ timeout: 1000 });
  clock.tick(999);
  assert.equal(states.length, 1);
  clock.tick(1);
  const stalled = fakes.sockets[0];
  assert.deepEqual(stalled.closeCalls, [[undefined, undefined]]);
  const reconnecting = states.at(-1)!;
  assert.ok(reconnecting.type === "reconnecting");
  assert.equal(reconnecting.attempt, 1);
  assert.equal(reconnecting.delay, 250);
  assert.equal(reconnecting.error?.code, "connect_timeout");
  clock.tick(250);
  assert.equal(fakes.sockets.length, 2);
  await settle();
  fakes.last.open();
  assert.equal(socket.connection.value.type, "reconnected");
  await socket.close();
});

Deno.test("stops after maxRetries failed retries, and reconnect() starts over", async () => {
  const { clock, fakes, socket, types, states } = setup({ maxRetries: 2 });
  fakes.last.fail();
  clock.tick(250);
  fakes.last.fail();
  clock.tick(500);
  fakes.last.fail();
  assert.deepEqual(types(), [
    "connecting",
    "reconnecting",
    "reconnecting",
    "disconnected",
  ]);
  assert.deepEqual(
    states.filter((s) => s.type === "reconnecting").map((s) =>
      s.type === "reconnecting" && s.attempt
    ),
    [1, 2],
  );
  const last = states.at(-1)!;
  assert.ok(
    last.type === "disconnected" && hasCode("connection_refused")(last.error),
  );
  clock.tick(60_000);
  assert.equal(fakes.sockets.length, 3);
  assert.equal(clock.countTimers(), 0);

  socket.reconnect();
  assert.equal(fakes.sockets.length, 4);
  fakes.last.open();
  assert.deepEqual(types().slice(4), ["connecting", "connected"]);
  await socket.close();
});

Deno.test("a URL provider that throws fails the attempt without stopping the retries", async () => {
  let calls = 0;
  const { clock, fakes, socket, states } = setup({}, () => {
    calls++;
    if (calls === 1) throw new Error("no token yet");
    return new URL("ws://example.test/?token=1");
  });
  assert.equal(fakes.sockets.length, 0);
  const retry = states.at(-1)!;
  assert.equal(retry.type, "reconnecting");
  clock.tick(250);
  assert.equal(fakes.last.url, "ws://example.test/?token=1");
  assert.equal(socket.url, "ws://example.test/?token=1");
  fakes.last.open();
  assert.equal(socket.connection.value.type, "reconnected");
  await socket.close();
});

Deno.test("a URL provider that rejects fails the attempt without stopping the retries", async () => {
  let calls = 0;
  const { clock, fakes, socket, types } = setup({}, () => {
    calls++;
    return calls < 3
      ? Promise.reject(new Error("token service down"))
      : Promise.resolve("ws://example.test/?token=3");
  });
  await settle();
  assert.deepEqual(types(), ["connecting", "reconnecting"]);
  clock.tick(250);
  await settle();
  assert.deepEqual(types(), ["connecting", "reconnecting", "reconnecting"]);
  clock.tick(500);
  await settle();
  assert.equal(fakes.sockets.length, 1);
  fakes.last.open();
  assert.equal(socket.connection.value.type, "reconnected");
  await socket.close();
});

Deno.test("a URL provider that resolves after the connect timeout is ignored", async () => {
  let resolveUrl!: (url: string) => void;
  const { clock, fakes, socket, types } = setup(
    { timeout: 100, maxRetries: 0 },
    () => new Promise<string>((resolve) => resolveUrl = resolve),
  );
  clock.tick(100);
  assert.deepEqual(types(), ["connecting", "disconnected"]);
  resolveUrl("ws://late.test/");
  await settle();
  assert.equal(fakes.sockets.length, 0);
  await socket.close();
});

Deno.test("close() while connecting abandons the socket and resolves at once", async () => {
  const { clock, fakes, socket, types } = setup();
  const connecting = fakes.last;
  await socket.close();
  assert.deepEqual(types(), ["connecting", "disconnecting", "disconnected"]);
  assert.equal(connecting.closeCalls.length, 1);
  await settle(); // the abandoned socket's late events reach nobody
  assert.equal(socket.connection.value.type, "disconnected");
  assert.equal(clock.countTimers(), 0);
});

Deno.test("close() during a backoff wait cancels the retry", async () => {
  const { clock, fakes, socket, types } = setup();
  fakes.last.fail();
  assert.equal(socket.connection.value.type, "reconnecting");
  await socket.close();
  assert.deepEqual(types(), [
    "connecting",
    "reconnecting",
    "disconnecting",
    "disconnected",
  ]);
  assert.equal(clock.countTimers(), 0);
  clock.tick(60_000);
  assert.equal(fakes.sockets.length, 1);
});

Deno.test("close() waits for the closing handshake, and gives up after the timeout", async () => {
  const { clock, fakes, socket, types } = setup({ timeout: 500 });
  const ws = fakes.last;
  ws.open();
  ws.close = (code, reason) => void ws.closeCalls.push([code, reason]);
  let closed = false;
  const closing = socket.close(4000, "done");
  void closing.then(() => closed = true);
  assert.equal(socket.close(), closing);
  await settle();
  assert.equal(closed, false);
  assert.equal(socket.readyState, 2);
  assert.deepEqual(ws.closeCalls, [[4000, "done"]]);
  clock.tick(500);
  await closing;
  assert.deepEqual(types().slice(-2), ["disconnecting", "disconnected"]);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("flushes the buffer in order before announcing reconnected", async () => {
  const { clock, fakes, socket } = setup();
  fakes.last.open();
  fakes.last.serverClose(1006);
  assert.equal(socket.send("a"), "queued");
  assert.equal(socket.send("b"), "queued");
  assert.equal(socket.send("c"), "queued");
  clock.tick(250);
  const ws = fakes.last;
  let sentWhenAnnounced: unknown[] = [];
  socket.connection.subscribe((state) => {
    if (state.type === "reconnected") sentWhenAnnounced = [...ws.sent];
  });
  ws.open();
  assert.deepEqual(sentWhenAnnounced, ["a", "b", "c"]);
  assert.equal(socket.send("d"), "sent");
  assert.deepEqual(ws.sent, ["a", "b", "c", "d"]);
  await socket.close();
});

Deno.test("sends made during the flush keep their order", async () => {
  const { fakes, socket } = setup();
  socket.send("a");
  socket.send("b");
  const ws = fakes.last;
  const send = ws.send.bind(ws);
  ws.send = (data) => {
    send(data);
    if (data === "a") assert.equal(socket.send("c"), "queued");
  };
  socket.connection.subscribe((state) => {
    if (state.type === "connected") assert.equal(socket.send("d"), "sent");
  });
  ws.open();
  assert.deepEqual(ws.sent, ["a", "b", "c", "d"]);
  await socket.close();
});

Deno.test("a send that throws mid-flush leaves that message at the head of the buffer", async () => {
  const buffer = new RingBuffer();
  const { clock, fakes, socket, states } = setup({ buffer });
  socket.send("a");
  socket.send("b");
  socket.send("c");
  const ws = fakes.last;
  const send = ws.send.bind(ws);
  ws.send = (data) => {
    if (data === "b") throw new Error("socket broke");
    send(data);
  };
  ws.open();
  assert.deepEqual(ws.sent, ["a"]);
  assert.deepEqual([...buffer], ["b", "c"]);
  const retry = states.at(-1)!;
  assert.equal(retry.type, "reconnecting");
  clock.tick(250);
  fakes.last.open();
  assert.deepEqual(fakes.last.sent, ["b", "c"]);
  await socket.close();
});

Deno.test("the backoff resets only after a connection stays up minUptime", async () => {
  const { clock, fakes, socket, states } = setup({ minUptime: 5000 });
  const delays = () =>
    states.flatMap((s) =>
      s.type === "reconnecting" ? [[s.attempt, s.delay]] : []
    );
  fakes.last.open();
  fakes.last.serverClose(1006);
  clock.tick(250);
  fakes.last.open();
  clock.tick(4999);
  fakes.last.serverClose(1006);
  clock.tick(500);
  fakes.last.open();
  clock.tick(5000);
  fakes.last.serverClose(1006);
  assert.deepEqual(delays(), [[1, 250], [2, 500], [1, 250]]);
  await socket.close();
});

Deno.test("jittered delays stay within [0, base) for the injected random", async () => {
  const randoms = [0, 0.999999, 0.5];
  const { clock, fakes, socket, states } = setup({
    random: () => randoms.shift()!,
  });
  fakes.last.fail();
  clock.tick(0);
  fakes.last.fail();
  clock.tick(1000);
  fakes.last.fail();
  const delays = states.flatMap((s) =>
    s.type === "reconnecting" ? [s.delay] : []
  );
  assert.equal(delays[0], 0);
  assert.ok(delays[1] >= 0 && delays[1] < 1000, `${delays[1]}`);
  assert.equal(delays[2], 1000);
  await socket.close();
});

Deno.test("a backoff delay beyond the timer range is capped, not fired at once", async () => {
  const { clock, fakes, socket, states } = setup({
    backoff: { next: () => 1e12, reset() {} },
  });
  fakes.last.open();
  fakes.last.serverClose(1001, "restart");
  assert.deepEqual(states.at(-1), {
    type: "reconnecting",
    attempt: 1,
    delay: 2_147_483_647,
  });
  clock.tick(1000);
  assert.equal(fakes.sockets.length, 1);
  await socket.close();
});

Deno.test("does not reconnect after the server closes with 1008", async () => {
  const { clock, fakes, socket, states } = setup();
  fakes.last.open();
  fakes.last.serverClose(1008, "banned");
  assert.deepEqual(states.at(-1), {
    type: "disconnected",
    code: 1008,
    reason: "banned",
  });
  clock.tick(60_000);
  assert.equal(fakes.sockets.length, 1);
  assert.equal(socket.send("x"), "dropped");
  await socket.close();
});

Deno.test("reconnects after a close with code 0, as Deno reports a refused connection", async () => {
  const { clock, fakes, socket } = setup();
  fakes.last.serverClose(0, "", false);
  assert.equal(socket.connection.value.type, "reconnecting");
  clock.tick(250);
  assert.equal(fakes.sockets.length, 2);
  await socket.close();
});

Deno.test("never reconnects after close()", async () => {
  const { clock, fakes, socket } = setup({
    shouldReconnect: () => true,
  });
  fakes.last.open();
  await socket.close();
  clock.tick(60_000);
  assert.equal(fakes.sockets.length, 1);
  assert.equal(socket.connection.value.type, "disconnected");
});

Deno.test("a custom policy sees how the connection ended", async () => {
  const seen: unknown[] = [];
  const { fakes, socket } = setup({
    shouldReconnect: (info) => {
      seen.push([info.code, info.reason, info.wasClean, info.error?.code]);
      return false;
    },
  });
  fakes.last.open();
  fakes.last.serverClose(4001, "nope", true);
  assert.deepEqual(seen, [[4001, "nope", true, undefined]]);
  socket.reconnect();
  fakes.last.fail("boom");
  assert.deepEqual(seen[1], [1006, "", false, "connect_failed"]);
  await socket.close();
});

Deno.test("a dead keepalive drops the connection and reconnects", async () => {
  const { clock, fakes, socket, states } = setup({
    keepalive: { interval: 100, timeout: 100 },
  });
  const ws = fakes.last;
  ws.open();
  clock.tick(100);
  assert.deepEqual(ws.sent, ["ping"]);
  clock.tick(99);
  assert.equal(socket.connection.value.type, "connected");
  clock.tick(1);
  const retry = states.at(-1)!;
  assert.equal(retry.type, "reconnecting");
  assert.equal(ws.closeCalls.length, 1);
  clock.tick(250);
  fakes.last.open();
  assert.equal(socket.connection.value.type, "reconnected");
  await socket.close();
});

Deno.test("any message keeps the keepalive happy, and pongs are swallowed", async () => {
  const { clock, fakes, socket } = setup({
    keepalive: { interval: 100, timeout: 100 },
  });
  const received: unknown[] = [];
  socket.messages.subscribe((data) => received.push(data));
  const ws = fakes.last;
  ws.open();
  clock.tick(100);
  ws.receive("pong");
  clock.tick(150);
  ws.receive("news");
  clock.tick(150);
  ws.receive("pong");
  assert.deepEqual(received, ["news"]);
  assert.equal(socket.connection.value.type, "connected");
  await socket.close();
});

Deno.test("ready() resolves at the next connected state, and at once when connected", async () => {
  const { fakes, socket } = setup();
  let ready = false;
  const waiting = socket.ready().then(() => ready = true);
  await settle();
  assert.equal(ready, false);
  fakes.last.open();
  await waiting;
  await socket.ready();
  await socket.close();
});

Deno.test("ready() rejects when the client stops, on timeout and on abort", async () => {
  const { clock, fakes, socket } = setup({ maxRetries: 0 });
  const timedOut = socket.ready({ timeout: 50 });
  clock.tick(50);
  await assert.rejects(timedOut, hasCode("timeout"));
  const controller = new AbortController();
  const aborted = socket.ready({ signal: controller.signal });
  controller.abort();
  await assert.rejects(aborted, hasCode("aborted"));
  const stopped = socket.ready();
  fakes.last.fail();
  await assert.rejects(stopped, hasCode("disconnected"));
  await assert.rejects(socket.ready(), hasCode("disconnected"));
  assert.equal(clock.countTimers(), 0);
  await socket.close();
});

Deno.test("aborting the signal closes the client", async () => {
  const controller = new AbortController();
  const { clock, fakes, socket, types } = setup({
    signal: controller.signal,
  });
  fakes.last.open();
  controller.abort();
  await socket.connection.until((s) => s.type === "disconnected");
  assert.deepEqual(types(), [
    "connecting",
    "connected",
    "disconnecting",
    "disconnected",
  ]);
  assert.deepEqual(fakes.last.closeCalls, [[1000, ""]]);
  assert.equal(clock.countTimers(), 0);
  socket.reconnect();
  assert.equal(fakes.sockets.length, 1);
});

Deno.test("an already aborted signal means the client never connects", async () => {
  const { fakes, socket } = setup({ signal: AbortSignal.abort() });
  assert.equal(fakes.sockets.length, 0);
  assert.equal(socket.connection.value.type, "disconnected");
  await socket.close();
});

Deno.test("messages can be iterated, and the iteration ends when the client stops", async () => {
  const { fakes, socket } = setup();
  const received: unknown[] = [];
  const loop = (async () => {
    for await (const data of socket.messages) received.push(data);
  })();
  fakes.last.open();
  fakes.last.receive("one");
  fakes.last.receive("two");
  await socket.close();
  await loop;
  assert.deepEqual(received, ["one", "two"]);
});

Deno.test("connection states can be iterated until disconnected", async () => {
  const { fakes, socket } = setup();
  const seen: string[] = [];
  const loop = (async () => {
    for await (const state of socket.connection) seen.push(state.type);
  })();
  fakes.last.open();
  await socket.close();
  await loop;
  assert.deepEqual(seen, [
    "connecting",
    "connected",
    "disconnecting",
    "disconnected",
  ]);
});

Deno.test("binaryType is kept across reconnects", async () => {
  const { clock, fakes, socket } = setup({ binaryType: "blob" });
  assert.equal(fakes.last.binaryType, "blob");
  socket.binaryType = "arraybuffer";
  assert.equal(fakes.last.binaryType, "arraybuffer");
  fakes.last.open();
  fakes.last.serverClose(1006);
  clock.tick(250);
  assert.equal(fakes.last.binaryType, "arraybuffer");
  assert.throws(
    () => socket.binaryType = "nodebuffer" as "blob",
    TypeError,
  );
  await socket.close();
});

Deno.test("headers and protocols are passed to the WebSocket constructor", async () => {
  const { fakes, socket } = setup({
    protocols: ["v1"],
    headers: { authorization: "Bearer t" },
  });
  assert.deepEqual(fakes.last.init, {
    protocols: ["v1"],
    headers: { authorization: "Bearer t" },
  });
  await socket.close();
  const plain = setup({ protocols: "v2" });
  assert.equal(plain.fakes.last.init, "v2");
  await plain.socket.close();
});

Deno.test("send() drops messages after close(), without a buffer, or when the buffer refuses", async () => {
  const closed = setup();
  await closed.socket.close();
  assert.equal(closed.socket.send("x"), "dropped");

  const unbuffered = setup({ buffer: false });
  assert.equal(unbuffered.socket.send("x"), "dropped");
  await unbuffered.socket.close();

  const full = setup({
    buffer: new RingBuffer({ capacity: 1, overflow: "drop-newest" }),
  });
  assert.equal(full.socket.send("x"), "queued");
  assert.equal(full.socket.send("y"), "dropped");
  assert.equal(full.socket.bufferedAmount, 1);
  await full.socket.close();
});

Deno.test("messages buffered before close() are delivered by a later reconnect()", async () => {
  const { fakes, socket } = setup();
  socket.send("kept");
  await socket.close();
  socket.reconnect();
  fakes.last.open();
  assert.deepEqual(fakes.last.sent, ["kept"]);
  await socket.close();
});

Deno.test("reconnect() while connected replaces the connection", async () => {
  const { fakes, socket, types } = setup();
  const first = fakes.last;
  first.open();
  socket.reconnect();
  assert.equal(first.closeCalls.length, 1);
  assert.equal(fakes.sockets.length, 2);
  fakes.last.open();
  assert.deepEqual(types(), [
    "connecting",
    "connected",
    "connecting",
    "connected",
  ]);
  await socket.close();
});

Deno.test("await using closes the client", async () => {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  let socket: ReconnectingWebSocket;
  {
    await using scoped = new ReconnectingWebSocket("ws://example.test/", {
      WebSocket: fakes.WebSocket,
      clock,
    });
    socket = scoped;
    fakes.last.open();
  }
  assert.equal(socket.connection.value.type, "disconnected");
  assert.equal(clock.countTimers(), 0);
});

Deno.test("invalid options throw at construction, naming the option", () => {
  assert.throws(
    () => new ReconnectingWebSocket("ws://x/", { timeout: 0 }),
    /'timeout'/,
  );
  assert.throws(
    () => new ReconnectingWebSocket("ws://x/", { maxRetries: -1 }),
    /'maxRetries'/,
  );
  assert.throws(
    () => new ReconnectingWebSocket(42 as unknown as string),
    TypeError,
  );
  assert.throws(
    () => new ReconnectingWebSocket("ws://x/", { minUptime: -1 }),
    { name: "RangeError", message: /'minUptime' must be non-negative/ },
  );
  assert.throws(
    () =>
      new ReconnectingWebSocket("ws://x/", {
        shouldReconnect: true as unknown as () => boolean,
      }),
    { name: "TypeError", message: /'shouldReconnect' must be a function/ },
  );
  assert.throws(
    () =>
      new ReconnectingWebSocket("ws://x/", {
        backoff: { next: () => 0 } as unknown as ConstantBackoff,
      }),
    {
      name: "TypeError",
      message: /'backoff' must have 'next' and 'reset' functions/,
    },
  );
  assert.throws(
    () =>
      new ReconnectingWebSocket("ws://x/", {
        WebSocket: "ws" as unknown as WebSocketConstructor,
      }),
    { name: "TypeError", message: /'WebSocket' must be a constructor/ },
  );
});

Deno.test("a listener may call close() or reconnect() and every state still arrives once, in order", async () => {
  const { fakes, socket, types } = setup();
  let reconnected = false;
  socket.connection.subscribe((state) => {
    if (state.type === "connected" && !reconnected) void socket.close();
    if (state.type === "disconnected" && !reconnected) {
      reconnected = true;
      socket.reconnect();
    }
  });
  fakes.last.open();
  await Promise.resolve();
  assert.equal(socket.connection.value.type, "connecting");
  fakes.last.open();
  await socket.close();
  assert.deepEqual(types(), [
    "connecting",
    "connected",
    "disconnecting",
    "disconnected",
    "connecting",
    "connected",
    "disconnecting",
    "disconnected",
  ]);
});

Deno.test("a send that throws on an open socket keeps the message and reconnects", async () => {
  const { clock, fakes, socket } = setup();
  fakes.last.open();
  fakes.last.sendError = new Error("broken pipe");
  assert.equal(socket.send("precious"), "queued");
  assert.equal(socket.connection.value.type, "reconnecting");
  clock.tick(250);
  fakes.last.open();
  assert.deepEqual(fakes.last.sent, ["precious"]);
  await socket.close();
});

Deno.test("close() rejects codes a client may not send", async () => {
  const { socket } = setup();
  assert.throws(() => socket.close(1006), RangeError);
  assert.throws(() => socket.close(1000, "x".repeat(124)), RangeError);
  await socket.close();
});
