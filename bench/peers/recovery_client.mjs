// Recovery after a server restart, for `deno task bench:peers`:
// `node recovery_client.mjs lifeline|partysocket|reconnecting-websocket
// URL CLIENTS`. Opens CLIENTS sockets of that library with its default
// options (over the `ws` package's WebSocket) and prints `ready`; each
// then times from its close to its next echoed frame. Prints one JSON line
// of those ms once every socket is back.
import process from "node:process";
import { bound, lifeline, peer, WebSocket } from "./_load.mjs";

const [kind, url, clientsArg] = process.argv.slice(2);
const clients = Number(clientsArg);
bound(120_000);

let make;
if (kind === "lifeline") {
  const { ReconnectingWebSocket } = await lifeline();
  make = () => new ReconnectingWebSocket(url, [], { WebSocket });
} else if (kind === "partysocket") {
  const PartySocket = peer("partysocket/ws").default;
  make = () => new PartySocket(url, [], { WebSocket });
} else {
  const ReconnectingWebSocket = peer("reconnecting-websocket");
  const Class = ReconnectingWebSocket.default ?? ReconnectingWebSocket;
  make = () => new Class(url, [], { WebSocket });
}

const times = [];
let back;
const allBack = new Promise((resolve) => back = resolve);
const sockets = [];
await Promise.all(Array.from({ length: clients }, () => {
  const socket = make();
  sockets.push(socket);
  let closedAt = 0;
  socket.addEventListener("close", () => {
    if (closedAt === 0) closedAt = performance.now();
  });
  socket.addEventListener("open", () => {
    if (closedAt !== 0) socket.send("back");
  });
  socket.addEventListener("message", () => {
    if (closedAt === 0) return;
    times.push(performance.now() - closedAt);
    closedAt = -1;
    if (times.length === clients) back();
  });
  return new Promise((resolve) => socket.addEventListener("open", resolve));
}));
console.log("ready");
await allBack;
console.log(JSON.stringify({ ms: times }));
for (const socket of sockets) socket.close();
process.exit(0);
