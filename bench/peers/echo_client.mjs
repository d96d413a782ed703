// Client overhead on echo, for `deno task bench:peers`:
// `node echo_client.mjs raw|lifeline|partysocket|reconnecting-websocket URL
// MESSAGES`. Sends MESSAGES frames one after another, each after the echo
// of the last, through that client library (all over the `ws` package's
// WebSocket). Prints one JSON line: round trips per second and this
// process's CPU µs per round trip.
import process from "node:process";
import { bound, lifeline, peer, WebSocket } from "./_load.mjs";

const [kind, url, messagesArg] = process.argv.slice(2);
const messages = Number(messagesArg);
bound(120_000);

let socket;
if (kind === "raw") socket = new WebSocket(url);
else if (kind === "lifeline") {
  const { ReconnectingWebSocket } = await lifeline();
  socket = new ReconnectingWebSocket(url, [], { WebSocket });
} else if (kind === "partysocket") {
  const PartySocket = peer("partysocket/ws").default;
  socket = new PartySocket(url, [], { WebSocket });
} else {
  const ReconnectingWebSocket = peer("reconnecting-websocket");
  socket = new (ReconnectingWebSocket.default ?? ReconnectingWebSocket)(
    url,
    [],
    { WebSocket },
  );
}
await new Promise((resolve) => socket.addEventListener("open", resolve));

const payload = JSON.stringify({ text: "x".repeat(64) });
const warmup = Math.min(200, messages);
let received = 0;
let started = 0;
let cpu;
const finished = new Promise((resolve) => {
  socket.addEventListener("message", () => {
    received++;
    if (received === warmup) {
      started = performance.now();
      cpu = process.cpuUsage();
    }
    if (received === warmup + messages) return resolve();
    socket.send(payload);
  });
});
socket.send(payload);
await finished;
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({
  perSecond: messages / ms * 1000,
  cpuMicros: (used.user + used.system) / messages,
}));
socket.close();
process.exit(0);
