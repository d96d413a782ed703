/**
 * A client process of the networked channel fill (`./fill.ts`): `--count`
 * raw WebSockets to `--url`, each saying `hello` and joining the one channel
 * `--channel`, at most `--window` joins in flight at a time. It prints
 * `loaded` at once and waits for the line `go` on stdin, so every process
 * starts together; then `joined <JSON>` once every socket has its join ack
 * or is lost ({@linkcode Joined}). On the line `report` it prints
 * `final <JSON>` (the same, counted up to then) and exits. Every socket pings
 * every 10 s, as a client's keepalive does, so a long fill does not look
 * silent to the relay. Node's API only, so Deno and Bun both run it.
 * Loopback only; bounded by `--timeout` ms.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";

/** What one client process saw. */
export interface Joined {
  /** Sockets that got their join ack. */
  acked: number;
  /** Sockets closed (or failed) before or after their ack. */
  lost: number;
  /** Wall-clock ms of the last join ack (0 if none). */
  lastAck: number;
  /** Frames and bytes the sockets received. */
  frames: number;
  bytes: number;
  /** This process's CPU time (user + system) since `go`, in ms. */
  cpuMs: number;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    url: { type: "string" },
    count: { type: "string", default: "100" },
    channel: { type: "string", default: "town-hall" },
    window: { type: "string", default: "100" },
    timeout: { type: "string", default: "180000" },
  },
});
const url = values.url;
if (url === undefined || !url.startsWith("ws://127.0.0.1:")) {
  throw new Error("--url ws://127.0.0.1:PORT/ws is required (loopback only)");
}
const count = Number(values.count);
const window = Number(values.window);
const hello = JSON.stringify({ type: "hello", v: 1 });
const join = JSON.stringify({
  type: "join",
  ref: 1,
  channel: values.channel,
  echo: false,
});
/** How a join ack starts (the relays build it as text, in this order). */
const ACKED = '{"type":"ack","ref":1,"ok":true';
setTimeout(() => process.exit(2), Number(values.timeout)); // bounded

const state: Joined = {
  acked: 0,
  lost: 0,
  lastAck: 0,
  frames: 0,
  bytes: 0,
  cpuMs: 0,
};
let cpuAtGo = 0;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const sockets = new Set<WebSocket>();
let opened = 0;
let settled = 0;
let onSettled = () => {};

/** Opens one socket; it settles once acked or lost, and opens the next. */
function open(): void {
  opened++;
  const ws = new WebSocket(url!);
  sockets.add(ws);
  let done = false;
  const settle = () => {
    if (done) return;
    done = true;
    settled++;
    if (opened < count) open();
    if (settled === count) onSettled();
  };
  ws.onopen = () => {
    ws.send(hello);
    ws.send(join);
  };
  ws.onmessage = (event) => {
    state.frames++;
    const data = event.data as string;
    state.bytes += data.length;
    if (done) return;
    if (!data.startsWith(ACKED)) {
      if (/^\{"type":"(ack|error)","ref":1,/.test(data)) {
        throw new Error(`join failed: ${data.slice(0, 200)}`);
      }
      return;
    }
    state.acked++;
    state.lastAck = Date.now();
    settle();
  };
  ws.onerror = () => {};
  ws.onclose = () => {
    state.lost++;
    sockets.delete(ws);
    settle();
  };
}

console.log("loaded");
let input = "";
let started = false;
const ping = setInterval(() => {
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.OPEN) ws.send("ping");
  }
}, 10_000);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  input += chunk;
  if (!started && input.includes("go\n")) {
    started = true;
    cpuAtGo = cpuNow();
    const all = new Promise<void>((resolve) => onSettled = resolve);
    if (count === 0) onSettled();
    for (let i = 0; i < Math.min(window, count); i++) open();
    all.then(() => console.log(`joined ${JSON.stringify(state)}`));
  }
  if (input.includes("report\n")) report();
});
process.stdin.on("end", () => process.exit(0));

function report(): void {
  clearInterval(ping);
  state.cpuMs = cpuNow() - cpuAtGo;
  for (const ws of sockets) {
    ws.onclose = null;
    ws.close();
  }
  process.stdout.write(
    `final ${JSON.stringify(state)}\n`,
    () => process.exit(0),
  );
}
