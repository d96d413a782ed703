/**
 * The client's own cost per message, in one process and without a network:
 * a `RealtimeManager` joined to a channel (through an in-process relay, for
 * the real welcome and join ack), then fed `msg` frames straight from its
 * socket, each dispatched as a `MessageEvent` the way a runtime's WebSocket
 * does, to one `on("tick")` listener. Two trees' modules are measured in
 * turn, round after round, and the medians and their ratio printed:
 * nanoseconds of CPU time of client work per message (decode, recovery order, dispatch),
 * and the floor: a bare socket's listener that only decodes and counts.
 *
 * `deno run -A bench/_client_core_run.ts <mod.ts URL> [<baseline mod.ts URL>]`
 * (or `bun bench/_client_core_run.ts …`, `node …`: it needs only web APIs);
 * `bench/stack.ts` runs it before the whole-stack table.
 *
 * @module
 */

import process from "node:process";

/** The little of the package this bench uses, in every version. */
interface Package {
  RealtimeManager: new (url: string, options: {
    WebSocket: unknown;
  }) => {
    join(channel: string): Promise<void>;
    on(event: string, listener: (message: { message: unknown }) => void): void;
    close(): Promise<void>;
  };
}

interface RelayPackage {
  Relay: new (options: { limits: { rate: number } }) => {
    open(socket: { send(text: string): void; close(): void }): {
      message(data: string): void;
      close(code?: number, reason?: string): void;
    };
    close(): void;
  };
}

/**
 * This process's CPU time (user and system), in ms: on a machine shared
 * with other work it counts only what this process spent, where wall time
 * would count the others' time slices too.
 */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Messages per round, and measured rounds per tree. */
const MESSAGES = 50_000;
const ROUNDS = 9;

/** One manager on an in-process relay; then fed frames by the bench. */
async function joined(
  pkg: Package,
  relayPkg: RelayPackage,
): Promise<{
  feed(frames: string[]): void;
  heard(): number;
  close(): Promise<void>;
}> {
  const relay = new relayPkg.Relay({ limits: { rate: 0 } });
  let socket: EventTarget & { readyState: number } | undefined;
  class LoopSocket extends EventTarget {
    readyState = 0;
    protocol = "";
    extensions = "";
    bufferedAmount = 0;
    binaryType = "arraybuffer";
    #connection;
    constructor() {
      super();
      socket = this;
      this.#connection = relay.open({
        send: (text) =>
          queueMicrotask(() =>
            this.dispatchEvent(new MessageEvent("message", { data: text }))
          ),
        close: () => {},
      });
      queueMicrotask(() => {
        this.readyState = 1;
        this.dispatchEvent(new Event("open"));
      });
    }
    send(text: string): void {
      queueMicrotask(() => this.#connection.message(text));
    }
    close(): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.#connection.close(1000, "");
      queueMicrotask(() =>
        this.dispatchEvent(
          new CloseEvent("close", { code: 1000, reason: "", wasClean: true }),
        )
      );
    }
  }
  const manager = new pkg.RealtimeManager("ws://loop.test/ws", {
    WebSocket: LoopSocket,
  });
  await manager.join("bench");
  let count = 0;
  manager.on("tick", () => void count++);
  return {
    feed(frames) {
      for (const data of frames) {
        socket!.dispatchEvent(new MessageEvent("message", { data }));
      }
    },
    heard: () => count,
    async close() {
      await manager.close();
      relay.close();
    },
  };
}

/** `msg` frames at offsets 1… in the channel joined (the relay's offset is 0). */
function frames(): string[] {
  const list: string[] = [];
  for (let i = 1; i <= MESSAGES; i++) {
    list.push(
      `{"type":"msg","channel":"bench","offset":${i},"event":"tick","data":${i},"sender":"s1"}`,
    );
  }
  return list;
}

async function round(
  pkg: Package,
  relayPkg: RelayPackage,
  list: string[],
): Promise<number> {
  const client = await joined(pkg, relayPkg);
  const start = cpuNow();
  client.feed(list);
  const elapsed = cpuNow() - start;
  const heard = client.heard();
  await client.close();
  if (heard !== list.length) {
    throw new Error(`expected ${list.length} messages, heard ${heard}`);
  }
  return (elapsed * 1e6) / list.length;
}

/** The floor: a bare socket whose one listener decodes each frame and counts. */
function bareRound(list: string[]): number {
  const socket = new EventTarget();
  let count = 0;
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse((event as MessageEvent).data);
    if (frame.type === "msg" && frame.event === "tick") count++;
  });
  const start = cpuNow();
  for (const data of list) {
    socket.dispatchEvent(new MessageEvent("message", { data }));
  }
  const elapsed = cpuNow() - start;
  if (count !== list.length) throw new Error(`bare heard ${count}`);
  return (elapsed * 1e6) / list.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Nanoseconds per message, medians: this tree's and the baseline's. */
export interface ClientCoreResult {
  current: number;
  baseline?: number;
  /** A bare socket's listener that only decodes (`JSON.parse`) and counts. */
  bare: number;
}

/** Measures the trees of `modUrl` (and `baselineUrl`), interleaved. */
export async function measureClientCore(
  modUrl: string,
  baselineUrl?: string,
): Promise<ClientCoreResult> {
  const load = async (url: string): Promise<[Package, RelayPackage]> => [
    await import(url),
    await import(new URL("src/relay/mod.ts", url).href),
  ];
  const trees = [await load(modUrl)];
  if (baselineUrl !== undefined) trees.push(await load(baselineUrl));
  const list = frames();
  const results: number[][] = trees.map(() => []);
  const bare: number[] = [];
  bareRound(list);
  for (const tree of trees) await round(...tree, list); // warm up
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so that neither always follows the other.
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const t of order) {
      if (t < trees.length) results[t].push(await round(...trees[t], list));
    }
    bare.push(bareRound(list));
  }
  return {
    current: median(results[0]),
    baseline: results[1] === undefined ? undefined : median(results[1]),
    bare: median(bare),
  };
}

if (import.meta.main) {
  // process.argv, not Deno.args: Bun and Node run this file too.
  const [modUrl, baselineUrl] = process.argv.slice(2);
  console.log(JSON.stringify(await measureClientCore(modUrl, baselineUrl)));
}
