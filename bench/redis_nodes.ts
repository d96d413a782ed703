/**
 * Fan-out through two nodes against one: one publisher on the Deno example
 * relay, 100 subscribers, on (a) one Deno relay with the memory store, (b)
 * one Deno relay on Redis, (c) a Deno and a Bun relay on the same Redis,
 * the subscribers split between them, (d) two Deno relays; then socket.io
 * 4.8 with `@socket.io/redis-adapter` (installed in a temporary directory, on Node) on
 * one node and on two, the same way. Prints deliveries per second, the
 * ratios against (a) measured in the same run, lifeline/socket.io, and the
 * Redis round trips (the commands the servers send) and Redis commands (in
 * scripts too) per published message, read from `INFO`.
 *
 * `deno task bench` runs it after the fan-out tables;
 * `deno run -A bench/redis_nodes.ts` alone. Deno only; skipped without Bun or
 * `redis-server`.
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "redis";
import { type RunningRedis, startRedis } from "../tools/redis_server.ts";
import { installPeers } from "./_npm.ts";
import {
  findBun,
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";

/** How big the runs are. */
export interface NodeSizes {
  /** Subscribers, split over the setup's nodes. */
  subscribers: number;
  /** Messages measured per run. */
  messages: number;
  /** Runs per setup; the table shows the median. */
  repeats: number;
}

const SIZES: NodeSizes = { subscribers: 100, messages: 2_000, repeats: 3 };
/** Publishes in flight, not yet acked. */
const IN_FLIGHT = 32;
/** Cap on one run, in ms: a capped run reports what it delivered. */
const RUN_CAP_MS = 30_000;

/** A socket that said hello and joined `bench`. */
async function member(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
  const joined = new Promise<void>((resolve, reject) => {
    ws.onmessage = ({ data }) => {
      const frame = JSON.parse(data as string);
      if (frame.type !== "ack" || frame.ref !== 1) return;
      if (frame.ok) resolve();
      else reject(new Error(`join failed: ${data}`));
    };
  });
  ws.send('{"type":"hello","v":1}');
  ws.send('{"type":"join","ref":1,"channel":"bench","echo":false}');
  await joined;
  ws.onmessage = null;
  return ws;
}

/** What a fan-out reads and writes on one kind of server's wire. */
interface FanOutWire {
  /** Whether `text`, received by a subscriber, is a published message. */
  delivery(text: string): boolean;
  /** The text of the `n`th acked publish. */
  publish(n: number): string;
  /** Whether `text`, received by the publisher, is an ack. */
  ack(text: string): boolean;
}

/** Publishes `count` messages (acked, `IN_FLIGHT` at a time) until every subscriber has them. */
async function fanOut(
  wire: FanOutWire,
  publisher: WebSocket,
  subscribers: WebSocket[],
  count: number,
): Promise<{ delivered: number; ms: number }> {
  const expected = subscribers.length * count;
  let delivered = 0;
  const all = Promise.withResolvers<void>();
  for (const ws of subscribers) {
    ws.onmessage = ({ data }) => {
      if (wire.delivery(data as string) && ++delivered === expected) {
        all.resolve();
      }
    };
  }
  let sent = 0;
  let acked = 0;
  const acks = Promise.withResolvers<void>();
  const send = () => publisher.send(wire.publish(++sent));
  publisher.onmessage = ({ data }) => {
    if (!wire.ack(data as string)) return;
    if (++acked === count) acks.resolve();
    else if (sent < count) send();
  };
  const start = performance.now();
  while (sent < Math.min(IN_FLIGHT, count)) send();
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all([acks.promise, all.promise]),
    new Promise((resolve) => timer = setTimeout(resolve, RUN_CAP_MS)),
  ]);
  clearTimeout(timer);
  for (const ws of subscribers) ws.onmessage = null;
  publisher.onmessage = null;
  return { delivered, ms: performance.now() - start };
}

const LIFELINE_WIRE: FanOutWire = {
  delivery: (text) => text.includes('"event":"tick"'),
  publish: (n) =>
    `{"type":"pub","ref":${n},"channel":"bench","event":"tick","data":${n},"echo":false}`,
  ack: (text) => text.startsWith('{"type":"ack"'),
};

/** socket.io's events; ack ids from 1000 up, past the join's 0. */
const SOCKET_IO_WIRE: FanOutWire = {
  delivery: (text) => text.startsWith('42["tick"'),
  publish: (n) => `42${1000 + n}["pub","bench",${n}]`,
  ack: (text) => text.startsWith("43"),
};

async function closeSockets(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) =>
    new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.onclose = () => resolve();
      ws.close();
    })
  ));
}

/**
 * A socket.io client in room `bench`, on a raw WebSocket speaking
 * engine.io 4 (`0` open, `40` connect, `2`/`3` ping and pong, `42[…]` an
 * event, `42<id>[…]`/`43<id>[…]` an event with its ack): as light as the
 * lifeline peers, which are raw WebSockets too.
 */
async function ioMember(url: string): Promise<WebSocket> {
  const ws = new WebSocket(
    `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`,
  );
  const joined = Promise.withResolvers<void>();
  ws.addEventListener("message", ({ data }) => {
    const text = data as string;
    if (text === "2") ws.send("3"); // the server's ping, all along
    else if (text.startsWith("0")) ws.send("40");
    else if (text.startsWith("40")) ws.send('420["join","bench"]');
    else if (text.startsWith("430")) joined.resolve();
  });
  ws.addEventListener("close", () => joined.reject(new Error("closed")));
  await joined.promise;
  return ws;
}

/** Redis's counters: script calls (round trips here) and all commands. */
async function redisCounts(
  command: (args: string[]) => Promise<unknown>,
  trips: string[],
): Promise<{ scripts: number; commands: number }> {
  const stats = String(await command(["INFO", "commandstats"]));
  const calls = (name: string) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  const info = String(await command(["INFO", "stats"]));
  return {
    scripts: trips.reduce((sum, name) => sum + calls(name), 0),
    commands: Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0),
  };
}

interface Row {
  name: string;
  perSecond: number;
  delivered: number;
  expected: number;
  roundTrips?: number;
  commands?: number;
}

/** How one kind of server is driven: connect a member, fan out, close. */
interface Driver<T> {
  member(url: string): Promise<T>;
  fanOut(
    publisher: T,
    subscribers: T[],
    count: number,
  ): Promise<{ delivered: number; ms: number }>;
  close(members: T[]): Promise<void>;
  /** The Redis commands it sends itself per message (the rest run in them). */
  trips: string[];
}

const LIFELINE: Driver<WebSocket> = {
  member,
  fanOut: (publisher, subscribers, count) =>
    fanOut(LIFELINE_WIRE, publisher, subscribers, count),
  close: closeSockets,
  trips: ["evalsha", "eval"],
};
const SOCKET_IO: Driver<WebSocket> = {
  member: ioMember,
  fanOut: (publisher, subscribers, count) =>
    fanOut(SOCKET_IO_WIRE, publisher, subscribers, count),
  close: closeSockets,
  trips: ["publish"],
};

/** Runs one setup `sizes.repeats` times; answers the median run. */
async function measure<T>(
  driver: Driver<T>,
  name: string,
  publisherUrl: string,
  subscriberUrls: string[],
  redis: ((args: string[]) => Promise<unknown>) | undefined,
  sizes: NodeSizes,
): Promise<Row> {
  const { subscribers: subscriberCount, messages } = sizes;
  const rows: Row[] = [];
  for (let repeat = 0; repeat < sizes.repeats; repeat++) {
    const sockets: T[] = [];
    try {
      for (let i = 0; i < subscriberCount; i++) {
        sockets.push(
          await driver.member(subscriberUrls[i % subscriberUrls.length]),
        );
      }
      const publisher = await driver.member(publisherUrl);
      sockets.push(publisher);
      const subscribers = sockets.slice(0, subscriberCount);
      await driver.fanOut(publisher, subscribers, 20); // warm up
      const before = redis && await redisCounts(redis, driver.trips);
      const { delivered, ms } = await driver.fanOut(
        publisher,
        subscribers,
        messages,
      );
      const after = redis && await redisCounts(redis, driver.trips);
      rows.push({
        name,
        perSecond: delivered / (ms / 1000),
        delivered,
        expected: subscriberCount * messages,
        ...(before && after
          ? {
            // Less the two INFO calls of each reading.
            roundTrips: (after.scripts - before.scripts) / messages,
            commands: (after.commands - before.commands - 2) / messages,
          }
          : {}),
      });
    } finally {
      await driver.close(sockets);
    }
  }
  rows.sort((a, b) => a.perSecond - b.perSecond);
  return rows[Math.floor(rows.length / 2)];
}

/**
 * The socket.io server, run by Node: a client's `join` puts it in a room,
 * its `pub` goes to everyone else in the room (like lifeline's
 * `echo: false`), acked. Prints the line `spawnServer` waits for.
 */
const SOCKET_IO_SERVER = `
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const pub = createClient({ url: process.env.REDIS_URL });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);
const http = createServer();
const io = new Server(http, { adapter: createAdapter(pub, sub), transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); ack(); });
  socket.on("pub", (room, data, ack) => { socket.to(room).emit("tick", data); ack(); });
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + http.address().port);
});
process.on("SIGTERM", () => { io.close(); pub.destroy(); sub.destroy(); process.exit(0); });
`;

/** socket.io 4.8, its Redis adapter and the server, in a temporary directory. */
function installSocketIo(): Promise<string> {
  return installPeers(
    "lifeline-socketio-",
    { "server.mjs": SOCKET_IO_SERVER },
    [
      "socket.io@4.8",
      "@socket.io/redis-adapter@8",
      "redis@5",
    ],
  );
}

/** Runs the two-node comparison and prints its table. */
export async function benchRedisNodes(
  sizes: NodeSizes = SIZES,
): Promise<void> {
  let redis: RunningRedis;
  try {
    await findBun();
    redis = await startRedis();
  } catch (error) {
    console.log(`skipping two nodes on Redis: ${(error as Error).message}`);
    return;
  }
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  const client = createClient({ url: redis.url });
  try {
    await client.connect();
    const command = (args: string[]) => client.sendCommand(args);
    const env = { LIFELINE_RATE: "0" };
    const redisEnv = { ...env, LIFELINE_REDIS_URL: redis.url };
    const ioDir = await installSocketIo();
    dirs.push(ioDir);
    const socketIo = () =>
      spawnServer({
        name: "socket.io",
        command: "node",
        args: [join(ioDir, "server.mjs")],
        env: { REDIS_URL: redis.url },
        cwd: pathToFileURL(ioDir + "/"),
        wsPath: "",
      });
    const [memory, deno, deno2, bun, io1, io2] = await Promise.all([
      spawnExampleRelay("deno", env),
      spawnExampleRelay("deno", redisEnv),
      spawnExampleRelay("deno", redisEnv),
      spawnExampleRelay("bun", redisEnv),
      socketIo(),
      socketIo(),
    ]);
    servers.push(memory, deno, deno2, bun, io1, io2);
    const lifeline = (name: string, urls: string[]) =>
      measure(LIFELINE, name, urls[0], urls, command, sizes);
    const rows = [
      await measure(
        LIFELINE,
        "one node, memory",
        memory.url,
        [
          memory.url,
        ],
        undefined,
        sizes,
      ),
      await lifeline("one node, Redis", [deno.url]),
      await lifeline("two nodes (Deno + Bun), Redis", [deno.url, bun.url]),
      await lifeline("two nodes (Deno + Deno), Redis", [deno.url, deno2.url]),
      await measure(
        SOCKET_IO,
        "socket.io, one node (Node)",
        io1.httpUrl,
        [
          io1.httpUrl,
        ],
        command,
        sizes,
      ),
      await measure(
        SOCKET_IO,
        "socket.io, two nodes (Node)",
        io1.httpUrl,
        [
          io1.httpUrl,
          io2.httpUrl,
        ],
        command,
        sizes,
      ),
    ];
    const base = rows[0].perSecond;
    console.log(
      `\nfan-out through nodes: 1 publisher (Deno node), ${sizes.subscribers} subscribers, ${sizes.messages} messages, median of ${sizes.repeats}`,
    );
    console.log(
      "setup                           del/s  vs memory  round trips/msg  commands/msg",
    );
    for (const row of rows) {
      const short = row.delivered < row.expected
        ? ` (capped: ${row.delivered}/${row.expected})`
        : "";
      console.log(
        [
          row.name.padEnd(30),
          Math.round(row.perSecond).toString().padStart(7),
          (row.perSecond / base).toFixed(2).padStart(10),
          (row.roundTrips?.toFixed(2) ?? "-").padStart(16),
          (row.commands?.toFixed(1) ?? "-").padStart(13),
        ].join(" ") + short,
      );
    }
    const ratio = (a: number, b: number) =>
      (rows[a].perSecond / rows[b].perSecond).toFixed(2);
    console.log(
      `lifeline / socket.io 4.8 with @socket.io/redis-adapter: one node ${
        ratio(1, 4)
      }, two nodes ${ratio(3, 5)} (deliveries per second).`,
    );
    console.log(
      "round trips: the commands the servers send Redis per published message (lifeline: script calls; socket.io: PUBLISH); commands: every Redis command run, those inside scripts too.",
    );
  } finally {
    client.destroy();
    await Promise.all(servers.map((s) => s.stop()));
    await redis.stop();
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await benchRedisNodes();
