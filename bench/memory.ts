/**
 * Memory per connection: N WebSockets (10,000 by default) held open against
 * the example relay, each after `hello` and `join` (rooms of 10, so the
 * join cost of one huge channel stays out of it), against the raw runtime
 * (`raw_bun.ts`, `raw_deno.ts`: a bare `Bun.serve` / `Deno.serve` holding
 * the same N sockets, answering the same `hello` and `join` and keeping each
 * socket in its room) in the same run, on Bun and Deno. The figure is the
 * server process's resident memory after the N are open, less what it was
 * before, over N. Beside it, the second half's cost (what it gained while
 * the second N/2 opened, over N/2): lower on every server (what the first
 * half grew, tables and allocator pages, serves the second), and noisier
 * (Deno's collector), so only a cross-check. The clients run in separate Deno processes
 * (`_hold_clients.ts`) on loopback; every process is stopped by its pid.
 *
 * `deno task bench:memory [--connections N] [--runs R] [--runtimes bun,deno]
 * [--settle MS] [--json bench/results/memory.json]`: R alternating runs per
 * target, the median printed with the ratio to raw; the server settles
 * `--settle` ms (5000 by default: Bun collects its garbage lazily) before each reading.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  findBun,
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";
import { machine, median, writeResults } from "./_report.ts";
import { halt } from "../tools/halt.ts";

/** The server side of one measurement. */
export type MemoryKind = "lifeline" | "raw";
/** The runtimes measured. */
export type MemoryRuntime = "bun" | "deno";

/** One run's figure. */
export interface MemoryRun {
  runtime: MemoryRuntime;
  kind: MemoryKind;
  connections: number;
  /** Bytes of resident memory the server gained per connection. */
  bytesPerConnection: number;
  /** Bytes of resident memory gained per connection of the second N/2. */
  secondHalf: number;
  /** The server's resident memory with every connection open, in bytes. */
  rss: number;
  /**
   * Bytes of JavaScript heap in use the server gained per connection
   * (garbage not yet collected included): what of the figure is objects.
   */
  heapPerConnection: number;
}

/** Client processes the connections are spread over. */
const CLIENT_PROCESSES = 2;
/** Ms the server is left to settle before each reading. */
const SETTLE_MS = 5_000;
/** Cap on opening every connection of one run, in ms. */
const OPEN_CAP_MS = 120_000;

async function readStats(
  server: RunningServer,
): Promise<{ rss: number; heap: number; connections: number }> {
  const response = await fetch(`${server.httpUrl}/stats`);
  const body = await response.json() as {
    connections: number;
    memory: { rss: number; heapUsed: number };
  };
  const { rss, heapUsed: heap } = body.memory;
  return { rss, heap, connections: body.connections };
}

/** Starts the server measured: the example relay or the raw runtime. */
export async function startTarget(
  runtime: MemoryRuntime,
  kind: MemoryKind,
): Promise<RunningServer> {
  if (kind === "lifeline") return await spawnExampleRelay(runtime);
  const script = new URL(`./raw_${runtime}.ts`, import.meta.url).pathname;
  if (runtime === "bun") {
    return await spawnServer({
      name: "raw bun",
      command: await findBun(),
      args: [script],
    });
  }
  return await spawnServer({
    name: "raw deno",
    command: Deno.execPath(),
    args: ["run", "-A", script],
  });
}

/** A client process holding sockets open; `stop()` ends it by its pid. */
export interface HeldClients {
  /** Resolves once every socket is open (and joined, with `hello`). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Spawns `processes` client processes that open `total` sockets to `url`
 * between them (with `hello`, each says hello and joins its room), numbered
 * from `offset` (which sets their rooms).
 */
export function holdClients(
  url: string,
  total: number,
  hello: boolean,
  processes = CLIENT_PROCESSES,
  offset = 0,
): HeldClients {
  const script = new URL("./_hold_clients.ts", import.meta.url).pathname;
  const per = Math.ceil(total / processes);
  const children: Deno.ChildProcess[] = [];
  const readies: Promise<void>[] = [];
  for (let p = 0, first = 0; first < total; p++, first += per) {
    const count = Math.min(per, total - first);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        script,
        `--url=${url}`,
        `--count=${count}`,
        `--first=${offset + first}`,
        `--timeout=${OPEN_CAP_MS + 60_000}`,
        ...(hello ? ["--hello"] : []),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    children.push(child);
    readies.push(waitReady(child, count));
  }
  let stopped: Promise<void> | undefined;
  return {
    ready: Promise.all(readies).then(() => {}),
    stop: () =>
      stopped ??= Promise.all(children.map(async (child) => {
        await halt(child, 5_000);
        await child.stdin.close().catch(() => {});
      })).then(() => {}),
  };
}

/** Resolves when `child` prints `ready <count>`; rejects when it exits first. */
async function waitReady(child: Deno.ChildProcess, count: number) {
  const errors: string[] = [];
  const stderr = (async () => {
    for await (
      const text of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      errors.push(text);
      if (errors.length > 20) errors.shift();
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capped = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`clients not ready within ${OPEN_CAP_MS} ms`)),
      OPEN_CAP_MS,
    );
  });
  const ready = (async () => {
    let seen = "";
    for await (
      const text of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      seen += text;
      if (seen.includes(`ready ${count}`)) {
        // Keep draining so the child never blocks on a full pipe.
        stderr.catch(() => {});
        return;
      }
    }
    await stderr;
    throw new Error(`client process exited early:\n${errors.join("")}`);
  })();
  try {
    await Promise.race([ready, capped]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One measurement: start the server, open N/2, read its memory, open N/2
 * more, read it again, stop all.
 */
export async function measureMemory(
  runtime: MemoryRuntime,
  kind: MemoryKind,
  connections: number,
  settleMs = SETTLE_MS,
): Promise<MemoryRun> {
  const server = await startTarget(runtime, kind);
  const batches: HeldClients[] = [];
  const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
  try {
    // Warm the HTTP path so the first reading is not what it costs.
    await readStats(server);
    await settle();
    const before = await readStats(server);
    const half = Math.floor(connections / 2);
    // The raw servers answer hello and join too (a room each, as an app
    // would): the same workload on both sides.
    batches.push(holdClients(server.url, half, true));
    await batches[0].ready;
    await settle();
    const middle = await readStats(server);
    batches.push(
      holdClients(server.url, connections - half, true, undefined, half),
    );
    await batches[1].ready;
    await settle();
    const after = await readStats(server);
    if (after.connections < connections) {
      throw new Error(
        `${runtime} ${kind}: ${after.connections} of ${connections} connected`,
      );
    }
    const added = connections - half;
    return {
      runtime,
      kind,
      connections,
      bytesPerConnection: (after.rss - before.rss) / connections,
      secondHalf: (after.rss - middle.rss) / added,
      rss: after.rss,
      heapPerConnection: (after.heap - before.heap) / connections,
    };
  } finally {
    await Promise.all(batches.map((batch) => batch.stop()));
    await server.stop();
  }
}

/** A target's median over the runs, and its ratio to raw. */
export interface MemoryRow {
  runtime: MemoryRuntime;
  kind: MemoryKind;
  kbPerConnection: number;
  /** The median KB per connection of the second N/2 (a cross-check). */
  kbSecondHalf: number;
  /** Lifeline over raw, on the same runtime; 1 for raw. */
  ratio: number;
  runs: number[];
}

/**
 * `runs` alternating runs (raw first, then lifeline first, …) per runtime;
 * the medians in KB per connection and the lifeline/raw ratios.
 */
export async function benchMemory(
  options: {
    connections: number;
    runs: number;
    runtimes: readonly MemoryRuntime[];
    /** Ms the server settles before each reading. @default {5000} */
    settleMs?: number;
    log?: (line: string) => void;
  },
): Promise<MemoryRow[]> {
  const { connections, runs, runtimes, log = console.log } = options;
  const settle = options.settleMs ?? SETTLE_MS;
  const rows: MemoryRow[] = [];
  for (const runtime of runtimes) {
    const figures: Record<MemoryKind, number[]> = { lifeline: [], raw: [] };
    const secondHalf: Record<MemoryKind, number[]> = { lifeline: [], raw: [] };
    for (let run = 0; run < runs; run++) {
      const order: MemoryKind[] = run % 2 === 0
        ? ["raw", "lifeline"]
        : ["lifeline", "raw"];
      for (const kind of order) {
        const result = await measureMemory(
          runtime,
          kind,
          connections,
          settle,
        );
        const kb = result.bytesPerConnection / 1024;
        figures[kind].push(kb);
        secondHalf[kind].push(result.secondHalf / 1024);
        log(
          `  ${runtime} ${kind} run ${run + 1}: ${
            kb.toFixed(1)
          } KB/connection` +
            ` (second half ${(result.secondHalf / 1024).toFixed(1)} KB)` +
            ` (heap ${(result.heapPerConnection / 1024).toFixed(1)} KB of it;` +
            ` rss ${(result.rss / 2 ** 20).toFixed(0)} MB)`,
        );
      }
    }
    const raw = median(figures.raw);
    const lifeline = median(figures.lifeline);
    rows.push({
      runtime,
      kind: "raw",
      kbPerConnection: raw,
      kbSecondHalf: median(secondHalf.raw),
      ratio: 1,
      runs: figures.raw,
    });
    rows.push({
      runtime,
      kind: "lifeline",
      kbPerConnection: lifeline,
      kbSecondHalf: median(secondHalf.lifeline),
      ratio: lifeline / raw,
      runs: figures.lifeline,
    });
  }
  return rows;
}

/** Prints the rows as a table. */
export function printMemory(rows: readonly MemoryRow[]): void {
  console.log("runtime  server    KB/connection  × raw  (second half)");
  for (const row of rows) {
    console.log(
      `${row.runtime.padEnd(8)} ${row.kind.padEnd(9)} ${
        row.kbPerConnection.toFixed(1).padStart(13)
      }  ${row.ratio.toFixed(2).padStart(5)}  (${row.kbSecondHalf.toFixed(1)})`,
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      connections: { type: "string", default: "10000" },
      runs: { type: "string", default: "5" },
      runtimes: { type: "string", default: "bun,deno" },
      json: { type: "string", default: "bench/results/memory.json" },
      settle: { type: "string", default: String(SETTLE_MS) },
    },
  });
  const connections = Number(values.connections);
  const runs = Number(values.runs);
  const runtimes = values.runtimes.split(",") as MemoryRuntime[];
  const info = await machine();
  console.log(
    `memory per connection: ${connections} connections after hello + join ` +
      `(rooms of 10), ${runs} alternating runs, medians; ${info.summary}`,
  );
  const settleMs = Number(values.settle);
  const rows = await benchMemory({ connections, runs, runtimes, settleMs });
  printMemory(rows);
  if (values.json) {
    await writeResults(values.json, {
      bench: "memory",
      connections,
      runs,
      machine: info,
      rows,
    });
  }
}
