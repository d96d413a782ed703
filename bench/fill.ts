/**
 * Networked channel fill: N real WebSockets (raw, in a few client processes,
 * `./_fill_clients.ts`) say `hello` and join ONE channel of an example relay,
 * from empty, all processes starting together. Prints the seconds until
 * every member has its join ack, the connections lost, the relay's peak
 * resident memory (sampled every 100 ms) and its growth per member once the
 * fill is done, at each size, on Bun and Deno, so linear memory shows as a
 * flat bytes-per-member column. With a baseline commit (its example relay,
 * `./_baseline.ts`) the same fill runs at one smaller size, baseline and
 * current in turn, and the current/baseline ratios are printed.
 *
 * `deno task bench:fill [--members 2000,5000,10000] [--runtimes bun,deno]
 * [--baseline a908972] [--baseline-members 2000] [--processes 4]
 * [--clients bun|deno] [--presence on|off]
 * [--json bench/results/fill.json]`; `deno task bench` ends with it.
 * `--presence off` fills a channel without presence (the example relay's
 * `LIFELINE_PRESENCE_OFF`), a broadcast room: no member hears the others
 * join; no baseline then (it has no such setting).
 * The clients run on Bun by default (Deno when Bun is missing): Bun's
 * WebSocket client takes a third of Deno's CPU to receive the presence
 * traffic, and on one machine the clients share the relay's cores.
 * `./channel_fill.ts` is the same fill in process, without a network.
 * Loopback only; every process is stopped by its pid.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  findBun,
  type RunningServer,
  spawnExampleRelay,
} from "../tools/servers.ts";
import { exportTree } from "./_baseline.ts";
import { machine, writeResults } from "./_report.ts";
import { ClientProcess, freePort, relayStats } from "./storm.ts";
import type { Joined } from "./_fill_clients.ts";

/** What one fill measured. */
export interface FillResult {
  runtime: "bun" | "deno";
  /** What ran the client processes. */
  clients: "bun" | "deno";
  /** `current`, or the baseline's commit. */
  relay: string;
  /** Whether the channel had presence. */
  presence: boolean;
  members: number;
  /** Ms from the start until the last join ack; -1 when capped. */
  ms: number;
  /** Sockets that got their join ack, and sockets lost (closed). */
  acked: number;
  lost: number;
  /** The relay's resident memory before the fill, at its peak, and after. */
  idleRss: number;
  peakRss: number;
  rss: number;
  /** The relay's JS heap in use before the fill and after, in bytes. */
  idleHeap: number;
  heap: number;
  /** (rss − idleRss) / acked members, in bytes. */
  rssPerMember: number;
  /** The relay's CPU time (user + system) from the start until settled, ms. */
  relayCpuMs: number;
  /** The client processes' CPU time from the start until they reported, ms. */
  clientCpuMs: number;
  /** Frames and bytes the clients received in all. */
  frames: number;
  bytes: number;
}

/** Cap on one fill, in ms; the fill reports what had joined by then. */
const FILL_CAP_MS = 120_000;
/** The channel every client joins. */
const CHANNEL = "town-hall";

/** Fills one channel of a freshly started example relay; see the module. */
export async function fill(options: {
  runtime: "bun" | "deno";
  members: number;
  processes?: number;
  /** The baseline's tree; this checkout by default. */
  root?: URL;
  relay?: string;
  /** What runs the client processes; Deno by default. */
  clients?: "bun" | "deno";
  /** `false`: the channel has no presence. */
  presence?: boolean;
  /** Joins in flight per client process. */
  window?: number;
  capMs?: number;
}): Promise<FillResult> {
  const { runtime, members, processes = 4, window = 100 } = options;
  const capMs = options.capMs ?? FILL_CAP_MS;
  const presence = options.presence ?? true;
  const server: RunningServer = await spawnExampleRelay(
    runtime,
    {
      PORT: String(freePort()),
      ...(presence ? {} : { LIFELINE_PRESENCE_OFF: CHANNEL }),
    },
    options.root,
  );
  const script = new URL("./_fill_clients.ts", import.meta.url).pathname;
  const bun = options.clients === "bun" ? await findBun() : undefined;
  const children: ClientProcess[] = [];
  try {
    const per = Math.ceil(members / processes);
    for (let first = 0; first < members; first += per) {
      children.push(
        new ClientProcess(
          [
            ...(bun ? [] : ["run", "-A"]),
            script,
            `--url=${server.url}`,
            `--count=${Math.min(per, members - first)}`,
            `--channel=${CHANNEL}`,
            `--window=${window}`,
            `--timeout=${capMs + 60_000}`,
          ],
          bun,
        ),
      );
    }
    await Promise.all(children.map((child) => child.line("loaded", 60_000)));
    const idle = await relayStats(server);
    const idleRss = idle.rss;
    let peakRss = idleRss;
    const started = Date.now();
    for (const child of children) await child.send("go\n");
    let joined = 0;
    const all = Promise.all(
      children.map((child) =>
        child.line("joined ", capMs).then(() => joined++)
      ),
    ).catch(() => {});
    while (joined < children.length && Date.now() - started < capMs) {
      peakRss = Math.max(peakRss, (await relayStats(server)).rss);
      await Promise.race([all, new Promise((r) => setTimeout(r, 100))]);
    }
    const capped = joined < children.length;
    // Let the last presence batches go out before the memory is read.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await relayStats(server);
    peakRss = Math.max(peakRss, after.rss);
    const seen: Joined[] = [];
    for (const child of children) {
      await child.send("report\n");
      const line = await child.line("final ", 30_000);
      seen.push(JSON.parse(line.slice("final ".length)));
    }
    const sum = (key: keyof Joined) => seen.reduce((n, s) => n + s[key], 0);
    const lastAck = Math.max(...seen.map((s) => s.lastAck));
    const acked = sum("acked");
    return {
      runtime,
      clients: bun ? "bun" : "deno",
      relay: options.relay ?? "current",
      presence,
      members,
      ms: capped ? -1 : lastAck - started,
      acked,
      lost: sum("lost"),
      idleRss,
      peakRss,
      rss: after.rss,
      idleHeap: idle.heap,
      heap: after.heap,
      rssPerMember: acked > 0 ? (after.rss - idleRss) / acked : 0,
      relayCpuMs: (after.cpu - idle.cpu) / 1000,
      clientCpuMs: sum("cpuMs"),
      frames: sum("frames"),
      bytes: sum("bytes"),
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await server.stop();
  }
}

/** One line of the table. */
export function fillLine(r: FillResult): string {
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const time = r.ms < 0 ? "capped" : `${(r.ms / 1000).toFixed(2)} s`;
  return `${r.runtime.padStart(4)} ${r.relay.padEnd(8)} ${
    String(r.members).padStart(6)
  } ${time.padStart(9)} ${String(r.lost).padStart(5)} lost ${
    mb(r.peakRss).padStart(6)
  } MB peak ${mb(r.rss - r.idleRss).padStart(6)} MB grown (heap ${
    mb(r.heap - r.idleHeap).padStart(4)
  }) ${(r.rssPerMember / 1024).toFixed(1).padStart(6)} KB/member ${
    (r.relayCpuMs / 1000).toFixed(1).padStart(5)
  } s relay CPU ${(r.clientCpuMs / 1000).toFixed(1).padStart(5)} s clients' ${
    (r.bytes / 2 ** 20).toFixed(1).padStart(8)
  } MB received${r.presence ? "" : "  presence off"}`;
}

/** The options of the fill section, shared with `deno task bench`. */
export interface FillOptions {
  sizes: number[];
  runtimes: ("bun" | "deno")[];
  baseline?: string;
  baselineMembers: number;
  processes: number;
  /** What runs the client processes: Bun (lighter) when found, or Deno. */
  clients: "bun" | "deno";
  /** `false`: a channel without presence (no baseline then). */
  presence?: boolean;
  json?: string;
}

/** Runs every fill of the section and prints it; returns the results. */
export async function benchFill(options: FillOptions): Promise<FillResult[]> {
  const { sizes, baselineMembers, processes, presence = true } = options;
  if (!presence && options.baseline !== undefined) {
    throw new Error(
      "Cannot fill without presence against a baseline: its example relay has no LIFELINE_PRESENCE_OFF (pass --baseline '')",
    );
  }
  const bun = await findBun().catch(() => undefined);
  const runtimes = options.runtimes.filter((r) => r === "deno" || bun);
  const clients = bun ? options.clients : "deno";
  const info = await machine();
  console.log(
    `\none channel filled from empty over the network: raw WebSockets in ${processes} ${clients} client processes, ` +
      `hello + join, ${CHANNEL}, presence ${
        presence ? "on" : "off"
      }; ${info.summary}`,
  );
  const tree = options.baseline === undefined
    ? undefined
    : await exportTree(options.baseline);
  const results: FillResult[] = [];
  const ratios: string[] = [];
  try {
    for (const runtime of runtimes) {
      if (tree !== undefined) {
        // Baseline and current in turn, current first and last: the ratio
        // is against the mean of the two current runs.
        const base = {
          runtime,
          members: baselineMembers,
          processes,
          clients,
        };
        const first = await fill(base);
        const old = await fill({
          ...base,
          root: tree.root,
          relay: tree.commit,
        });
        const second = await fill(base);
        for (const r of [first, old, second]) console.log(fillLine(r));
        results.push(first, old, second);
        const now = (first.ms + second.ms) / 2;
        ratios.push(
          `${runtime} ${baselineMembers} members: ${tree.commit} / current ` +
            (first.ms < 0 || second.ms < 0 || old.ms < 0
              ? "- (capped)"
              : `${(old.ms / now).toFixed(1)} × the time`) +
            `, ${
              (old.peakRss / ((first.peakRss + second.peakRss) / 2)).toFixed(1)
            } × the peak memory`,
        );
      }
      for (const members of sizes) {
        if (tree !== undefined && members === baselineMembers) continue;
        const result = await fill({
          runtime,
          members,
          processes,
          clients,
          presence,
        });
        console.log(fillLine(result));
        results.push(result);
      }
    }
  } finally {
    await tree?.remove();
  }
  for (const line of ratios) console.log(line);
  console.log(
    "time: from the start until the last join ack; grown: the relay's rss (and JS heap in use) after the fill minus before, per member joined; relay CPU: user + system from the start until 0.5 s after the last ack; clients': the client processes' CPU until then.",
  );
  if (options.json) {
    await writeResults(options.json, {
      bench: "fill",
      machine: info,
      results,
    });
  }
  return results;
}

/** The flags of the section, as `parseArgs` options. */
export const FILL_FLAGS = {
  members: { type: "string", default: "2000,5000,10000" },
  runtimes: { type: "string", default: "bun,deno" },
  baseline: { type: "string", default: "a908972" },
  "baseline-members": { type: "string", default: "2000" },
  processes: { type: "string", default: "4" },
  clients: { type: "string", default: "bun" },
  presence: { type: "string", default: "on" },
  json: { type: "string", default: "bench/results/fill.json" },
} as const;

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: FILL_FLAGS });
  await benchFill({
    sizes: values.members.split(",").filter(Boolean).map(Number),
    runtimes: values.runtimes.split(",") as ("bun" | "deno")[],
    baseline: values.baseline || undefined,
    baselineMembers: Number(values["baseline-members"]),
    processes: Number(values.processes),
    clients: values.clients as "bun" | "deno",
    presence: values.presence !== "off",
    json: values.json || undefined,
  });
}
