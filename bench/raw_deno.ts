/**
 * The bench's Deno baseline: a plain `Deno.serve` WebSocket server that sends
 * every received message to every other connected socket, in a loop. No
 * framing, no channels, no checks: what a broadcast costs on Deno.
 * `GET /stats` answers the process's CPU time (µs) and memory (bytes),
 * like the relay's.
 *
 * The memory bench's clients say `hello` and `join` first, as they do to the
 * relay: the raw server does the least an app would for them, answering each
 * (the `join` with an ack of its `ref`, which the client waits for) and
 * keeping the socket in the joined room's set. Every other frame is
 * broadcast.
 *
 * @module
 */

import process from "node:process";

const sockets = new Set<WebSocket>();
const rooms = new Map<string, Set<WebSocket>>();
const roomOf = new Map<WebSocket, string>();

/** Answers a `hello` or a `join` (keeping its room); false for others. */
function handshake(socket: WebSocket, message: string): boolean {
  if (message.startsWith('{"type":"hello"')) {
    socket.send('{"type":"welcome"}');
    return true;
  }
  if (!message.startsWith('{"type":"join"')) return false;
  const { ref, channel } = JSON.parse(message);
  const name = String(channel);
  const room = rooms.get(name);
  if (room === undefined) rooms.set(name, new Set([socket]));
  else room.add(socket);
  roomOf.set(socket, name);
  socket.send(JSON.stringify({ type: "ack", ref, ok: true }));
  return true;
}

function leave(socket: WebSocket): void {
  sockets.delete(socket);
  const name = roomOf.get(socket);
  if (name === undefined) return;
  roomOf.delete(socket);
  const room = rooms.get(name);
  room?.delete(socket);
  if (room?.size === 0) rooms.delete(name);
}

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  onListen({ hostname, port }) {
    console.log(`listening on http://${hostname}:${port}`);
  },
}, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/stats") {
    const { user, system } = process.cpuUsage();
    const { rss, heapUsed } = process.memoryUsage();
    return Response.json({
      connections: sockets.size,
      cpu: { user, system },
      memory: { rss, heapUsed },
    });
  }
  if (pathname !== "/ws") return new Response("not found", { status: 404 });
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => leave(socket);
  socket.onmessage = (event) => {
    if (typeof event.data === "string" && handshake(socket, event.data)) {
      return;
    }
    for (const other of sockets) {
      if (other !== socket) other.send(event.data);
    }
  };
  return response;
});

const stop = () => {
  for (const socket of sockets) socket.close(1001);
  server.shutdown();
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
server.finished.then(() => Deno.exit(0));
