import assert from "node:assert/strict";
import {
  FakeWebSocket,
  fakeWebSockets,
} from "../../src/testing/fake_websocket.ts";
import * as testing from "../../src/testing/mod.ts";

function events(ws: FakeWebSocket): string[] {
  const heard: string[] = [];
  for (const type of ["open", "message", "error", "close"]) {
    ws.addEventListener(type, (event) => {
      const detail = event instanceof CloseEvent
        ? `:${event.code}:${event.reason}:${event.wasClean}`
        : event instanceof MessageEvent
        ? `:${event.data}`
        : "";
      heard.push(`${type}${detail}`);
    });
  }
  return heard;
}

Deno.test("the testing module publishes the fake socket and the clock adapter", () => {
  assert.equal(testing.FakeWebSocket, FakeWebSocket);
  assert.equal(typeof testing.fakeWebSockets, "function");
  assert.equal(typeof testing.fromFakeTimers, "function");
});

Deno.test("a fake socket starts connecting and remembers how it was made", () => {
  const ws = new FakeWebSocket("wss://example.test", ["v1"]);
  assert.equal(ws.url, "wss://example.test");
  assert.deepEqual(ws.init, ["v1"]);
  assert.equal(ws.readyState, FakeWebSocket.CONNECTING);
  assert.equal(ws.protocol, "");
  assert.equal(ws.extensions, "");
});

Deno.test("open, receive, fail and serverClose dispatch at once", () => {
  const ws = new FakeWebSocket("wss://example.test");
  const heard = events(ws);
  ws.open("chat", "permessage-deflate");
  ws.receive("hi");
  ws.fail("reset");
  ws.serverClose(1001, "restart");
  assert.deepEqual(heard, [
    "open",
    "message:hi",
    "error",
    "close:1001:restart:true",
  ]);
  assert.equal(ws.protocol, "chat");
  assert.equal(ws.extensions, "permessage-deflate");
  assert.equal(ws.readyState, FakeWebSocket.CLOSED);
});

Deno.test("open can report null subprotocol and extensions, as workerd does", () => {
  const ws = new FakeWebSocket("wss://example.test");
  ws.open(null, null);
  assert.equal(ws.protocol, null);
  assert.equal(ws.extensions, null);
});

Deno.test("serverClose defaults to an unclean 1006", () => {
  const ws = new FakeWebSocket("wss://example.test");
  const heard = events(ws);
  ws.serverClose();
  assert.deepEqual(heard, ["close:1006::false"]);
});

Deno.test("send throws while connecting, records once open, and throws sendError once", () => {
  const ws = new FakeWebSocket("wss://example.test");
  assert.throws(() => ws.send("early"), { name: "InvalidStateError" });
  ws.open();
  ws.send("a");
  const error = new Error("broken pipe");
  ws.sendError = error;
  assert.throws(() => ws.send("b"), error);
  ws.send("c");
  assert.deepEqual(ws.sent, ["a", "c"]);
});

Deno.test("close of an open socket echoes a clean close in a microtask", async () => {
  const ws = new FakeWebSocket("wss://example.test");
  ws.open();
  const heard = events(ws);
  ws.close(4000, "done");
  assert.equal(ws.readyState, FakeWebSocket.CLOSING);
  assert.deepEqual(heard, []);
  await Promise.resolve();
  assert.deepEqual(heard, ["close:4000:done:true"]);
  assert.equal(ws.readyState, FakeWebSocket.CLOSED);
  assert.deepEqual(ws.closeCalls, [[4000, "done"]]);
});

Deno.test("close without a code echoes 1005", async () => {
  const ws = new FakeWebSocket("wss://example.test");
  ws.open();
  const heard = events(ws);
  ws.close();
  await Promise.resolve();
  assert.deepEqual(heard, ["close:1005::true"]);
});

Deno.test("close while connecting reports an error, then close with code 0", async () => {
  const ws = new FakeWebSocket("wss://example.test");
  const heard = events(ws);
  ws.close();
  ws.close();
  await Promise.resolve();
  assert.deepEqual(heard, ["error", "close:0::false"]);
  assert.equal(ws.closeCalls.length, 2);
});

Deno.test("fakeWebSockets records every socket and gives the latest", () => {
  const fake = fakeWebSockets();
  assert.throws(() => fake.last, /No socket was constructed/);
  const a = new fake.WebSocket("wss://a.test");
  const b = new fake.WebSocket("wss://b.test", { protocols: "v1" });
  assert.deepEqual(fake.sockets, [a, b]);
  assert.equal(fake.last, b);
  assert.ok(b instanceof FakeWebSocket);
  assert.deepEqual(b.init, { protocols: "v1" });
});

Deno.test("each fakeWebSockets has its own record", () => {
  const one = fakeWebSockets();
  const two = fakeWebSockets();
  new one.WebSocket("wss://a.test");
  assert.equal(one.sockets.length, 1);
  assert.equal(two.sockets.length, 0);
});
