// Fan-out through a whole stack, for `deno task bench:peers`:
// `node fanout_client.mjs lifeline|socket.io URL SUBSCRIBERS MESSAGES`.
// SUBSCRIBERS clients join room `bench`; one more publishes MESSAGES, each
// acked, at most WINDOW unacked; every subscriber counts them. Prints one
// JSON line: deliveries, ms, deliveries per second.
import process from "node:process";
import { bound, lifeline, peer, WebSocket } from "./_load.mjs";

const [stack, url, subscribersArg, messagesArg] = process.argv.slice(2);
const subscribers = Number(subscribersArg);
const messages = Number(messagesArg);
const WINDOW = 64;
bound(120_000);

let delivered = 0;
const expected = subscribers * messages;
let allDelivered;
const done = new Promise((resolve) => allDelivered = resolve);
const count = () => {
  if (++delivered === expected) allDelivered();
};

let publish;
let closeAll;
if (stack === "lifeline") {
  const { RealtimeManager } = await lifeline();
  const make = () =>
    new RealtimeManager(url, { WebSocket, echoMessages: false });
  const subs = Array.from({ length: subscribers }, make);
  for (const sub of subs) sub.on("tick", count);
  await Promise.all(subs.map((sub) => sub.join("bench")));
  const publisher = make();
  await publisher.join("bench");
  publish = (i) => publisher.send("bench", "tick", { i });
  closeAll = () => Promise.all([...subs, publisher].map((m) => m.close()));
} else {
  const { io } = peer("socket.io-client");
  const make = () => io(url, { transports: ["websocket"] });
  const subs = Array.from({ length: subscribers }, make);
  for (const sub of subs) sub.on("tick", count);
  await Promise.all(subs.map((sub) => sub.emitWithAck("join", "bench")));
  const publisher = make();
  await publisher.emitWithAck("join", "bench");
  publish = (i) => publisher.emitWithAck("pub", "bench", { i });
  closeAll = () => {
    for (const socket of [...subs, publisher]) socket.disconnect();
  };
}

const started = performance.now();
let next = 0;
async function lane() {
  while (next < messages) await publish(next++);
}
await Promise.all(Array.from({ length: WINDOW }, lane));
await done;
const ms = performance.now() - started;
console.log(
  JSON.stringify({ delivered, ms, perSecond: delivered / ms * 1000 }),
);
await closeAll();
process.exit(0);
