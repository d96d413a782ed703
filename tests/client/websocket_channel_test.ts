import assert from "node:assert/strict";
import type {
  RealtimeMessage,
  ResyncEvent,
} from "../../src/client/realtime_events.ts";
import { Relay } from "../../src/relay/mod.ts";
import {
  WebSocketChannel,
  type WebSocketChannelOptions,
} from "../../src/client/websocket_channel.ts";
import { createTestClock } from "../_fake_clock.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import { next, rejects, URL_, World } from "./_world.ts";

Deno.test("WebSocketChannel validates its options at construction", () => {
  assert.throws(
    () => new WebSocketChannel(null as unknown as WebSocketChannelOptions),
    { name: "TypeError", message: /'options' must be an object/ },
  );
  assert.throws(
    () =>
      new WebSocketChannel({
        url: URL_,
        channelId: 7 as unknown as string,
      }),
    {
      name: "TypeError",
      message:
        "Cannot create WebSocketChannel as 'channelId' must be a string: current value is 7",
    },
  );
  assert.throws(
    () => new WebSocketChannel({ url: URL_, channelId: "c", pingInterval: -1 }),
    {
      name: "RangeError",
      message:
        "Cannot create WebSocketChannel as 'pingInterval' must be a positive finite number: current value is -1",
    },
  );
});

const options = (extra: Record<string, unknown>) => () =>
  new WebSocketChannel(
    { url: URL_, channelId: "c", ...extra } as WebSocketChannelOptions,
  );

Deno.test("WebSocketChannel's seed options throw on a bad value instead of clamping it", () => {
  const range = (name: string, value: unknown, must: string) =>
    assert.throws(options({ [name]: value }), {
      name: "RangeError",
      message:
        `Cannot create WebSocketChannel as '${name}' must be ${must}: current value is ${value}`,
    });
  range("reconnectDelay", -1, "a non-negative finite number");
  range("reconnectDelay", Infinity, "a non-negative finite number");
  range("maxReconnectAttempts", 1.5, "a non-negative integer or Infinity");
  range("maxReconnectAttempts", -1, "a non-negative integer or Infinity");
  // 0 used to be clamped to 1 ms.
  range("pingInterval", 0, "a positive finite number");
  range("connectTimeout", 0, "positive");
  assert.throws(options({ messageBuffer: { capacity: -1 } }), {
    name: "RangeError",
    message:
      "Cannot create WebSocketChannel as 'messageBuffer.capacity' must be non-negative: current value is -1",
  });
});

Deno.test("WebSocketChannel's options of the wrong type are TypeErrors naming them", () => {
  const type = (name: string, value: unknown, must: RegExp) =>
    assert.throws(options({ [name]: value }), {
      name: "TypeError",
      message: must,
    });
  type(
    "reconnectDelay",
    "2s",
    /'reconnectDelay' must be a number: current value is 2s/,
  );
  type("maxReconnectAttempts", null, /'maxReconnectAttempts' must be a number/);
  type("pingInterval", true, /'pingInterval' must be a number/);
  type("connectTimeout", "10000", /'connectTimeout' must be a number/);
  type("echo", "no", /'echo' must be a boolean: current value is no/);
  type("token", 42, /'token' must be a string or a function/);
  type("messageBuffer", true, /'messageBuffer' must be false or an object/);
  type("WebSocket", {}, /'WebSocket' must be a constructor/);
  type(
    "url",
    "not a url",
    /'url' must be a WebSocket URL: current value is not a url/,
  );
});

Deno.test("WebSocketChannel refuses an unknown option and suggests the nearest", () => {
  assert.throws(options({ reconnectInterval: 100 }), {
    name: "TypeError",
    message:
      "Cannot create WebSocketChannel as 'reconnectInterval' is not an option: did you mean 'reconnectDelay'?",
  });
  assert.throws(options({ messageBuffer: { capacty: 5 } }), {
    name: "TypeError",
    message:
      "Cannot create WebSocketChannel as 'capacty' is not an option: did you mean 'capacity'?",
  });
});

Deno.test("WebSocketChannel's seed options reach the socket as translated", async () => {
  const clock = createTestClock();
  const fakes = fakeWebSockets();
  await using channel = new WebSocketChannel({
    url: URL_,
    channelId: "lobby",
    reconnectDelay: 300,
    maxReconnectAttempts: 2,
    WebSocket: fakes.WebSocket,
    clock,
  });
  const join = channel.connect();
  join.catch(() => {});
  assert.equal(fakes.sockets.length, 1);
  fakes.last.serverClose();
  // reconnectDelay is a constant backoff: nothing at 299 ms, a retry at 300.
  clock.tick(299);
  assert.equal(fakes.sockets.length, 1);
  clock.tick(1);
  assert.equal(fakes.sockets.length, 2);
  fakes.last.serverClose();
  clock.tick(300);
  assert.equal(fakes.sockets.length, 3);
  // maxReconnectAttempts: 2 retries, then the join fails with closed.
  fakes.last.serverClose();
  clock.tick(300);
  assert.equal(fakes.sockets.length, 3);
  await rejects(join, "closed");
});

Deno.test("WebSocketChannel owns its connection", async () => {
  await using world = new World();
  const bob = await world.connected();
  await bob.join("lobby");
  const channel = new WebSocketChannel({
    url: URL_,
    channelId: "lobby",
    WebSocket: world.link.WebSocket,
    clock: world.clock,
  });
  await channel.connect();
  assert.equal(channel.isConnected, true);
  const heard = next<RealtimeMessage>((l) => bob.on("shout", l));
  await channel.send("hey", { type: "shout" });
  assert.equal((await heard).senderId, channel.socketId);
  await channel.disconnect();
  assert.equal(channel.isConnected, false);
  await channel.connect();
  assert.equal(channel.isConnected, true);
  await channel.dispose();
  await rejects(channel.send("x"), "closed");
});

Deno.test("WebSocketChannel shows a resync after the relay restarted", async () => {
  await using world = new World({ restartHint: 0 }); // no retry hint;
  const channel = new WebSocketChannel({
    url: URL_,
    channelId: "lobby",
    WebSocket: world.link.WebSocket,
    clock: world.clock,
    reconnectDelay: 10,
  });
  await channel.connect();
  const resync = next<ResyncEvent>((l) => channel.resyncs.subscribe(l));
  const down = channel.status.until((s) => s.type === "reconnecting");
  world.link.relay.close();
  await down;
  world.link.relay = new Relay({ clock: world.clock });
  world.clock.tick(10);
  assert.deepEqual(await resync, { channel: "lobby", reason: "history_lost" });
  await channel.dispose();
});
