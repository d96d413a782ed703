import assert from "node:assert/strict";
import { createTestClock } from "../_fake_clock.ts";
import { WebSocketConnection } from "../../src/wire/web_socket_connection.ts";
import { WireError } from "../../src/wire/wire_error.ts";
import { decodeChunks, frame, join } from "./_codec.ts";
import { next, pair, pipes, turns } from "./_pipe.ts";

Deno.test("a client close is answered and both ends close cleanly with its code", async () => {
  const { client, server } = pair();
  const serverClose = next<CloseEvent>(server, "close");
  client.close(4001, "bye");
  assert.equal(client.readyState, 2);
  const event = await serverClose;
  assert.deepEqual([event.code, event.reason, event.wasClean], [
    4001,
    "bye",
    true,
  ]);
  // The server echoes the code; the reason stays with the side that gave it.
  assert.deepEqual(await client.closed, {
    closeCode: 4001,
    reason: "",
    wasClean: true,
  });
  assert.equal(client.readyState, 3);
});

Deno.test("a close without a code arrives as 1005", async () => {
  const { client, server } = pair();
  server.close();
  assert.deepEqual(await client.closed, {
    closeCode: 1005,
    reason: "",
    wasClean: true,
  });
  await server.closed;
});

Deno.test("close checks its code and reason as WebSocket.close does", async () => {
  const { client, server } = pair();
  assert.throws(() => client.close(1001), { name: "InvalidAccessError" });
  assert.throws(() => client.close(1000, "x".repeat(124)), {
    name: "SyntaxError",
  });
  client.close(1000);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("messages keep their type and bytes both ways, and binaryType applies", async () => {
  const { client, server } = pair();
  server.binaryType = "arraybuffer";
  const got: unknown[] = [];
  server.addEventListener("message", (e) => got.push(e.data));
  client.send("text ✓");
  client.send(new Uint8Array([1, 2, 3]));
  client.send(new Blob([new Uint8Array([4])]));
  client.send(new Uint16Array([0x0605]).buffer);
  client.close(1000);
  await server.closed;
  assert.equal(got[0], "text ✓");
  assert.deepEqual(
    got.slice(1).map((b) => [...new Uint8Array(b as ArrayBuffer)]),
    [
      [1, 2, 3],
      [4],
      [5, 6],
    ],
  );
  await client.closed;
});

Deno.test("ping resolves on its pong, answered by the peer on its own", async () => {
  const { client, server } = pair();
  await client.ping(new Uint8Array([7]));
  await server.ping();
  client.close(1000);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("a pending ping rejects with 'closed' when the connection closes", async () => {
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a });
  const ping = client.ping();
  await b.writable.close(); // the peer ends without a pong
  await assert.rejects(
    ping,
    (e) => e instanceof WireError && e.code === "closed",
  );
  assert.equal((await client.closed).closeCode, 1006);
  await b.readable.cancel();
});

Deno.test("a protocol error from the peer is answered with its close code, then error and close events", async () => {
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a });
  const events: string[] = [];
  client.addEventListener("error", () => events.push("error"));
  client.addEventListener("close", (e) => events.push(`close ${e.code}`));
  const writer = b.writable.getWriter();
  const sent = (async () => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of b.readable) chunks.push(chunk);
    return chunks;
  })();
  await writer.write(frame(0x1, Uint8Array.of(0xff)));
  const info = await client.closed;
  writer.releaseLock();
  assert.deepEqual(info, {
    closeCode: 1007,
    reason: "Text is not UTF-8",
    wasClean: false,
  });
  assert.deepEqual(events, ["error", "close 1007"]);
  // The client's close frame carries the code, masked.
  const { events: frames } = decodeChunks(await sent, "server");
  assert.deepEqual(frames, [["close", 1007, "Text is not UTF-8"]]);
});

Deno.test("an unanswered close ends as 1006 after closeTimeout, on the injected clock", async () => {
  const clock = createTestClock();
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a }, {
    clock,
    closeTimeout: 1000,
  });
  const drained = (async () => {
    for await (const _ of b.readable) { /* the peer reads, never answers */ }
  })();
  client.close(1000);
  await turns();
  clock.tick(999);
  assert.equal(client.readyState, 2);
  clock.tick(1);
  assert.equal(client.readyState, 3);
  await b.writable.close();
  assert.deepEqual(await client.closed, {
    closeCode: 1006,
    reason: "",
    wasClean: false,
  });
  await drained;
});

Deno.test("the readable pushes back: bytes stop being read while messages wait", async () => {
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a }, { highWaterMark: 2 });
  const reader = client.readable.getReader();
  const writer = b.writable.getWriter();
  const drained = (async () => {
    for await (const _ of b.readable) { /* the close frame */ }
  })();
  // Each write resolves only once the client read the chunk off the pipe.
  let taken = 0;
  const writes = Array.from(
    { length: 6 },
    (_, i) => writer.write(frame(0x1, `m${i}`)).then(() => taken++),
  );
  await turns();
  assert.ok(taken < 6, `the client read ${taken} of 6 messages unasked`);
  const got: unknown[] = [];
  for (let i = 0; i < 6; i++) got.push((await reader.read()).value);
  await Promise.all(writes);
  assert.deepEqual(got, ["m0", "m1", "m2", "m3", "m4", "m5"]);
  await writer.write(join(frame(0x8, Uint8Array.of(0x03, 0xe8))));
  await client.closed;
  writer.releaseLock();
  await drained;
});

Deno.test("the writable's writes resolve once the byte stream took the frame", async () => {
  const { client, server } = pair();
  const { writable } = await client.opened;
  const writer = writable.getWriter();
  const reader = server.readable.getReader();
  await writer.write("a");
  await writer.write(new Uint8Array([1]));
  assert.equal(client.bufferedAmount, 0);
  assert.equal((await reader.read()).value, "a");
  assert.deepEqual((await reader.read()).value, new Uint8Array([1]));
  await writer.close();
  assert.equal((await server.closed).closeCode, 1005);
});

Deno.test("messages before the readable is taken are kept for it", async () => {
  const { client, server } = pair();
  server.send("early");
  await turns();
  const reader = client.readable.getReader();
  assert.equal((await reader.read()).value, "early");
  client.close(1000);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("send while connecting throws InvalidStateError; a failed open fires error then close 1006", async () => {
  const ws = new WebSocketConnection(Promise.reject(new Error("refused")));
  assert.throws(() => ws.send("x"), { name: "InvalidStateError" });
  const events: string[] = [];
  ws.onerror = () => events.push("error");
  ws.onclose = (e) => events.push(`close ${e.code}`);
  await assert.rejects(ws.opened, /refused/);
  await ws.closed;
  assert.deepEqual(events, ["error", "close 1006"]);
});

Deno.test("unknown options are refused with a hint", () => {
  const { a } = pipes();
  assert.throws(
    () => new WebSocketConnection({ stream: a }, { maxPayloads: 1 } as never),
    /did you mean 'maxPayload'/,
  );
});

Deno.test("cancelling the readable and closing the writable go through close(), which a subclass may extend", async () => {
  const calls: string[] = [];
  class Recording extends WebSocketConnection {
    override close(code?: number, reason?: string): void {
      calls.push("close");
      super.close(code, reason);
    }
  }
  const { a, b } = pipes();
  const client = new Recording({ stream: a });
  const server = new WebSocketConnection({ stream: b }, { role: "server" });
  await client.opened;
  await client.readable.cancel();
  assert.deepEqual(calls, ["close"]);
  await client.writable.close();
  assert.deepEqual(calls, ["close", "close"]);
  assert.equal((await server.closed).closeCode, 1005);
});
