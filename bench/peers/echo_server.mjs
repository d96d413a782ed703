// A bare echo server (`ws` on Node) for the echo and recovery workloads of
// `deno task bench:peers`: every frame goes back to its sender.
import { createServer } from "node:http";
import process from "node:process";
import { peer } from "./_load.mjs";

const { WebSocketServer } = peer("ws");
const http = createServer();
const wss = new WebSocketServer({ server: http });
wss.on("connection", (socket) => {
  socket.on("message", (data, binary) => socket.send(data, { binary }));
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + http.address().port);
});
process.on("SIGTERM", () => {
  wss.close();
  http.close();
  process.exit(0);
});
