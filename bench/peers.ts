/**
 * `deno task bench:peers`: lifeline side by side with its peers, the same
 * workloads in one run, each with its ratio:
 *
 * - **fan-out**: the whole stack, a Bun example relay with `RealtimeManager`
 *   clients against socket.io 4.8 (server and client, acked publishes);
 *   one publisher, `SUBSCRIBERS` subscribers, at most 64 unacked.
 * - **client overhead on echo**: lifeline's `ReconnectingWebSocket`,
 *   partysocket and reconnecting-websocket against the raw WebSocket, one
 *   frame at a time through a bare echo server: round trips per second and
 *   the client's CPU per round trip.
 * - **recovery after a server restart**: the echo server killed and started
 *   again on its port; ms from each socket's close to its next echo, every
 *   library with its default options.
 * - **idle memory per connection**: the relay against the raw runtimes
 *   (`./memory.ts`).
 *
 * Every client runs on Node (`node` on `PATH`), over the `ws` package's
 * WebSocket, so the libraries are compared on one runtime; lifeline is
 * bundled there with `deno bundle`. The peers are npm-installed into
 * `bench/.peers/` (ignored by git, fmt, lint and the package): never a
 * dependency of lifeline. Runs alternate the order of what they compare
 * (`--runs`, 5 by default); the medians and ratios print with the
 * machine's cores and runtime versions, and go to
 * `bench/results/peers.json`, from which `./chart.ts` draws
 * `bench/results/peers.svg`. `--smoke` is a tiny run (for CI).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";
import { machine, median, writeResults } from "./_report.ts";
import { benchMemory, type MemoryRow } from "./memory.ts";
import { ClientProcess } from "./storm.ts";
import { writeChart } from "./chart.ts";

/** Where the peers are installed, and lifeline bundled for Node. */
export const PEERS_DIR: URL = new URL("./.peers/", import.meta.url);
const SCRIPTS = new URL("./peers/", import.meta.url);
/** The peers, at the versions compared. */
const PACKAGES = [
  "socket.io@4.8",
  "socket.io-client@4.8",
  "partysocket@1",
  "reconnecting-websocket@4",
  "ws@8",
];
/** Cap on one client process, in ms. */
const CLIENT_CAP_MS = 150_000;

/** How big each workload is. */
export interface PeerSizes {
  subscribers: number;
  messages: number;
  echoes: number;
  recoveryClients: number;
  memoryConnections: number;
}

const FULL: PeerSizes = {
  subscribers: 100,
  messages: 2_000,
  echoes: 5_000,
  recoveryClients: 20,
  memoryConnections: 10_000,
};
/** A tiny run, to prove it works (CI). */
export const SMOKE: PeerSizes = {
  subscribers: 5,
  messages: 40,
  echoes: 50,
  recoveryClients: 2,
  memoryConnections: 40,
};

async function run(
  command: string,
  args: string[],
  cwd?: URL,
): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd,
    stdin: "null",
    signal: AbortSignal.timeout(CLIENT_CAP_MS),
  }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${decoder.decode(stderr)}`,
    );
  }
  return decoder.decode(stdout);
}

/**
 * Installs the peers into `bench/.peers/` unless there, and bundles
 * lifeline there (every time: it is the code measured).
 */
export async function preparePeers(): Promise<string> {
  const dir = PEERS_DIR.pathname;
  await Deno.mkdir(dir, { recursive: true });
  try {
    for (const name of ["socket.io", "socket.io-client", "partysocket"]) {
      await Deno.stat(new URL(`node_modules/${name}/package.json`, PEERS_DIR));
    }
    await Deno.stat(new URL("node_modules/reconnecting-websocket", PEERS_DIR));
  } catch {
    await Deno.writeTextFile(`${dir}package.json`, '{ "private": true }\n');
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", ...PACKAGES],
      PEERS_DIR,
    );
  }
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "-o",
    `${dir}lifeline.mjs`,
    new URL("../mod.ts", import.meta.url).pathname,
  ]);
  return dir;
}

/** Runs a Node client script; answers its last line, parsed. */
async function nodeClient(
  script: string,
  args: string[],
): Promise<Record<string, number>> {
  const output = await runNode(script, args);
  return JSON.parse(output.trim().split("\n").at(-1)!);
}

function runNode(script: string, args: string[]): Promise<string> {
  return run("env", [
    `PEERS_DIR=${PEERS_DIR.pathname}`,
    "node",
    new URL(script, SCRIPTS).pathname,
    ...args,
  ]);
}

function nodeServer(script: string, port = "0"): Promise<RunningServer> {
  return spawnServer({
    name: script,
    command: "node",
    args: [new URL(script, SCRIPTS).pathname],
    env: { PEERS_DIR: PEERS_DIR.pathname, PORT: port },
  });
}

/** Order of the compared things in run `i`: as given, then reversed. */
function alternate<T>(items: readonly T[], i: number): T[] {
  return i % 2 === 0 ? [...items] : [...items].reverse();
}

const FANOUT_STACKS = ["lifeline", "socket.io"] as const;
const ECHO_KINDS = [
  "raw",
  "lifeline",
  "partysocket",
  "reconnecting-websocket",
] as const;
const RECOVERY_KINDS = [
  "lifeline",
  "partysocket",
  "reconnecting-websocket",
] as const;

async function fanoutRun(
  stack: typeof FANOUT_STACKS[number],
  sizes: PeerSizes,
): Promise<number> {
  const server = stack === "lifeline"
    ? await spawnExampleRelay("bun", { LIFELINE_RATE: "0" })
    : await nodeServer("socketio_server.mjs");
  try {
    const result = await nodeClient("fanout_client.mjs", [
      stack,
      stack === "lifeline" ? server.url : server.httpUrl,
      String(sizes.subscribers),
      String(sizes.messages),
    ]);
    return result.perSecond;
  } finally {
    await server.stop();
  }
}

async function echoRun(
  url: string,
  kind: typeof ECHO_KINDS[number],
  sizes: PeerSizes,
): Promise<{ perSecond: number; cpuMicros: number }> {
  const result = await nodeClient("echo_client.mjs", [
    kind,
    url,
    String(sizes.echoes),
  ]);
  return { perSecond: result.perSecond, cpuMicros: result.cpuMicros };
}

async function recoveryRun(
  sizes: PeerSizes,
): Promise<Record<string, number>> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String((listener.addr as Deno.NetAddr).port);
  listener.close();
  let server: RunningServer | undefined = await nodeServer(
    "echo_server.mjs",
    port,
  );
  const url = server.url.replace(/\/ws$/, "/");
  const clients = RECOVERY_KINDS.map((kind) =>
    new ClientProcess(
      [
        new URL("recovery_client.mjs", SCRIPTS).pathname,
        kind,
        url,
        String(sizes.recoveryClients),
      ],
      "node",
      { PEERS_DIR: PEERS_DIR.pathname },
    )
  );
  try {
    await Promise.all(clients.map((c) => c.line("ready", 60_000)));
    await server.kill!();
    server = await nodeServer("echo_server.mjs", port);
    const medians: Record<string, number> = {};
    for (const [i, client] of clients.entries()) {
      const line = await client.line("{", 60_000);
      medians[RECOVERY_KINDS[i]] = median(JSON.parse(line).ms);
    }
    return medians;
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server?.stop();
  }
}

/** One compared figure: the medians of each side, and lifeline's ratio. */
export interface PeerFigure {
  /** What is compared, such as `fan-out deliveries/s`. */
  workload: string;
  unit: string;
  /** Whether more is better. */
  higherIsBetter: boolean;
  /** Medians by what was measured (lifeline, a peer, raw). */
  medians: Record<string, number>;
  /** Every run, by what was measured. */
  runs: Record<string, number[]>;
  /** lifeline's median over the baseline's (`against`). */
  ratio: number;
  against: string;
}

function figure(
  workload: string,
  unit: string,
  higherIsBetter: boolean,
  runs: Record<string, number[]>,
  against: string,
  lifeline = "lifeline",
): PeerFigure {
  const medians = Object.fromEntries(
    Object.entries(runs).map(([k, v]) => [k, median(v)]),
  );
  return {
    workload,
    unit,
    higherIsBetter,
    medians,
    runs,
    ratio: medians[lifeline] / medians[against],
    against,
  };
}

/** Runs every workload `runs` times; answers the figures. */
export async function benchPeers(options: {
  runs: number;
  sizes: PeerSizes;
  log?: (line: string) => void;
}): Promise<{ figures: PeerFigure[]; memory: MemoryRow[] }> {
  const { runs, sizes, log = console.log } = options;
  await preparePeers();
  const fanout: Record<string, number[]> = { lifeline: [], "socket.io": [] };
  const echoRate: Record<string, number[]> = {};
  const echoCpu: Record<string, number[]> = {};
  const recovery: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const stack of alternate(FANOUT_STACKS, i)) {
      const perSecond = await fanoutRun(stack, sizes);
      fanout[stack].push(perSecond);
      log(
        `  run ${i + 1} fan-out ${stack}: ${perSecond.toFixed(0)} deliveries/s`,
      );
    }
    const echo = await nodeServer("echo_server.mjs");
    try {
      for (const kind of alternate(ECHO_KINDS, i)) {
        const { perSecond, cpuMicros } = await echoRun(
          echo.url.replace(/\/ws$/, "/"),
          kind,
          sizes,
        );
        (echoRate[kind] ??= []).push(perSecond);
        (echoCpu[kind] ??= []).push(cpuMicros);
        log(
          `  run ${i + 1} echo ${kind}: ${
            perSecond.toFixed(0)
          } round trips/s, ${cpuMicros.toFixed(1)} µs CPU each`,
        );
      }
    } finally {
      await echo.stop();
    }
    const recovered = await recoveryRun(sizes);
    for (const [kind, ms] of Object.entries(recovered)) {
      (recovery[kind] ??= []).push(ms);
    }
    log(`  run ${i + 1} recovery ms: ${JSON.stringify(recovered)}`);
  }
  const memory = await benchMemory({
    connections: sizes.memoryConnections,
    runs,
    runtimes: ["bun", "deno"],
    settleMs: sizes === SMOKE ? 100 : undefined,
    log,
  });
  const figures: PeerFigure[] = [
    figure("fan-out", "deliveries/s", true, fanout, "socket.io"),
    ...["partysocket", "reconnecting-websocket", "raw"].map((peer) =>
      figure("echo CPU per round trip", "µs", false, echoCpu, peer)
    ),
    figure("echo round trips", "per s", true, echoRate, "raw"),
    ...["partysocket", "reconnecting-websocket"].map((peer) =>
      figure("recovery after a restart", "ms", false, recovery, peer)
    ),
    ...(["bun", "deno"] as const).map((runtime) => {
      const rows = memory.filter((row) => row.runtime === runtime);
      return figure(
        `idle memory per connection, ${runtime}`,
        "KB",
        false,
        Object.fromEntries(rows.map((row) => [row.kind, row.runs])),
        "raw",
      );
    }),
  ];
  return { figures, memory };
}

/** Prints the figures, one line per workload with lifeline's ratios. */
export function printPeers(figures: readonly PeerFigure[]): void {
  const seen = new Set<string>();
  for (const f of figures) {
    if (seen.has(f.workload)) continue;
    seen.add(f.workload);
    const values = Object.entries(f.medians).map(([k, v]) =>
      `${k} ${v.toFixed(v < 100 ? 1 : 0)}`
    ).join(", ");
    const ratios = figures.filter((g) => g.workload === f.workload).map((g) =>
      `lifeline/${g.against} ${g.ratio.toFixed(2)}`
    ).join(", ");
    console.log(
      `${f.workload} (${f.unit}, ${
        f.higherIsBetter ? "higher" : "lower"
      } is better): ${values}; ${ratios}`,
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "5" },
      smoke: { type: "boolean", default: false },
      json: { type: "string", default: "bench/results/peers.json" },
    },
  });
  const runs = values.smoke ? 1 : Number(values.runs);
  const sizes = values.smoke ? SMOKE : FULL;
  const info = await machine();
  console.log(
    `bench:peers: ${runs} alternating runs, medians; ${
      JSON.stringify(sizes)
    }; ${info.summary}`,
  );
  const { figures } = await benchPeers({ runs, sizes });
  printPeers(figures);
  if (values.json) {
    await writeResults(values.json, {
      bench: "peers",
      runs,
      sizes,
      machine: info,
      figures,
    });
    await writeChart(values.json, values.json.replace(/\.json$/, ".svg"));
  }
}
