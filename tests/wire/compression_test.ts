/**
 * permessage-deflate (RFC 7692), named after Autobahn's case groups 12 and
 * 13 (compression): negotiation, messages both ways over pipes, the
 * decompression limit, bad compressed data, RSV1 where it does not belong;
 * and interop with the `ws` package's client and server, which compress
 * with zlib.
 *
 * @module
 */

import assert from "node:assert/strict";
import { WebSocket as WsClient, WebSocketServer } from "ws";
import { FrameDecoder } from "../../src/wire/_frame_decoder.ts";
import { deflate } from "../../src/wire/_permessage_deflate.ts";
import { accept } from "../../src/wire/accept.ts";
import { connect } from "../../src/wire/connect.ts";
import { WebSocketConnection } from "../../src/wire/web_socket_connection.ts";
import { frame, join } from "./_codec.ts";
import { pipes } from "./_pipe.ts";
import { exact, messages } from "./_messages.ts";

/** The part of a `ws` socket these tests use (the package has no types). */
interface WsSocket {
  on(
    event: "message",
    listener: (data: Uint8Array, isBinary: boolean) => void,
  ): void;
  send(data: string | Uint8Array, options: { binary: boolean }): void;
}

const AGREED =
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

function deflatePair(limits = {}) {
  const { a, b } = pipes();
  return {
    client: new WebSocketConnection({ stream: a, extensions: AGREED }, limits),
    server: new WebSocketConnection({ stream: b, extensions: AGREED }, {
      role: "server",
      ...limits,
    }),
  };
}

Deno.test("autobahn 12 compression: messages of every size arrive whole both ways", async () => {
  const { client, server } = deflatePair();
  const reader = server.readable.getReader();
  const back = client.readable.getReader();
  for (const message of messages()) {
    client.send(message);
    const got = (await reader.read()).value!;
    assert.deepEqual(await exact(got), await exact(message));
    server.send(got);
    assert.deepEqual(
      await exact((await back.read()).value!),
      await exact(message),
    );
  }
  client.close(1000);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("autobahn 13 compression: a message that would inflate past maxMessage closes with 1009", async () => {
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a, extensions: AGREED }, {
    maxMessage: 100_000,
  });
  const bomb = await deflate(new Uint8Array(10_000_000));
  assert.ok(bomb.length < 100_000);
  const writer = b.writable.getWriter();
  const drained = (async () => {
    for await (const _ of b.readable) { /* the close frame */ }
  })();
  const compressed = frame(0x2, bomb);
  compressed[0] |= 0x40;
  await writer.write(compressed);
  assert.deepEqual(await client.closed, {
    closeCode: 1009,
    reason: "Message over maxMessage",
    wasClean: false,
  });
  writer.releaseLock();
  await drained;
});

Deno.test("autobahn 13 compression: data that is not DEFLATE closes with 1007", async () => {
  const { a, b } = pipes();
  const client = new WebSocketConnection({ stream: a, extensions: AGREED });
  const writer = b.writable.getWriter();
  const drained = (async () => {
    for await (const _ of b.readable) { /* the close frame */ }
  })();
  const bad = frame(0x1, Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  bad[0] |= 0x40;
  await writer.write(bad);
  assert.equal((await client.closed).closeCode, 1007);
  writer.releaseLock();
  await drained;
});

Deno.test("autobahn 12 compression: RSV1 on a control frame or a continuation is a protocol error", () => {
  const failures: number[] = [];
  const sink = {
    message() {},
    ping() {},
    pong() {},
    close() {},
    fail: (code: number) => failures.push(code),
    compressed() {},
  };
  const ping = frame(0x9, "x");
  ping[0] |= 0x40;
  new FrameDecoder("client", sink, {}, true).push(ping);
  const continuation = frame(0x0, "b");
  continuation[0] |= 0x40;
  new FrameDecoder("client", sink, {}, true).push(
    join(frame(0x1, "a", { fin: false }), continuation),
  );
  assert.deepEqual(failures, [1002, 1002]);
});

Deno.test("connect with compression agrees permessage-deflate with the ws package's server, byte for byte", async () => {
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    perMessageDeflate: true,
  });
  await new Promise((resolve) => wss.once("listening", resolve));
  const serverGot: [string, string][] = [];
  let offered = "";
  wss.on(
    "connection",
    (socket: WsSocket, request: { headers: Record<string, unknown> }) => {
      offered = String(request.headers["sec-websocket-extensions"]);
      socket.on("message", async (data: Uint8Array, isBinary: boolean) => {
        const bytes = new Uint8Array(data);
        const message = isBinary ? bytes : new TextDecoder().decode(bytes);
        serverGot.push(await exact(message));
        socket.send(message, { binary: isBinary });
      });
    },
  );
  const { port } = wss.address() as { port: number };
  const ws = await connect(`ws://127.0.0.1:${port}/`, { compression: true });
  assert.match(ws.extensions, /^permessage-deflate/);
  assert.match(offered, /^permessage-deflate/);
  const reader = ws.readable.getReader();
  const clientGot: [string, string][] = [];
  for (const message of messages()) {
    ws.send(message);
    clientGot.push(await exact((await reader.read()).value!));
  }
  ws.close(1000);
  await ws.closed;
  await new Promise((resolve) => wss.close(resolve));
  const sent = await Promise.all(messages().map(exact));
  assert.deepEqual(serverGot, sent);
  assert.deepEqual(clientGot, sent);
});

Deno.test("accept with compression agrees permessage-deflate with the ws package's client, byte for byte", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const ws = await accept(await listener.accept(), undefined, {
      compression: true,
    });
    const reader = ws.readable.getReader();
    const got: [string, string][] = [];
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      got.push(await exact(value));
      ws.send(value);
    }
    return { got, extensions: ws.extensions };
  })();
  const client = new WsClient(`ws://127.0.0.1:${listener.addr.port}/`, {
    perMessageDeflate: true,
  });
  await new Promise((resolve) => client.once("open", resolve));
  const clientGot: [string, string][] = [];
  for (const message of messages()) {
    const echo = new Promise<[string, string]>((resolve) =>
      client.once("message", (data: Uint8Array, isBinary: boolean) => {
        const bytes = new Uint8Array(data);
        resolve(exact(isBinary ? bytes : new TextDecoder().decode(bytes)));
      })
    );
    client.send(message, { binary: typeof message !== "string" });
    clientGot.push(await echo);
  }
  const closed = new Promise((resolve) => client.once("close", resolve));
  client.close(1000);
  await closed;
  const { got, extensions } = await served;
  listener.close();
  const sent = await Promise.all(messages().map(exact));
  assert.match(extensions, /^permessage-deflate/);
  assert.deepEqual(got, sent);
  assert.deepEqual(clientGot, sent);
});
