import assert from "node:assert/strict";
import {
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
} from "../../src/socket/reconnecting_websocket.ts";
import { RingBuffer } from "../../src/core/ring_buffer.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import { createTestClock } from "../_fake_clock.ts";

/** Constructs with options the type system would refuse. */
function create(options: Record<string, unknown>): ReconnectingWebSocket {
  return new ReconnectingWebSocket(
    "ws://example.test/",
    options as ReconnectingWebSocketOptions,
  );
}

function refuses(options: Record<string, unknown>, message: string): void {
  assert.throws(() => create(options), new TypeError(message));
}

Deno.test("an unknown option is a TypeError suggesting the nearest", () => {
  refuses(
    { retries: 3 },
    "Cannot create ReconnectingWebSocket as 'retries' is not an option: did you mean 'maxRetries'?",
  );
  refuses(
    { timout: 1000 },
    "Cannot create ReconnectingWebSocket as 'timout' is not an option: did you mean 'timeout'?",
  );
  refuses(
    { protocol: "v1" },
    "Cannot create ReconnectingWebSocket as 'protocol' is not an option: did you mean 'protocols'?",
  );
});

Deno.test("partysocket's option names point at the option that does the job", () => {
  refuses(
    { minReconnectionDelay: 1000 },
    "Cannot create ReconnectingWebSocket as 'minReconnectionDelay' is not an option: did you mean 'backoff'?",
  );
  refuses(
    { maxReconnectionDelay: 10_000 },
    "Cannot create ReconnectingWebSocket as 'maxReconnectionDelay' is not an option: did you mean 'backoff'?",
  );
  refuses(
    { connectionTimeout: 4000 },
    "Cannot create ReconnectingWebSocket as 'connectionTimeout' is not an option: did you mean 'timeout'?",
  );
  refuses(
    { maxEnqueuedMessages: 10 },
    "Cannot create ReconnectingWebSocket as 'maxEnqueuedMessages' is not an option: did you mean 'buffer'?",
  );
});

Deno.test("options that are not an object are a TypeError", () => {
  assert.throws(
    () =>
      new ReconnectingWebSocket(
        "ws://example.test/",
        42 as ReconnectingWebSocketOptions,
      ),
    new TypeError(
      "Cannot create ReconnectingWebSocket as 'options' must be an object: current value is 42",
    ),
  );
});

Deno.test("buffer: true is a TypeError naming buffer", () => {
  refuses(
    { buffer: true },
    "Cannot create ReconnectingWebSocket as 'buffer' must be false or a MessageBuffer such as a RingBuffer: current value is true",
  );
  refuses(
    { buffer: [] },
    "Cannot create ReconnectingWebSocket as 'buffer' must be false or a MessageBuffer such as a RingBuffer: current value is ",
  );
});

Deno.test("keepalive: true is a TypeError naming keepalive", () => {
  refuses(
    { keepalive: true },
    "Cannot create ReconnectingWebSocket as 'keepalive' must be false or an object of keepalive settings: current value is true",
  );
});

Deno.test("an unknown keepalive setting is named by its path", () => {
  refuses(
    { keepalive: { intervall: 1000 } },
    "Cannot create ReconnectingWebSocket as 'keepalive.intervall' is not an option: did you mean 'keepalive.interval'?",
  );
  refuses(
    { keepalive: { clock: createTestClock() } },
    "Cannot create ReconnectingWebSocket as 'keepalive.clock' is not an option",
  );
});

Deno.test("a wrong-typed keepalive setting is a TypeError naming it", () => {
  assert.throws(
    () => create({ keepalive: { interval: "25s" } }),
    { name: "TypeError", message: /'interval' must be a number/ },
  );
});

Deno.test("wrong-typed protocols, headers, clock, random and signal are TypeErrors naming them", () => {
  refuses(
    { protocols: 1 },
    "Cannot create ReconnectingWebSocket as 'protocols' must be a string, an array of strings or a function: current value is 1",
  );
  refuses(
    { protocols: ["v1", 2] },
    "Cannot create ReconnectingWebSocket as 'protocols' must be a string, an array of strings or a function: current value is v1,2",
  );
  refuses(
    { headers: "authorization: x" },
    "Cannot create ReconnectingWebSocket as 'headers' must be an object, an array of pairs or Headers: current value is authorization: x",
  );
  refuses(
    { clock: Date },
    "Cannot create ReconnectingWebSocket as 'clock' must have 'now', 'setTimeout' and 'clearTimeout' functions: current value is " +
      String(Date),
  );
  refuses(
    { random: 4 },
    "Cannot create ReconnectingWebSocket as 'random' must be a function: current value is 4",
  );
  refuses(
    { signal: true },
    "Cannot create ReconnectingWebSocket as 'signal' must be an AbortSignal: current value is true",
  );
});

Deno.test("a wrong-typed binaryType is a TypeError naming it", () => {
  assert.throws(
    () => create({ binaryType: "nodebuffer" }),
    { name: "TypeError", message: /'binaryType'/ },
  );
});

Deno.test("undefined options take their defaults", async () => {
  const fakes = fakeWebSockets();
  await using socket = new ReconnectingWebSocket("ws://example.test/", {
    WebSocket: fakes.WebSocket,
    buffer: undefined,
    keepalive: undefined,
    timeout: undefined,
    signal: undefined,
  });
  assert.equal(socket.send("kept"), "queued");
});

Deno.test("every documented option is accepted", async () => {
  const fakes = fakeWebSockets();
  const options: Required<ReconnectingWebSocketOptions> = {
    protocols: ["v1"],
    headers: { authorization: "Bearer abc" },
    timeout: 1000,
    backoff: { next: () => 0, reset: () => {} },
    maxRetries: 3,
    minUptime: 100,
    buffer: new RingBuffer(),
    keepalive: { interval: 1000, timeout: 500, ping: "p", isPong: () => false },
    binaryType: "blob",
    shouldReconnect: () => true,
    WebSocket: fakes.WebSocket,
    clock: createTestClock(),
    random: () => 0.5,
    signal: new AbortController().signal,
    logger: () => {},
    debug: false,
    networkEvents: new EventTarget(),
  };
  await using socket = new ReconnectingWebSocket("ws://example.test/", options);
  assert.equal(socket.binaryType, "blob");
  assert.equal(fakes.sockets.length, 1);
});
