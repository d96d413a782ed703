import assert from "node:assert/strict";
import { setup } from "./_setup.ts";
import { WaitError } from "../../src/core/wait_error.ts";
import { attemptFailed, invalidUrl } from "../../src/socket/_failure.ts";
import { defaultShouldReconnect } from "../../src/socket/close_info.ts";
import { ConnectionError } from "../../src/socket/connection_error.ts";
import type { ConnectionState } from "../../src/socket/reconnecting_websocket.ts";

function errorOf(state: ConnectionState | undefined): ConnectionError {
  assert.ok(
    state?.type === "reconnecting" || state?.type === "disconnected",
    `no error in ${JSON.stringify(state)}`,
  );
  assert.ok(state.error instanceof ConnectionError);
  return state.error;
}

Deno.test("the runtimes' error messages become coded connection errors", () => {
  const cases: [string, string, number | undefined][] = [
    // Deno 2
    [
      "NetworkError: failed to connect to WebSocket: Invalid status code: 401",
      "handshake_failed",
      401,
    ],
    [
      "NetworkError: failed to connect to WebSocket: tcp connect error",
      "connection_refused",
      undefined,
    ],
    [
      "NetworkError: failed to connect to WebSocket: dns error",
      "dns_failed",
      undefined,
    ],
    // Bun 1
    [
      "WebSocket connection to 'ws://h/ws' failed: Expected 101 status code: 404",
      "handshake_failed",
      404,
    ],
    [
      "WebSocket connection to 'ws://h/ws' failed: Failed to connect",
      "connection_refused",
      undefined,
    ],
    // Node's ws
    ["Unexpected server response: 403", "handshake_failed", 403],
    // Browsers say nothing.
    ["", "connect_failed", undefined],
  ];
  for (const [message, code, status] of cases) {
    const error = attemptFailed(message, undefined);
    assert.equal(error.code, code, message);
    assert.equal(error.status, status, message);
  }
});

Deno.test("a URL a WebSocket cannot take is an invalid_url error", () => {
  assert.equal(invalidUrl("ws://relay.test/ws"), undefined);
  assert.equal(invalidUrl("https://relay.test/ws"), undefined);
  assert.equal(invalidUrl("relay.test:8787")?.code, "invalid_url");
  assert.equal(invalidUrl("ws//relay.test")?.code, "invalid_url");
  assert.equal(invalidUrl("ftp://relay.test/")?.code, "invalid_url");
});

Deno.test("every failed attempt is a reconnecting state carrying its error", () => {
  const { clock, fakes, socket, states } = setup();
  fakes.last.fail("tcp connect error");
  assert.equal(errorOf(states.at(-1)).code, "connection_refused");
  clock.tick(250);
  fakes.last.fail("dns error");
  assert.equal(errorOf(states.at(-1)).code, "dns_failed");
  clock.tick(500);
  fakes.last.fail("Invalid status code: 503");
  const error = errorOf(states.at(-1));
  assert.equal(error.code, "handshake_failed");
  assert.equal(error.status, 503);
  assert.deepEqual(
    states.map((s) => s.type === "reconnecting" ? s.attempt : s.type),
    ["connecting", 1, 2, 3],
  );
  socket.close();
});

for (const status of [401, 403, 404]) {
  Deno.test(`a handshake refused with ${status} stops the client, disconnected with the reason`, () => {
    const { clock, fakes, states } = setup();
    fakes.last.fail(`Expected 101 status code: ${status}`);
    const last = states.at(-1);
    assert.equal(last?.type, "disconnected");
    const error = errorOf(last);
    assert.equal(error.code, "handshake_failed");
    assert.equal(error.status, status);
    clock.tick(60_000);
    assert.equal(fakes.sockets.length, 1);
    assert.equal(clock.countTimers(), 0);
  });
}

Deno.test("an invalid URL stops the client at once, and no WebSocket is made", () => {
  const { fakes, states } = setup({}, "relay.test:8787/ws");
  assert.equal(fakes.sockets.length, 0);
  // It failed inside the constructor: a listener hears where it ended.
  assert.deepEqual(states.map((s) => s.type), ["disconnected"]);
  assert.equal(errorOf(states.at(-1)).code, "invalid_url");
});

Deno.test("shouldReconnect overrides the fatal default", () => {
  const { clock, fakes, socket, states } = setup({
    shouldReconnect: () => true,
  });
  fakes.last.fail("Invalid status code: 401");
  assert.equal(states.at(-1)?.type, "reconnecting");
  clock.tick(250);
  assert.equal(fakes.sockets.length, 2);
  socket.close();
});

Deno.test("the default policy retries refusals, timeouts and other statuses", () => {
  const failed = (error: ConnectionError) =>
    defaultShouldReconnect({ code: 1006, reason: "", wasClean: false, error });
  assert.equal(failed(attemptFailed("tcp connect error", undefined)), true);
  assert.equal(failed(new ConnectionError("connect_timeout", "slow")), true);
  assert.equal(failed(attemptFailed("Invalid status code: 502", 0)), true);
  assert.equal(failed(attemptFailed("Invalid status code: 404", 0)), false);
  assert.equal(failed(new ConnectionError("invalid_url", "no")), false);
});

Deno.test("a ready() timeout while reconnecting has the latest attempt's error as its cause", async () => {
  const { clock, fakes, socket } = setup();
  const ready = socket.ready({ timeout: 1000 });
  fakes.last.fail("tcp connect error");
  clock.tick(1000);
  await assert.rejects(ready, (error) => {
    assert.ok(error instanceof WaitError);
    assert.equal(error.code, "timeout");
    assert.ok(error.cause instanceof ConnectionError);
    assert.equal(error.cause.code, "connection_refused");
    return true;
  });
  socket.close();
});

Deno.test("ready() rejects with the fatal error as the cause of disconnected", async () => {
  const { fakes, socket } = setup();
  const ready = socket.ready({ timeout: 1000 });
  fakes.last.fail("Invalid status code: 401");
  await assert.rejects(ready, (error) => {
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.code, "disconnected");
    assert.equal((error.cause as ConnectionError).status, 401);
    return true;
  });
});

Deno.test("a protocols provider is called before every attempt", async () => {
  let n = 0;
  const { clock, fakes, socket } = setup({
    protocols: () => Promise.resolve(["lifeline", `token.t${++n}`]),
  });
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(fakes.last.init, ["lifeline", "token.t1"]);
  fakes.last.fail();
  clock.tick(250);
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(fakes.last.init, ["lifeline", "token.t2"]);
  socket.close();
});

Deno.test("a protocols provider that throws fails that attempt with url_failed", () => {
  const { states, socket } = setup({
    protocols: () => {
      throw new Error("no token");
    },
  });
  const error = errorOf(states.at(-1));
  assert.equal(error.code, "url_failed");
  assert.match(error.message, /no token/);
  socket.close();
});
