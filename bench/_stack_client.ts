/**
 * One process of clients for `bench/stack.ts`, run by Deno, Bun or Node
 * (22.18 or later, which runs TypeScript): it uses only what all three
 * have (`process.argv`, `node:readline`, the global `WebSocket`).
 *
 * - `deno run -A bench/_stack_client.ts sub <mod.ts URL> <ws URL> <clients> <messages>`
 *   opens `<clients>` `RealtimeManager`s (from the module at `<mod.ts URL>`:
 *   this checkout's or a baseline tree's), joins each to `bench`, prints
 *   `ready`, then counts the `tick` messages each receives and prints
 *   `done <delivered> <faults>` once every client has all `<messages>`
 *   (faults: a message missing, repeated or out of order, per client).
 * - `… raw <mod.ts URL> <ws URL> <clients> <messages>`: the same with bare
 *   WebSockets that `JSON.parse` each frame and count: the floor of a
 *   client on this runtime.
 * - `… pub <mod.ts URL> <ws URL> <messages> <window>` opens one, joins,
 *   prints `ready`, and on the line `go` on its stdin sends `<messages>`
 *   acked messages, at most `<window>` unacked, then prints `acked`.
 *
 * The line `count` on stdin makes a subscriber print `count <delivered>`
 * (for a run that hit its cap). Every process exits when its stdin closes.
 *
 * @module
 */

interface Manager {
  join(channel: string): Promise<void>;
  send(
    channel: string,
    event: string,
    message: unknown,
    echo?: boolean,
  ): Promise<void>;
  on(event: string, listener: (message: { message: unknown }) => void): void;
  close(): Promise<void>;
}

const CHANNEL = "bench";
/** Clients connecting at once. */
const CONNECT_BATCH = 25;

import process from "node:process";
import { createInterface } from "node:readline";

const [role, modUrl, url, ...rest] = process.argv.slice(2);
const { RealtimeManager } = await import(modUrl) as {
  RealtimeManager: new (url: string) => Manager;
};

async function connect(count: number): Promise<Manager[]> {
  const managers: Manager[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch: Manager[] = [];
    for (let j = i; j < Math.min(count, i + CONNECT_BATCH); j++) {
      batch.push(new RealtimeManager(url));
    }
    await Promise.all(batch.map((m) => m.join(CHANNEL)));
    managers.push(...batch);
  }
  return managers;
}

/** The lines of stdin, until it closes (buffered from here on). */
const lines: AsyncIterable<string> = createInterface({
  input: process.stdin,
})[Symbol.asyncIterator]() as AsyncIterableIterator<string>;

if (role === "sub") {
  const [clients, messages] = rest.map(Number);
  const managers = await connect(clients);
  let delivered = 0;
  let faults = 0;
  let complete = 0;
  for (const manager of managers) {
    let last = 0;
    manager.on("tick", ({ message }) => {
      delivered++;
      if (message !== last + 1) faults++;
      last = message as number;
      if (last === messages && ++complete === clients) {
        console.log(`done ${delivered} ${faults}`);
      }
    });
  }
  console.log("ready");
  for await (const line of lines) {
    if (line === "count") console.log(`count ${delivered}`);
  }
  await Promise.all(managers.map((m) => m.close()));
} else if (role === "raw") {
  // The floor: a bare WebSocket per subscriber that decodes each frame
  // (JSON.parse) and counts, with no library at all.
  const [clients, messages] = rest.map(Number);
  const sockets: WebSocket[] = [];
  let delivered = 0;
  let faults = 0;
  let complete = 0;
  for (let i = 0; i < clients; i++) {
    const ws = new WebSocket(url);
    const joined = Promise.withResolvers<void>();
    let last = 0;
    ws.onmessage = ({ data }) => {
      const frame = JSON.parse(data as string);
      if (frame.type === "ack" && frame.ref === 1) return joined.resolve();
      if (frame.type !== "msg" || frame.event !== "tick") return;
      delivered++;
      if (frame.data !== last + 1) faults++;
      last = frame.data;
      if (last === messages && ++complete === clients) {
        console.log(`done ${delivered} ${faults}`);
      }
    };
    ws.onopen = () => {
      ws.send('{"type":"hello","v":1}');
      ws.send(`{"type":"join","ref":1,"channel":"${CHANNEL}"}`);
    };
    await joined.promise;
    sockets.push(ws);
  }
  console.log("ready");
  for await (const line of lines) {
    if (line === "count") console.log(`count ${delivered}`);
  }
  for (const ws of sockets) ws.close();
} else if (role === "pub") {
  const [messages, window] = rest.map(Number);
  const [manager] = await connect(1);
  console.log("ready");
  for await (const line of lines) {
    if (line !== "go") continue;
    let sent = 0;
    const sender = async () => {
      while (sent < messages) {
        await manager.send(CHANNEL, "tick", ++sent, false);
      }
    };
    await Promise.all(Array.from({ length: window }, sender));
    console.log("acked");
  }
  await manager.close();
} else {
  throw new Error(`unknown role ${role}`);
}
