/**
 * A socket.io 4.8 server with `@socket.io/redis-adapter`, the side-by-side
 * of `./redis_nodes.ts`: a client's `join` puts it in a room, its `pub` goes
 * to everyone else in the room (like lifeline's `echo: false`), acked.
 * `REDIS_URL` is the adapter's Redis; `PORT` (0 = free) where it listens.
 * Prints `listening on http://127.0.0.1:PORT` and exits 0 on SIGTERM. Deno.
 *
 * @module
 */

import { createServer } from "node:http";
import process from "node:process";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const pub = createClient({ url: process.env.REDIS_URL });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);
const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(pub, sub),
  transports: ["websocket"],
});
io.on("connection", (socket) => {
  socket.on("join", (room: string, ack: () => void) => {
    socket.join(room);
    ack();
  });
  socket.on("pub", (room: string, data: unknown, ack: () => void) => {
    socket.to(room).emit("tick", data);
    ack();
  });
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = http.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => {
  io.close();
  pub.destroy();
  sub.destroy();
  process.exit(0);
});
