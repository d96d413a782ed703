import assert from "node:assert/strict";
import { setup } from "./_setup.ts";
import { fakeWebSockets } from "../_fake_websocket.ts";
import { ReconnectingWebSocket } from "../../src/socket/reconnecting_websocket.ts";

Deno.test("a failed attempt dispatches error, then close, as a WebSocket's does", async () => {
  const { clock, fakes, socket } = setup();
  const seen: string[] = [];
  socket.addEventListener("error", (event) => {
    seen.push(`error ${(event.error as { code: string }).code}`);
  });
  socket.addEventListener("close", (event) => {
    seen.push(`close ${event.code} ${event.wasClean}`);
  });
  fakes.last.fail();
  assert.deepEqual(seen, ["error connection_refused", "close 1006 false"]);
  assert.equal(socket.retryCount, 1);
  clock.tick(250);
  fakes.last.open();
  fakes.last.serverClose(1012, "restart");
  assert.deepEqual(seen.slice(2), ["close 1012 true"]);
  await socket.close();
});

Deno.test("open is dispatched for every connection, after the buffer is flushed", async () => {
  const { clock, fakes, socket } = setup();
  const sentAtOpen: unknown[][] = [];
  socket.onopen = () => sentAtOpen.push([...fakes.last.sent]);
  socket.send("queued");
  fakes.last.open();
  fakes.last.serverClose(1001);
  clock.tick(250);
  fakes.last.open();
  assert.deepEqual(sentAtOpen, [["queued"], []]);
  await socket.close();
});

Deno.test("an on… property replaced runs the new handler in the old one's place; null removes it", async () => {
  const { fakes, socket } = setup();
  const seen: string[] = [];
  socket.onmessage = () => seen.push("first");
  socket.addEventListener("message", () => seen.push("listener"));
  socket.onmessage = () => seen.push("second");
  fakes.last.open();
  fakes.last.receive("a");
  socket.onmessage = null;
  assert.equal(socket.onmessage, null);
  fakes.last.receive("b");
  assert.deepEqual(seen, ["second", "listener", "listener"]);
  assert.throws(
    () => {
      socket.onclose = "nope" as unknown as null;
    },
    new TypeError(
      "Cannot set 'onclose' as it must be a function or null: current value is nope",
    ),
  );
  await socket.close();
});

Deno.test("close() dispatches one close event with the code and reason given", async () => {
  const { fakes, socket } = setup();
  const closes: string[] = [];
  socket.onclose = (event) => closes.push(`${event.code} ${event.reason}`);
  fakes.last.open();
  await socket.close(4000, "done");
  await socket.close();
  assert.deepEqual(closes, ["4000 done"]);
});

Deno.test("the positional protocols and the protocols option together are a TypeError", () => {
  assert.throws(
    () =>
      new ReconnectingWebSocket("ws://example.test/", "chat", {
        protocols: "chat",
      }),
    new TypeError(
      "Cannot create ReconnectingWebSocket as 'protocols' is given twice: pass it as the second argument or as an option, not both",
    ),
  );
});

Deno.test("the second argument is the protocols when it is a string, an array, a function or null", async () => {
  const fakes = fakeWebSockets();
  const options = { WebSocket: fakes.WebSocket, keepalive: false } as const;
  const sockets = [
    new ReconnectingWebSocket("ws://example.test/", "chat", options),
    new ReconnectingWebSocket("ws://example.test/", ["a", "b"], options),
    new ReconnectingWebSocket("ws://example.test/", () => "fn", options),
    new ReconnectingWebSocket("ws://example.test/", null, options),
    new ReconnectingWebSocket("ws://example.test/", options),
  ];
  assert.deepEqual(fakes.sockets.map((fake) => fake.init), [
    "chat",
    ["a", "b"],
    "fn",
    undefined,
    undefined,
  ]);
  for (const socket of sockets) await socket.close();
});

Deno.test("no message event is built before a message listener exists; every message after one is added is dispatched", async () => {
  const { fakes, socket } = setup();
  const dispatched: string[] = [];
  const dispatch = socket.dispatchEvent.bind(socket);
  socket.dispatchEvent = (event: Event): boolean => {
    dispatched.push(event.type);
    return dispatch(event);
  };
  const streamed: unknown[] = [];
  socket.messages.subscribe((data) => streamed.push(data));
  fakes.last.open();
  fakes.last.receive("unheard");
  assert.deepEqual(dispatched, ["open"]);
  const heard: unknown[] = [];
  socket.addEventListener("message", (event) => heard.push(event.data), {
    once: true,
  });
  fakes.last.receive("a");
  // The once listener is gone; a property handler set later still hears.
  fakes.last.receive("b");
  socket.onmessage = (event) => heard.push(event.data);
  fakes.last.receive("c");
  assert.deepEqual(heard, ["a", "c"]);
  assert.deepEqual(dispatched, ["open", "message", "message", "message"]);
  assert.deepEqual(streamed, ["unheard", "a", "b", "c"]);
  await socket.close();
});

Deno.test("onmessage alone starts the message events", async () => {
  const { fakes, socket } = setup();
  const heard: unknown[] = [];
  fakes.last.open();
  fakes.last.receive("before");
  socket.onmessage = (event) => heard.push(event.data);
  fakes.last.receive("after");
  assert.deepEqual(heard, ["after"]);
  await socket.close();
});
