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
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  findBun,
  ROOT,
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";
import { type ExportedTree, exportTree } from "./_baseline.ts";
import { measureClientCore } from "./_client_core_run.ts";
import { installPeers } from "./_npm.ts";

/** A runtime the client processes can run on. */
export type ClientRuntime = "deno" | "bun" | "node";
const CLIENT_RUNTIMES: readonly ClientRuntime[] = ["deno", "bun", "node"];
const RUNTIME_NAMES: Record<ClientRuntime, string> = {
  deno: "Deno",
  bun: "Bun",
  node: "Node",
};

/** How a script is run on a client runtime: its command and leading args. */
interface Runner {
  runtime: ClientRuntime;
  command: string;
  /** The arguments before the script (`profile`: a CPU profile directory). */
  args(profile?: string): string[];
}

/** The executable of `command -e 'print execPath and version'`, or undefined. */
async function probe(
  command: string,
  args: string[],
): Promise<{ path: string; version: string } | undefined> {
  const script = "console.log(process.execPath + ' ' + process.version)";
  try {
    const { success, stdout } = await new Deno.Command(command, {
      args: [...args, "-e", script],
      stdin: "null",
      stderr: "null",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const line = new TextDecoder().decode(stdout).trim().split("\n").at(-1);
    if (!success || !line) return undefined;
    const [path, version] = line.split(" ");
    return { path, version };
  } catch {
    return undefined;
  }
}

/** Node 22.18 or later (TypeScript without flags): on PATH or by npx. */
async function findNode(): Promise<string> {
  for (const [command, args] of [["node", []], ["npx", ["-y", "node@22"]]]) {
    const found = await probe(command as string, args as string[]);
    const [major, minor] = (found?.version ?? "v0.0").slice(1).split(".")
      .map(Number);
    if (found && (major > 22 || (major === 22 && minor >= 18))) {
      return found.path;
    }
  }
  throw new Error("no Node 22.18 or later, on PATH or from npx -y node@22");
}

async function runner(runtime: ClientRuntime): Promise<Runner> {
  // All three write a V8-format `.cpuprofile` with the same two flags.
  const prof = (dir?: string) =>
    dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
  switch (runtime) {
    case "deno":
      return {
        runtime,
        command: Deno.execPath(),
        args: (profile) => ["run", "-A", ...prof(profile)],
      };
    case "bun":
      return { runtime, command: await findBun(), args: prof };
    case "node":
      return { runtime, command: await findNode(), args: prof };
  }
}

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

/** A client process, talked to by lines. */
class ClientProcess {
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  #lines: string[] = [];
  #done: Promise<void>;

  constructor(command: string, args: string[], cwd?: string) {
    this.#child = new Deno.Command(command, {
      args,
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#done = this.#read();
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (
      const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        const i = this.#waiting.findIndex((w) => line.startsWith(w.prefix));
        if (i >= 0) this.#waiting.splice(i, 1)[0].resolve(line);
        else this.#lines.push(line);
      }
    }
  }

  /** The next line starting with `prefix` (or one already read). */
  line(prefix: string, ms: number): Promise<string> {
    const i = this.#lines.findIndex((line) => line.startsWith(prefix));
    if (i >= 0) return Promise.resolve(this.#lines.splice(i, 1)[0]);
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const timer = setTimeout(
      () => reject(new Error(`no "${prefix}" line within ${ms} ms`)),
      ms,
    );
    this.#waiting.push({
      prefix,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
    });
    return promise;
  }

  /** Its CPU time so far (user and system), in ms; Linux only. */
  cpuMs(): number | undefined {
    return processCpuMs(this.#child.pid);
  }

  async send(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /** Closes its stdin (it exits on that), or kills it after 10 s. */
  async stop(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#done;
  }
}

/** The CPU time of process `pid` so far (user and system), in ms; Linux only. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15, in ticks of (almost always) 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The pid of the process listening on `url`'s port, by `ss` (Linux), if found. */
async function listenerPid(url: string): Promise<number | undefined> {
  try {
    const { stdout } = await new Deno.Command("ss", {
      args: ["-ltnpH", `sport = :${new URL(url).port}`],
      stdin: "null",
      stderr: "null",
    }).output();
    const pid = /pid=(\d+)/.exec(new TextDecoder().decode(stdout))?.[1];
    return pid === undefined ? undefined : Number(pid);
  } catch {
    return undefined;
  }
}

/** How one stack's client processes are started. */
interface Stack {
  name: string;
  /** The runtime its client processes run on. */
  clients: ClientRuntime;
  start(): Promise<RunningServer>;
  /** The command and arguments of a client process. */
  client(
    url: string,
    role: "sub" | "pub",
    args: number[],
  ): [string, string[], string?];
}

function lifeline(
  name: string,
  runtime: "deno" | "bun",
  clients: Runner,
  root: URL = ROOT,
  profile?: string,
): Stack {
  const script = new URL("bench/_stack_client.ts", ROOT).pathname;
  const mod = new URL("mod.ts", root).href;
  return {
    name,
    clients: clients.runtime,
    start: () => spawnExampleRelay(runtime, { LIFELINE_RATE: "0" }, root),
    client: (url, role, args) => [clients.command, [
      ...clients.args(role === "sub" ? profile : undefined),
      script,
      role,
      mod,
      url,
      ...args.map(String),
    ]],
  };
}

/** Bare WebSocket subscribers (`JSON.parse` and count), a lifeline publisher. */
function rawClients(clients: Runner, profile?: string): Stack {
  const stack = lifeline(
    "bare WebSockets, Bun relay",
    "bun",
    clients,
    ROOT,
    profile,
  );
  return {
    ...stack,
    client: (url, role, args) => {
      const [command, list] = stack.client(url, role, args);
      return [command, list.map((arg) => arg === "sub" ? "raw" : arg)];
    },
  };
}

function socketIo(dir: string, clients: Runner): Stack {
  return {
    name: "socket.io 4.8 (Node)",
    clients: clients.runtime,
    start: () =>
      spawnServer({
        name: "socket.io",
        command: "node",
        args: [join(dir, "server.mjs")],
        cwd: pathToFileURL(dir + "/"),
        wsPath: "",
      }),
    client: (url, role, args) => [
      clients.command,
      [
        ...clients.args(),
        join(dir, "client.mjs"),
        role,
        url,
        ...args.map(String),
      ],
      dir,
    ],
  };
}

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

const SOCKET_IO_SERVER = `
import { createServer } from "node:http";
import { Server } from "socket.io";
const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => { socket.join(room); ack(); });
  socket.on("pub", (room, data, ack) => { socket.to(room).emit("tick", data); ack(); });
});
http.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log("listening on http://127.0.0.1:" + http.address().port);
});
process.on("SIGTERM", () => { io.close(); process.exit(0); });
`;

/** The socket.io counterpart of \`_stack_client.ts\`, same roles and lines. */
const SOCKET_IO_CLIENT = `
import { createInterface } from "node:readline";
import { io } from "socket.io-client";
const [role, url, ...rest] = process.argv.slice(2);
const connect = async (count) => {
  const sockets = [];
  for (let i = 0; i < count; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 25); j++) {
      batch.push(io(url, { transports: ["websocket"] }));
    }
    await Promise.all(batch.map((s) => s.emitWithAck("join", "bench")));
    sockets.push(...batch);
  }
  return sockets;
};
const lines = createInterface({ input: process.stdin });
if (role === "sub") {
  const [clients, messages] = rest.map(Number);
  const sockets = await connect(clients);
  let delivered = 0, faults = 0, complete = 0;
  for (const socket of sockets) {
    let last = 0;
    socket.on("tick", (n) => {
      delivered++;
      if (n !== last + 1) faults++;
      last = n;
      if (last === messages && ++complete === clients) console.log("done " + delivered + " " + faults);
    });
  }
  console.log("ready");
  lines.on("line", (line) => { if (line === "count") console.log("count " + delivered); });
  lines.on("close", () => { for (const s of sockets) s.close(); });
} else {
  const [messages, window] = rest.map(Number);
  const [socket] = await connect(1);
  console.log("ready");
  lines.on("line", async (line) => {
    if (line !== "go") return;
    let sent = 0;
    const sender = async () => { while (sent < messages) await socket.emitWithAck("pub", "bench", ++sent); };
    await Promise.all(Array.from({ length: window }, sender));
    console.log("acked");
  });
  lines.on("close", () => socket.close());
}
`;

/** socket.io 4.8 and its client in a temporary directory, by npm. */
function installSocketIo(): Promise<string> {
  return installPeers("lifeline-stack-io-", {
    "server.mjs": SOCKET_IO_SERVER,
    "client.mjs": SOCKET_IO_CLIENT,
  }, ["socket.io@4.8", "socket.io-client@4.8"]);
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
