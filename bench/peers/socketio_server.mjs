// socket.io 4.8 on Node for `deno task bench:peers`: a client's `join` puts
// it in a room, its `pub` goes to the others in the room, acked.
import { createServer } from "node:http";
import process from "node:process";
import { peer } from "./_load.mjs";

const { Server } = peer("socket.io");
const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack();
  });
  socket.on("pub", (room, data, ack) => {
    socket.to(room).emit("tick", data);
    ack();
  });
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + http.address().port);
});
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
