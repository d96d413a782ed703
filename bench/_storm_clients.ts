/**
 * A client process of the reconnect storm (`./storm.ts`): `--count`
 * `RealtimeManager`s to `--url`, each in channel `room-<i / 10>`. Prints
 * `ready <count>` once all have joined. Every WebSocket it opens is an
 * attempt, timed on the wall clock (the same in every process of the
 * machine). From the line `mark` on stdin it counts the close codes of its
 * sockets; on the line `report` it prints `closes <JSON: [time, code][]>`
 * and `attempts <JSON array of times>` and exits; it exits on its own after
 * `--timeout` ms, and when stdin closes.
 *
 * @module
 */

import { RealtimeManager } from "../mod.ts";
import { clientArgs } from "./_client_args.ts";

const { url, count, first, roomSize, batch, timeout } = clientArgs(Deno.args, {
  count: 100,
  batch: 250,
  timeout: 180_000,
});
setTimeout(() => Deno.exit(2), timeout); // bounded

const attempts: number[] = [];
/** Close codes (0 on Deno: refused, or dropped without a close frame) counted from the line `mark`. */
const closes: [number, number][] = [];
let counting = false;
/** The runtime's WebSocket, counting each attempt and each close's code. */
class CountingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[] | object) {
    attempts.push(Date.now());
    super(url, protocols as string | string[] | undefined);
    this.addEventListener("close", (event) => {
      if (counting) closes.push([Date.now(), event.code]);
    });
  }
}

const managers: RealtimeManager[] = [];
for (let i = 0; i < count; i += batch) {
  const joins: Promise<void>[] = [];
  for (let j = i; j < Math.min(count, i + batch); j++) {
    const manager = new RealtimeManager(url, { WebSocket: CountingWebSocket });
    managers.push(manager);
    joins.push(manager.join(`room-${Math.floor((first + j) / roomSize)}`));
  }
  await Promise.all(joins);
}
console.log(`ready ${count}`);

const decoder = new TextDecoder();
let input = "";
for await (const chunk of Deno.stdin.readable) {
  input += decoder.decode(chunk);
  if (input.includes("mark\n")) counting = true;
  if (input.includes("report\n")) {
    console.log(`closes ${JSON.stringify(closes)}`);
    console.log(`attempts ${JSON.stringify(attempts)}`);
    break;
  }
}
Deno.exit(0);
