/**
 * A client process of the memory and storm benchmarks: opens `--count`
 * WebSockets to `--url`, and with `--hello` says `hello` and joins channel
 * `room-<i / --room-size>` on each, then prints `ready <count>` and holds
 * them until SIGTERM (or stdin closes), when it closes them and exits.
 * Loopback only; every step is bounded by `--timeout` ms.
 *
 * @module
 */

import process from "node:process";
import { clientArgs } from "./_client_args.ts";

const { url, count, first, roomSize, batch, timeout, hello } = clientArgs(
  process.argv.slice(2),
  { count: 1_000, batch: 200, timeout: 120_000 },
);
const started = Date.now();

/** Opens one socket and, with `--hello`, joins its room; resolves when done. */
function open(index: number): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("open timed out")), 30_000);
    const done = () => clearTimeout(timer);
    ws.onerror = () => {};
    ws.onclose = () => {
      done();
      reject(new Error(`socket ${index} closed while opening`));
    };
    ws.onopen = () => {
      if (!hello) {
        done();
        return resolve(ws);
      }
      ws.send(JSON.stringify({ type: "hello", v: 1 }));
      ws.send(JSON.stringify({
        type: "join",
        ref: 1,
        channel: `room-${Math.floor(index / roomSize)}`,
        echo: false,
      }));
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== "string" || !event.data.includes('"ref":1')) {
        return;
      }
      done();
      ws.onmessage = null;
      if (!JSON.parse(event.data).ok) {
        reject(new Error(`join failed: ${event.data}`));
      } else resolve(ws);
    };
  });
}

const sockets: WebSocket[] = [];
for (let i = 0; i < count; i += batch) {
  if (Date.now() - started > timeout) throw new Error("opening timed out");
  const opened = await Promise.all(
    Array.from(
      { length: Math.min(batch, count - i) },
      (_, j) => open(first + i + j),
    ),
  );
  sockets.push(...opened);
}
for (const ws of sockets) ws.onclose = null;
console.log(`ready ${sockets.length}`);

const stop = () => {
  for (const ws of sockets) ws.close();
  setTimeout(() => Deno.exit(0), 200);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
setTimeout(() => Deno.exit(2), timeout); // bounded: never outlives the bench
process.stdin.on("end", stop);
process.stdin.resume();
