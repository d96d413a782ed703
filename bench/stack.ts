/**
 * The whole stack: a relay process, N `RealtimeManager` subscribers in
 * separate client processes, and one publisher process sending
 * acknowledged messages, at most 64 unacked. Counts deliveries per second
 * from the first publish to the last delivery, and checks that every
 * subscriber got every message once, in order. The same run measures
 * socket.io 4.8 (server and `socket.io-client`, on Node, installed with npm
 * in a temporary directory so that they stay out of this project) with
 * acknowledged emits, and prints lifeline/socket.io. A row of bare
 * WebSocket subscribers (`JSON.parse` and count, no library) on the Bun
 * relay shows the ceiling a client library on that runtime can reach. Each
 * row also shows the subscriber processes' CPU time per delivery, the
 * relay's (found by its port with `ss`), and socket.io's total over the
 * row's: the ratio by CPU, which a machine shared with other work does not
 * skew the way it skews deliveries/s (Linux).
 *
 * The client processes (lifeline's, the bare ones and socket.io-client)
 * run on Deno by default; `--clients bun,deno,node` measures every row with
 * clients on each runtime named, in turn, each set with its own socket.io
 * row (the socket.io server stays on Node). Node clients need Node 22.18 or
 * later (it runs TypeScript): an older `node` on `PATH` gives way to the
 * one `npx -y node@22` runs. `--relays bun` (or `deno`) leaves the other
 * lifeline relay out.
 *
 * `deno task bench:stack` runs it; `--baseline <git-ref>` also measures
 * that commit's relay and client (its tree exported, see `_baseline.ts`),
 * run by run alternating with this checkout's; `--runs <n>` (default 3)
 * measured runs per row, the median shown; `--smoke` one small run on the
 * Deno relay only, no socket.io, for the test suite; `--profile <dir>` this
 * checkout on the Bun relay only (lifeline and bare subscribers), each
 * subscriber process writing a CPU profile under it, in `lifeline/` and
 * `bare/` (`bench/profile_summary.ts <file>` prints its top functions).
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { findBun, ROOT } from "../tools/servers.ts";
import { type ExportedTree, exportTree } from "./_baseline.ts";
import { measureClientCore } from "./_client_core_run.ts";
import {
  CLIENT_RUNTIMES,
  ClientProcess,
  type ClientRuntime,
  installSocketIo,
  lifeline,
  listenerPid,
  processCpuMs,
  rawClients,
  runner,
  RUNTIME_NAMES,
  socketIo,
  type Stack,
} from "./_stack_processes.ts";

export type { ClientRuntime };

/** Unacked publishes at most. */
const WINDOW = 64;
/** Subscribers and messages per run: about a million deliveries each. */
const SCENARIOS = [
  { subscribers: 100, messages: 8_000 },
  { subscribers: 500, messages: 2_000 },
] as const;
const SMOKE = [{ subscribers: 10, messages: 200 }] as const;
/** Client processes the subscribers are spread over. */
const PROCESSES = 4;
/** Cap on one measured run, in ms: a capped run reports what was delivered. */
const RUN_CAP_MS = 30_000;
/** Cap on starting a client process and connecting its clients, in ms. */
const SETUP_CAP_MS = 60_000;

interface Run {
  delivered: number;
  expected: number;
  faults: number;
  ms: number;
  /** The subscriber processes' CPU time during the run, in ms, if known. */
  clientCpuMs?: number;
  /** The server process's CPU time during the run, in ms, if known. */
  relayCpuMs?: number;
}

function cpuMs(processes: ClientProcess[]): number | undefined {
  let sum = 0;
  for (const p of processes) {
    const ms = p.cpuMs();
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}

/** One measured run: a fresh relay, fresh client processes. */
async function run(
  stack: Stack,
  subscribers: number,
  messages: number,
): Promise<Run> {
  const server = await stack.start();
  const url = stack.name.startsWith("socket.io") ? server.httpUrl : server.url;
  const relayPid = await listenerPid(server.httpUrl);
  const processes: ClientProcess[] = [];
  try {
    const per = Math.ceil(subscribers / PROCESSES);
    for (let left = subscribers; left > 0; left -= per) {
      const [command, args, cwd] = stack.client(url, "sub", [
        Math.min(per, left),
        messages,
      ]);
      processes.push(new ClientProcess(command, args, cwd));
    }
    const [command, args, cwd] = stack.client(url, "pub", [messages, WINDOW]);
    const publisher = new ClientProcess(command, args, cwd);
    processes.push(publisher);
    await Promise.all(processes.map((p) => p.line("ready", SETUP_CAP_MS)));
    const subs = processes.slice(0, -1);
    const cpuBefore = cpuMs(subs);
    const relayBefore = processCpuMs(relayPid);
    const start = performance.now();
    await publisher.send("go");
    let delivered = 0;
    let faults = 0;
    try {
      const lines = await Promise.all(
        subs.map((p) => p.line("done", RUN_CAP_MS)),
      );
      for (const line of lines) {
        const [, n, f] = line.split(" ");
        delivered += Number(n);
        faults += Number(f);
      }
    } catch {
      // Capped: count what arrived.
      for (const p of subs) await p.send("count");
      for (const p of subs) {
        delivered += Number((await p.line("count", 10_000)).split(" ")[1]);
      }
    }
    const ms = performance.now() - start;
    const cpuAfter = cpuMs(subs);
    const relayAfter = processCpuMs(relayPid);
    // The publisher's last acks may still be on their way: closing it now
    // would fail them (socket.io-client throws them as uncaught).
    await publisher.line("acked", 10_000).catch(() => {});
    return {
      delivered,
      expected: subscribers * messages,
      faults,
      ms,
      clientCpuMs: cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : cpuAfter - cpuBefore,
      relayCpuMs: relayBefore === undefined || relayAfter === undefined
        ? undefined
        : relayAfter - relayBefore,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await server.stop();
  }
}

/** The client's own cost per message, in this process: see `_client_core_run.ts`. */
async function printClientCore(baseline: URL | undefined): Promise<void> {
  const core = await measureClientCore(
    new URL("mod.ts", ROOT).href,
    baseline && new URL("mod.ts", baseline).href,
  );
  const vs = core.baseline === undefined
    ? ""
    : `, baseline ${core.baseline.toFixed(0)} ns (${
      (core.current / core.baseline).toFixed(2)
    } ×)`;
  console.log(
    `client per message, in process (decode, order, dispatch to one on() listener): ${
      core.current.toFixed(0)
    } ns${vs}; a bare listener that only decodes and counts: ${
      core.bare.toFixed(0)
    } ns`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Options of {@linkcode benchStack}. */
export interface StackOptions {
  /** Measured runs per row. @default 3 */
  runs?: number;
  /** A git ref whose relay and client are measured too. */
  baseline?: string;
  /** One small run, Deno relay only, no socket.io. @default false */
  smoke?: boolean;
  /**
   * A directory: only this checkout on the Bun relay is measured, with
   * lifeline's and bare WebSocket subscribers (on the first of `clients`),
   * and every subscriber process writes a V8-format CPU profile under it,
   * in `lifeline/` and `bare/` (`--cpu-prof`, which Deno, Bun and Node all
   * take).
   */
  profile?: string;
  /** The runtimes the client processes run on, each in turn. @default ["deno"] */
  clients?: ClientRuntime[];
  /** The lifeline relays measured (example server on Bun, on Deno). @default ["bun", "deno"] */
  relays?: ("bun" | "deno")[];
}

/** One row of the table: a stack and a size, its median run. */
export interface StackRow {
  stack: string;
  /** The runtime of its client processes. */
  clients: ClientRuntime;
  subscribers: number;
  perSecond: number;
  delivered: number;
  expected: number;
  faults: number;
  /** The subscribers' CPU time per delivery, in µs (median), if known. */
  clientCpuMicros?: number;
  /** The relay's (or socket.io server's) CPU time per delivery, in µs (median), if known. */
  relayCpuMicros?: number;
}

/** Runs the whole-stack comparison, prints its table, answers its rows. */
export async function benchStack(
  options: StackOptions = {},
): Promise<StackRow[]> {
  const runs = options.smoke ? 1 : options.runs ?? 3;
  const stacks: Stack[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const rows: StackRow[] = [];
  let baselineRoot: URL | undefined;
  try {
    const runners = await Promise.all(
      (options.clients ?? ["deno"]).map(runner),
    );
    if (options.smoke) {
      // In this process, whatever the clients run on: once is enough.
      if (runners[0].runtime === "deno") await printClientCore(undefined);
      stacks.push(lifeline("lifeline, Deno relay", "deno", runners[0]));
    } else if (options.profile !== undefined) {
      const bun = await findBun().then(() => true, () => false);
      // Each row's profiles in a folder of their own.
      const dir = (name: string) => {
        const path = join(options.profile!, name);
        Deno.mkdirSync(path, { recursive: true });
        return path;
      };
      stacks.push(
        lifeline(
          `lifeline, ${bun ? "Bun" : "Deno"} relay`,
          bun ? "bun" : "deno",
          runners[0],
          ROOT,
          dir("lifeline"),
        ),
      );
      if (bun) stacks.push(rawClients(runners[0], dir("bare")));
    } else {
      let bun = true;
      try {
        await findBun();
      } catch (error) {
        console.log(`skipping Bun: ${(error as Error).message}`);
        bun = false;
      }
      let tree: ExportedTree | undefined;
      if (options.baseline !== undefined) {
        tree = await exportTree(options.baseline);
        baselineRoot = tree.root;
        cleanups.push(tree.remove);
      }
      const dir = await installSocketIo();
      cleanups.push(() => Deno.remove(dir, { recursive: true }));
      const relays = options.relays ?? ["bun", "deno"];
      const onBun = bun && relays.includes("bun");
      const onDeno = relays.includes("deno");
      for (const clients of runners) {
        if (onBun) {
          stacks.push(
            lifeline("lifeline, Bun relay", "bun", clients),
            rawClients(clients),
          );
        }
        if (onDeno) {
          stacks.push(lifeline("lifeline, Deno relay", "deno", clients));
        }
        if (tree !== undefined) {
          if (onBun) {
            stacks.push(
              lifeline(`${tree.commit}, Bun relay`, "bun", clients, tree.root),
            );
          }
          if (onDeno) {
            stacks.push(
              lifeline(
                `${tree.commit}, Deno relay`,
                "deno",
                clients,
                tree.root,
              ),
            );
          }
        }
        stacks.push(socketIo(dir, clients));
      }
      await printClientCore(baselineRoot);
    }
    const scenarios = options.smoke ? SMOKE : SCENARIOS;
    for (const { subscribers, messages } of scenarios) {
      const results = new Map<Stack, Run[]>(stacks.map((s) => [s, []]));
      for (let i = 0; i < runs; i++) {
        // Alternate the order, so that no stack always follows another.
        const order = i % 2 === 0 ? stacks : [...stacks].reverse();
        for (const stack of order) {
          results.get(stack)!.push(await run(stack, subscribers, messages));
        }
      }
      for (const [stack, list] of results) {
        const rates = list.map((r) => r.delivered / (r.ms / 1000));
        rows.push({
          stack: stack.name,
          clients: stack.clients,
          subscribers,
          perSecond: median(rates),
          delivered: Math.min(...list.map((r) => r.delivered)),
          expected: list[0].expected,
          faults: Math.max(...list.map((r) => r.faults)),
          clientCpuMicros: list.every((r) => r.clientCpuMs !== undefined)
            ? median(list.map((r) => (1000 * r.clientCpuMs!) / r.delivered))
            : undefined,
          relayCpuMicros: list.every((r) => r.relayCpuMs !== undefined)
            ? median(list.map((r) => (1000 * r.relayCpuMs!) / r.delivered))
            : undefined,
        });
      }
    }
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
  print(rows, runs);
  return rows;
}

/** Client and server CPU per delivery: its total. */
function cpuPerDelivery(row: StackRow): number | undefined {
  return row.clientCpuMicros === undefined || row.relayCpuMicros === undefined
    ? undefined
    : row.clientCpuMicros + row.relayCpuMicros;
}

/**
 * socket.io's client and server CPU per delivery over `row`'s: the ratio
 * of deliveries/s the two would have on a machine whose every core they
 * kept busy. Unlike del/s, it holds on a machine shared with other work.
 */
function cpuRatio(row: StackRow, io: StackRow | undefined): number | undefined {
  const mine = cpuPerDelivery(row);
  const theirs = io && cpuPerDelivery(io);
  return mine === undefined || theirs === undefined ? undefined : theirs / mine;
}

function print(rows: StackRow[], runs: number): void {
  console.log(
    `\nwhole stack: 1 publisher (≤ ${WINDOW} unacked), subscribers in ${PROCESSES} client processes (socket.io's server on Node), ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}; median of ${runs}`,
  );
  console.log(
    "stack                       clients subscribers     del/s  vs socket.io  client CPU µs/del  relay CPU µs/del  CPU vs socket.io  delivered",
  );
  for (const row of rows) {
    const io = rows.find((r) =>
      r.stack.startsWith("socket.io") && r.subscribers === row.subscribers &&
      r.clients === row.clients
    );
    const missing = row.delivered < row.expected
      ? ` (capped: ${row.delivered}/${row.expected})`
      : row.faults > 0
      ? ` (${row.faults} missing, repeated or out of order)`
      : " all, in order";
    console.log(
      [
        row.stack.padEnd(27),
        RUNTIME_NAMES[row.clients].padEnd(7),
        String(row.subscribers).padStart(11),
        Math.round(row.perSecond).toString().padStart(9),
        (io ? (row.perSecond / io.perSecond).toFixed(2) : "-").padStart(13),
        (row.clientCpuMicros?.toFixed(2) ?? "-").padStart(18),
        (row.relayCpuMicros?.toFixed(2) ?? "-").padStart(16),
        (cpuRatio(row, io)?.toFixed(2) ?? "-").padStart(16),
      ].join(" ") + missing,
    );
  }
  for (const base of rows) {
    if (/^(lifeline|socket\.io|bare)/.test(base.stack)) continue;
    const [commit, relay] = base.stack.split(", ");
    const now = rows.find((r) =>
      r.stack === `lifeline, ${relay}` && r.subscribers === base.subscribers &&
      r.clients === base.clients
    );
    if (now === undefined) continue;
    const cpu = now.clientCpuMicros && base.clientCpuMicros
      ? `, client CPU per delivery ${
        (now.clientCpuMicros / base.clientCpuMicros).toFixed(2)
      } ×`
      : "";
    console.log(
      `this checkout / ${commit}, ${relay}, ${
        RUNTIME_NAMES[base.clients]
      } clients, ${base.subscribers} subscribers: deliveries/s ${
        (now.perSecond / base.perSecond).toFixed(2)
      } ×${cpu}`,
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      baseline: { type: "string" },
      runs: { type: "string" },
      smoke: { type: "boolean" },
      profile: { type: "string" },
      clients: { type: "string" },
      relays: { type: "string" },
    },
  });
  const relays = values.relays?.split(",").map((name) => {
    if (name !== "bun" && name !== "deno") {
      throw new Error(
        `--relays takes bun, deno (comma-separated), not '${name}'`,
      );
    }
    return name as "bun" | "deno";
  });
  const clients = values.clients?.split(",").map((name) => {
    if (!CLIENT_RUNTIMES.includes(name as ClientRuntime)) {
      throw new Error(
        `--clients takes ${
          CLIENT_RUNTIMES.join(", ")
        } (comma-separated), not '${name}'`,
      );
    }
    return name as ClientRuntime;
  });
  await benchStack({
    baseline: values.baseline,
    runs: values.runs === undefined ? undefined : Number(values.runs),
    smoke: values.smoke,
    profile: values.profile,
    clients,
    relays,
  });
}
