import assert from "node:assert/strict";
import {
  awaitClose,
  checkCloseArguments,
  Connector,
  type ConnectorSettings,
} from "../../src/socket/_connector.ts";
import type { CloseInfo } from "../../src/socket/close_info.ts";
import { createTestClock } from "../_fake_clock.ts";
import { FakeWebSocket, fakeWebSockets } from "../_fake_websocket.ts";

function setup(settings: Partial<ConnectorSettings> = {}) {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  const heard: string[] = [];
  const connector = new Connector({
    url: "ws://example.test/",
    protocols: undefined,
    headers: undefined,
    WebSocket: fakes.WebSocket,
    timeout: 1000,
    keepalive: undefined,
    clock,
    ...settings,
  }, {
    open: () => heard.push("open"),
    message: (data) => heard.push(`message ${data}`),
    close: (info) => heard.push(`close ${info.code}`),
    fail: (error) => heard.push(`fail ${error.code}`),
  });
  return { clock, fakes, heard, connector };
}

Deno.test("the connector reports the events of its current socket", () => {
  const { fakes, heard, connector } = setup();
  connector.connect("blob");
  assert.equal(fakes.last.binaryType, "blob");
  fakes.last.open();
  assert.equal(connector.opened, true);
  fakes.last.receive("hi");
  fakes.last.fail("reset");
  fakes.last.serverClose(1001);
  assert.deepEqual(heard, [
    "open",
    "message hi",
    "fail socket_error",
    "close 1001",
  ]);
});

Deno.test("an abandoned socket is closed and never heard from again", async () => {
  const { fakes, heard, connector } = setup();
  connector.connect("arraybuffer");
  const ws = fakes.last;
  connector.abandon();
  assert.equal(connector.socket, undefined);
  assert.deepEqual(ws.closeCalls, [[undefined, undefined]]);
  ws.open();
  await Promise.resolve();
  assert.deepEqual(heard, []);
});

Deno.test("a URL that resolves after the attempt was abandoned opens nothing", async () => {
  let resolve!: (url: string) => void;
  const { fakes, heard, connector } = setup({
    url: () => new Promise<string>((r) => resolve = r),
  });
  connector.connect("arraybuffer");
  connector.abandon();
  resolve("ws://late.test/");
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(fakes.sockets.length, 0);
  assert.equal(connector.url, "");
  assert.deepEqual(heard, []);
});

Deno.test("the connect timeout fails the attempt; opening clears it", () => {
  const { clock, fakes, heard, connector } = setup();
  connector.connect("arraybuffer");
  clock.tick(1000);
  assert.deepEqual(heard, ["fail connect_timeout"]);
  connector.abandon();
  connector.connect("arraybuffer");
  fakes.last.open();
  assert.equal(clock.countTimers(), 0);
});

Deno.test("release forgets the socket without closing it", () => {
  const { fakes, heard, connector } = setup();
  connector.connect("arraybuffer");
  fakes.last.open();
  connector.release();
  assert.equal(connector.socket, undefined);
  assert.deepEqual(fakes.last.closeCalls, []);
  fakes.last.receive("unheard");
  assert.deepEqual(heard, ["open"]);
});

Deno.test("the keepalive swallows pongs and fails a silent socket", () => {
  const { clock, fakes, heard, connector } = setup({
    keepalive: { interval: 100, timeout: 50 },
  });
  connector.connect("arraybuffer");
  fakes.last.open();
  connector.startKeepalive();
  clock.tick(100);
  assert.deepEqual(fakes.last.sent, ["ping"]);
  fakes.last.receive("pong");
  clock.tick(150);
  assert.deepEqual(heard, ["open", "fail keepalive_timeout"]);
});

Deno.test("awaitClose reports the close event once, then ignores the rest", () => {
  const clock = createTestClock();
  const ws = new FakeWebSocket("ws://example.test/");
  ws.open();
  const done: [CloseInfo, boolean][] = [];
  const finishNow = awaitClose(
    ws,
    { code: 1000, reason: "bye", timeout: 500, clock },
    (info, received) => done.push([info, received]),
  );
  ws.serverClose(1000, "bye", true);
  finishNow();
  clock.tick(500);
  assert.deepEqual(done, [[
    { code: 1000, reason: "bye", wasClean: true },
    true,
  ]]);
  assert.equal(clock.countTimers(), 0);
});

Deno.test("awaitClose gives up after the timeout, as an unclean close", () => {
  const clock = createTestClock();
  const ws = new FakeWebSocket("ws://example.test/");
  const done: [CloseInfo, boolean][] = [];
  awaitClose(
    ws,
    { code: 4000, reason: "", timeout: 500, clock },
    (info, received) => done.push([info, received]),
  );
  clock.tick(500);
  assert.deepEqual(done, [[
    { code: 4000, reason: "", wasClean: false },
    false,
  ]]);
});

Deno.test("checkCloseArguments allows 1000 and 3000-4999 with a short reason", () => {
  checkCloseArguments(1000, "");
  checkCloseArguments(4999, "x".repeat(123));
  assert.throws(() => checkCloseArguments(1001, ""), RangeError);
  assert.throws(() => checkCloseArguments(3000, "é".repeat(62)), RangeError);
});
