/**
 * Reconnect storm: N clients (`RealtimeManager`, 10,000 by default, in a few
 * client processes, `./_storm_clients.ts`) in channels of 10 on one example
 * relay, which is then stopped (SIGKILL by default, as a crash; `--graceful`
 * sends SIGTERM, so the relay says `bye` with its retry hint) and started
 * again on the same port. Prints the time until every client has rejoined
 * its channel (the relay's `members` count back to N), the attempts per
 * 100 ms window as a text histogram, the largest window's share, and the
 * relay's peak resident memory (sampled every 100 ms).
 *
 * `deno task bench:storm [--clients N] [--runtime bun|deno] [--processes P]
 * [--graceful] [--json bench/results/storm.json]`. Loopback only; every
 * process is stopped by its pid.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  findBun,
  type RunningServer,
  spawnExampleRelay,
} from "../tools/servers.ts";
import { machine, writeResults } from "./_report.ts";
import { halt } from "../tools/halt.ts";

/** What one storm measured. */
export interface StormResult {
  runtime: "bun" | "deno";
  clients: number;
  graceful: boolean;
  /** Ms from the stop until every client had rejoined; -1 past the cap. */
  rejoinMs: number;
  /** Members in the relay's channels when every client had rejoined, or at the cap. */
  rejoined: number;
  /** Ms from the stop until the new relay listened again. */
  downMs: number;
  /** Connection attempts after the stop. */
  attempts: number;
  /** Attempts per 100 ms window from the stop, window 0 first. */
  histogram: number[];
  /** The largest window's share of the attempts, 0 to 1. */
  peakShare: number;
  /**
   * The clients' sockets closed after the stop, by close code: `1012` the
   * relay's bye, `0` what Deno's WebSocket reports for a socket refused or
   * dropped without a close frame.
   */
  closes: Record<string, number>;
  /** The same, of the closes once the new relay listened. */
  closesAfterRestart: Record<string, number>;
  /** The restarted relay's peak resident memory, in bytes. */
  peakRss: number;
}

/** The histogram's window, in ms. */
export const WINDOW_MS = 100;
/** Cap on the clients' first join, and on their rejoin, in ms. */
const CAP_MS = 120_000;

/** A free loopback port. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The relay's member count and resident memory, from its `/stats`. */
export async function relayStats(
  server: RunningServer,
): Promise<{ members: number; rss: number; heap: number; cpu: number }> {
  const response = await fetch(`${server.httpUrl}/stats`);
  const body = await response.json() as {
    members: number;
    memory: { rss: number; heapUsed: number };
    cpu: { user: number; system: number };
  };
  const cpu = body.cpu.user + body.cpu.system;
  const { rss, heapUsed: heap } = body.memory;
  return { members: body.members, rss, heap, cpu };
}

/** A client process: its stdout lines in order, and its exit. */
export class ClientProcess {
  readonly child: Deno.ChildProcess;
  #lines: string[] = [];
  #waiters = new Set<() => void>();
  #errors: string[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array>;

  /** Runs `command` (this Deno by default) with `args` and `env`. */
  constructor(
    args: string[],
    command: string = Deno.execPath(),
    env?: Record<string, string>,
  ) {
    this.child = new Deno.Command(command, {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#read(this.child.stdout, (line) => this.#lines.push(line));
    this.#read(this.child.stderr, (line) => {
      this.#errors.push(line);
      if (this.#errors.length > 20) this.#errors.shift();
    });
  }

  async #read(stream: ReadableStream<Uint8Array>, onLine: (s: string) => void) {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      for (const line of lines) onLine(line);
      for (const wake of this.#waiters) wake();
    }
    if (rest) onLine(rest);
    for (const wake of this.#waiters) wake();
  }

  /** The first line starting with `prefix`, within `ms`. */
  async line(prefix: string, ms: number): Promise<string> {
    const until = Date.now() + ms;
    let exited = false;
    this.child.status.then(() => exited = true);
    while (Date.now() < until) {
      const found = this.#lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found;
      if (exited) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 200);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      }).finally(() => this.#waiters.clear());
    }
    throw new Error(
      `client process: no '${prefix}' line within ${ms} ms:\n${
        this.#errors.join("\n")
      }`,
    );
  }

  async send(text: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Stops it by its pid: SIGTERM, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    await halt(this.child, 5_000);
    await this.#writer.close().catch(() => {});
  }
}

/** One storm; see the module's documentation. */
export async function storm(options: {
  clients: number;
  runtime: "bun" | "deno";
  processes: number;
  graceful: boolean;
  log?: (line: string) => void;
}): Promise<StormResult> {
  const { clients, runtime, processes, graceful, log = console.log } = options;
  const port = String(freePort());
  const env = { PORT: port };
  let server: RunningServer | undefined = await spawnExampleRelay(
    runtime,
    env,
  );
  const script = new URL("./_storm_clients.ts", import.meta.url).pathname;
  const children: ClientProcess[] = [];
  try {
    const per = Math.ceil(clients / processes);
    for (let first = 0; first < clients; first += per) {
      children.push(
        new ClientProcess([
          "run",
          "-A",
          script,
          `--url=${server.url}`,
          `--count=${Math.min(per, clients - first)}`,
          `--first=${first}`,
          `--timeout=${3 * CAP_MS}`,
        ]),
      );
    }
    await Promise.all(children.map((child) => child.line("ready", CAP_MS)));
    const joined = await relayStats(server);
    if (joined.members !== clients) {
      throw new Error(`${joined.members} of ${clients} joined`);
    }
    log(`  ${clients} clients joined; stopping the relay`);
    for (const child of children) await child.send("mark\n");
    const stoppedAt = Date.now();
    if (graceful) await server.stop();
    else await server.kill!();
    server = undefined;
    server = await spawnExampleRelay(runtime, env);
    const downMs = Date.now() - stoppedAt;
    log(`  relay back after ${downMs} ms`);
    let peakRss = 0;
    let rejoinMs = -1;
    let rejoined = 0;
    let logged = 0;
    while (Date.now() - stoppedAt < CAP_MS) {
      const now = await relayStats(server);
      peakRss = Math.max(peakRss, now.rss);
      rejoined = now.members;
      if (now.members >= clients) {
        rejoinMs = Date.now() - stoppedAt;
        break;
      }
      if (Date.now() - logged >= 5_000) {
        logged = Date.now();
        log(`  ${now.members} rejoined after ${logged - stoppedAt} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    }
    const times: number[] = [];
    const closes: Record<string, number> = {};
    const closesAfterRestart: Record<string, number> = {};
    for (const child of children) {
      await child.send("report\n");
      const counts = await child.line("closes ", 30_000);
      const parsed = JSON.parse(counts.slice("closes ".length));
      for (const [at, code] of parsed as [number, number][]) {
        closes[code] = (closes[code] ?? 0) + 1;
        if (at < stoppedAt + downMs) continue;
        closesAfterRestart[code] = (closesAfterRestart[code] ?? 0) + 1;
      }
      const line = await child.line("attempts ", 30_000);
      for (const at of JSON.parse(line.slice("attempts ".length))) {
        if (at >= stoppedAt) times.push(at);
      }
    }
    const histogram: number[] = [];
    for (const at of times) {
      const window = Math.floor((at - stoppedAt) / WINDOW_MS);
      while (histogram.length <= window) histogram.push(0);
      histogram[window]++;
    }
    const peakShare = times.length === 0
      ? 0
      : Math.max(...histogram) / times.length;
    return {
      runtime,
      clients,
      graceful,
      rejoinMs,
      rejoined,
      downMs,
      closes,
      closesAfterRestart,
      attempts: times.length,
      histogram,
      peakShare,
      peakRss,
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await server?.stop();
  }
}

/**
 * The histogram as text: one line per window that saw attempts; `group`
 * windows add up to one line (1: every 100 ms window).
 */
export function histogramText(
  histogram: readonly number[],
  group = 1,
): string {
  const grouped: number[] = [];
  histogram.forEach((count, window) => {
    const line = Math.floor(window / group);
    while (grouped.length <= line) grouped.push(0);
    grouped[line] += count;
  });
  const most = Math.max(1, ...grouped);
  const lines: string[] = [];
  grouped.forEach((count, window) => {
    if (count === 0) return;
    const from = window * WINDOW_MS * group;
    const bar = "#".repeat(Math.max(1, Math.round(count / most * 50)));
    lines.push(
      `  ${String(from).padStart(6)} ms ${String(count).padStart(6)} ${bar}`,
    );
  });
  return lines.join("\n");
}

/** The options of the storm section of `deno task bench`. */
export interface StormsOptions {
  clients: number;
  runtimes: ("bun" | "deno")[];
  /** How the relay is stopped: `graceful` (SIGTERM), `kill` (SIGKILL). */
  modes: ("graceful" | "kill")[];
  processes: number;
  json?: string;
}

/** Runs a storm per runtime and mode and prints each; returns the results. */
export async function benchStorms(
  options: StormsOptions,
): Promise<StormResult[]> {
  const { clients, processes, modes } = options;
  const bun = await findBun().catch(() => undefined);
  const info = await machine();
  console.log(
    `\nrestart storm: ${clients} RealtimeManager clients in ${processes} processes, rooms of 10, ` +
      `the relay stopped and started again; ${info.summary}`,
  );
  const results: StormResult[] = [];
  for (const runtime of options.runtimes) {
    if (runtime === "bun" && bun === undefined) continue;
    for (const mode of modes) {
      const result = await storm({
        clients,
        runtime,
        processes,
        graceful: mode === "graceful",
        log: () => {},
      });
      results.push(result);
      console.log(
        `${runtime} relay ${
          mode === "graceful"
            ? "stopped (SIGTERM: bye + retry hint)"
            : "killed (SIGKILL)"
        }: attempts per 500 ms after the stop (busiest share per ${WINDOW_MS} ms)`,
      );
      console.log(histogramText(result.histogram, 5));
      console.log(stormLine(result));
    }
  }
  if (options.json) {
    await writeResults(options.json, {
      bench: "storm",
      machine: info,
      results,
    });
  }
  return results;
}

/** The summary line of one storm. */
export function stormLine(result: StormResult): string {
  const rejoined = result.rejoinMs < 0
    ? `only ${result.rejoined} of ${result.clients} rejoined within ${
      CAP_MS / 1000
    } s`
    : `all ${result.clients} rejoined after ${
      (result.rejoinMs / 1000).toFixed(2)
    } s`;
  return `  ${result.runtime}: ${rejoined} (the relay listened again after ${
    (result.downMs / 1000).toFixed(2)
  } s); ${result.attempts} attempts, the busiest ${WINDOW_MS} ms window ${
    (result.peakShare * 100).toFixed(1)
  } % of them; closes by code ${
    JSON.stringify(result.closes)
  }, after the restart ${
    JSON.stringify(result.closesAfterRestart)
  }; relay peak rss ${(result.peakRss / 2 ** 20).toFixed(0)} MB`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      clients: { type: "string", default: "10000" },
      runtime: { type: "string", default: "bun" },
      processes: { type: "string", default: "4" },
      graceful: { type: "boolean", default: false },
      json: { type: "string", default: "bench/results/storm.json" },
    },
  });
  const info = await machine();
  const runtime = values.runtime as "bun" | "deno";
  console.log(
    `reconnect storm: ${values.clients} RealtimeManager clients in ${values.processes} processes, ` +
      `${runtime} relay ${
        values.graceful
          ? "stopped (SIGTERM, bye + retry hint)"
          : "killed (SIGKILL)"
      } and restarted; ${info.summary}`,
  );
  const result = await storm({
    clients: Number(values.clients),
    runtime,
    processes: Number(values.processes),
    graceful: values.graceful,
  });
  console.log(`attempts per ${WINDOW_MS} ms window after the stop:`);
  console.log(histogramText(result.histogram));
  console.log(stormLine(result));
  if (values.json) {
    await writeResults(values.json, { bench: "storm", machine: info, result });
  }
}
