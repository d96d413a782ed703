/**
 * The bench's Deno baseline: a plain `Deno.serve` WebSocket server that sends
 * every received message to every other connected socket, in a loop. No
 * framing, no channels, no checks: what a broadcast costs on Deno.
 * `GET /stats` answers the process's CPU time (µs) and memory (bytes),
 * like the relay's.
 *
 * @module
 */

import process from "node:process";

const sockets = new Set<WebSocket>();

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
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (event) => {
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
