import assert from "node:assert/strict";
import { ReconnectingWebSocket } from "../../src/socket/reconnecting_websocket.ts";
import { TcpWebSocket } from "../../src/wire/tcp_web_socket.ts";
import { WireError } from "../../src/wire/wire_error.ts";

Deno.test("ReconnectingWebSocket over TcpWebSocket sends its headers on every connection", async () => {
  const teams: (string | null)[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      teams.push(request.headers.get("x-team"));
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: "chat.v1",
      });
      socket.onmessage = (e) =>
        e.data === "kick" ? socket.close(1012) : socket.send(`echo ${e.data}`);
      return response;
    },
  );
  const socket = new ReconnectingWebSocket(
    `ws://127.0.0.1:${server.addr.port}/`,
    {
      WebSocket: TcpWebSocket,
      headers: { "x-team": "blue" },
      protocols: ["chat.v1"],
      keepalive: false,
      backoff: { next: () => 0, reset() {} },
    },
  );
  const heard: unknown[] = [];
  const nextMessage = () =>
    new Promise((resolve) => {
      const stop = socket.messages.subscribe((data) => {
        stop();
        resolve(data);
      });
    });
  await socket.ready({ timeout: 5000 });
  assert.equal(socket.protocol, "chat.v1");
  socket.send("one");
  heard.push(await nextMessage());
  const reconnected = socket.connection.until((s) => s.type === "reconnecting");
  socket.send("kick");
  await reconnected;
  await socket.ready({ timeout: 5000 });
  socket.send("two");
  heard.push(await nextMessage());
  await socket.close();
  await server.shutdown();
  assert.deepEqual(heard, ["echo one", "echo two"]);
  assert.deepEqual(teams, ["blue", "blue"]);
});

Deno.test("TcpWebSocket takes (url, protocols) and throws SyntaxError for a bad URL, as WebSocket does", async () => {
  assert.throws(() => new TcpWebSocket("http//nope"), SyntaxError);
  assert.throws(() => new TcpWebSocket("ws://127.0.0.1:9/#frag"), SyntaxError);
  const ws = new TcpWebSocket("ws://127.0.0.1:9/", ["a", "b"]);
  assert.equal(ws.readyState, 0);
  const events: string[] = [];
  ws.onerror = () => events.push("error");
  ws.onclose = (e) => events.push(`close ${e.code}`);
  await ws.closed;
  assert.deepEqual(events, ["error", "close 1006"]);
});

Deno.test("close() while connecting abandons a handshake the server never answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const silent = listener.accept(); // accepted, never answered
  const ws = new TcpWebSocket(`ws://127.0.0.1:${listener.addr.port}/`);
  const events: string[] = [];
  ws.onerror = () => events.push("error");
  ws.onclose = (e) => events.push(`close ${e.code}`);
  const conn = await silent;
  ws.close();
  assert.equal((await ws.closed).closeCode, 1006);
  assert.deepEqual(events, ["error", "close 1006"]);
  await assert.rejects(
    ws.opened,
    (e) => e instanceof WireError && e.code === "aborted",
  );
  conn.close();
  listener.close();
});
