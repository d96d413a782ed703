/**
 * Differential tests on 127.0.0.1: this client against `Deno.serve`'s
 * WebSocket server, and Deno's own WebSocket client against this server
 * (`accept` on a TCP listener). Each side records every message it received
 * byte for byte; both must equal what was sent. Bun's side is in
 * `bun_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { accept } from "../../src/wire/accept.ts";
import { connect } from "../../src/wire/connect.ts";
import { exact, messages } from "./_messages.ts";

const sent = () => Promise.all(messages().map(exact));

Deno.test("this client and Deno.serve agree byte for byte, both ways, and on the close", async () => {
  const serverGot: [string, string][] = [];
  let serverClose: [number, string] | undefined;
  const closed = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      socket.onmessage = async (e) => {
        socket.send(e.data);
        serverGot.push(await exact(e.data));
      };
      socket.onclose = (e) => {
        serverClose = [e.code, e.reason];
        closed.resolve();
      };
      return response;
    },
  );
  const ws = await connect(`ws://127.0.0.1:${server.addr.port}/`);
  const reader = ws.readable.getReader();
  const writer = ws.writable.getWriter();
  const clientGot: [string, string][] = [];
  for (const message of messages()) {
    await writer.write(message);
    clientGot.push(await exact((await reader.read()).value!));
  }
  writer.releaseLock();
  ws.close(4321, "done ✓");
  const info = await ws.closed;
  await closed.promise;
  await server.shutdown();
  assert.deepEqual(serverGot, await sent());
  assert.deepEqual(clientGot, await sent());
  assert.deepEqual(serverClose, [4321, "done ✓"]);
  // Deno echoes the reason with the code.
  assert.deepEqual(info, { closeCode: 4321, reason: "done ✓", wasClean: true });
});

Deno.test("Deno's WebSocket client and this server agree byte for byte, both ways, and on the close", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serverGot: [string, string][] = [];
  const served = (async () => {
    const ws = await accept(await listener.accept(), undefined, {
      protocol: (offered) => offered[0],
    });
    ws.binaryType = "arraybuffer";
    const reader = ws.readable.getReader();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      serverGot.push(await exact(value));
      ws.send(value);
    }
    return { info: await ws.closed, protocol: ws.protocol };
  })();
  const client = new WebSocket(`ws://127.0.0.1:${listener.addr.port}/`, [
    "p1",
    "p2",
  ]);
  client.binaryType = "arraybuffer";
  const clientGot: [string, string][] = [];
  const inbox: MessageEvent[] = [];
  let wake: (() => void) | undefined;
  client.onmessage = (e) => {
    inbox.push(e);
    wake?.();
  };
  await new Promise((resolve) => client.onopen = resolve);
  assert.equal(client.protocol, "p1");
  for (const message of messages()) {
    client.send(message);
    while (inbox.length === 0) await new Promise<void>((r) => wake = r);
    clientGot.push(await exact(inbox.shift()!.data));
  }
  const clientClose = new Promise<CloseEvent>((r) => client.onclose = r);
  client.close(4000, "bye");
  const { info, protocol } = await served;
  const event = await clientClose;
  listener.close();
  assert.equal(protocol, "p1");
  assert.deepEqual(serverGot, await sent());
  assert.deepEqual(clientGot, await sent());
  assert.deepEqual(info, { closeCode: 4000, reason: "bye", wasClean: true });
  assert.deepEqual([event.code, event.wasClean], [4000, true]);
});
