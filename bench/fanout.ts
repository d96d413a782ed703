/**
 * Fan-out benchmark: one publisher, N subscribers in one channel, the relay
 * in its own process so its CPU time can be read. Each runtime's example
 * relay is measured against that runtime's raw broadcast (`raw_deno.ts`,
 * `raw_bun.ts`) in the same run. Prints deliveries per second and server CPU
 * microseconds per delivery, and the lifeline/raw ratios, with the bench
 * process's own CPU per delivery (the publisher and subscribers: 2 to 3
 * times the server's on Bun, so on a small machine they, not the relay,
 * bound the deliveries per second). Every server gets the same unmeasured
 * warm-up first, so that each is measured warm.
 *
 * Run with `deno task bench`. Bun rows are skipped when Bun cannot be found.
 * It ends with `./redis_nodes.ts`: fan-out through two nodes on Redis
 * against one; then `./_scale.ts`: one channel filled from empty over the
 * network, and a 10,000-client restart storm (its `--fill-*`, `--storm-*`
 * and `--scale-*` flags size them).
 *
 * `--smoke` runs every section at a size that only proves it works, and
 * writes no results (CI runs it: `tests/bench/fanout_test.ts`).
 *
 * `deno task bench --baseline <git-ref>` also measures the example relay of
 * that commit (its tree exported with `git archive` into a temporary
 * directory and started the way it was then), interleaved run by run with
 * the current one, and prints the current/baseline ratios per scenario.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import {
  findBun,
  type RunningServer,
  spawnExampleRelay,
  spawnServer,
} from "../tools/servers.ts";
import { type ExportedTree, exportTree } from "./_baseline.ts";
import { compareCores } from "./_core_compare.ts";
import {
  type Kind,
  median,
  printRuns,
  printTable,
  type Result,
} from "./_fanout_table.ts";
import { benchRedisNodes, type NodeSizes } from "./redis_nodes.ts";
import { benchScale, SCALE_FLAGS, type ScaleValues } from "./_scale.ts";

/** Subscribers and measured messages per run; fewer messages for more subscribers. */
const SCENARIOS = [
  { subscribers: 10, messages: 10_000 },
  { subscribers: 100, messages: 2_000 },
  { subscribers: 1_000, messages: 300 },
] as const;
/** `--smoke`: one tiny scenario, to prove the bench works. */
const SMOKE_SCENARIOS = [{ subscribers: 3, messages: 50 }] as const;
/** `--smoke`: the Redis nodes section's sizes. */
const SMOKE_NODE_SIZES: NodeSizes = {
  subscribers: 4,
  messages: 20,
  repeats: 1,
};
/** `--smoke`: the fill and storm sections' sizes (see `./_scale.ts`). */
const SMOKE_SCALE: ScaleValues = {
  "fill-members": "10",
  "fill-baseline": "",
  "storm-clients": "10",
  "storm-modes": "kill",
  "scale-processes": "1",
};
/** Measured runs per scenario; the table shows the median. */
const REPEATS = 3;
/**
 * Deliveries (at least 20 messages) sent unmeasured before each run, so
 * that the run starts from a steady state on both ends.
 */
const WARMUP_DELIVERIES = 20_000;
/**
 * Messages of one unmeasured 10-subscriber run each server gets before its
 * first measured run, raw and relays alike: a JIT (Bun's above all) is still
 * compiling the relay's code through the first runs, and the raw servers
 * have none of it to compile, so without it the first scenario measured
 * compilation (1.2 µs of CPU per delivery on Bun in the first run, 0.6
 * once warm).
 */
const WARMUP_RUN_MESSAGES = 10_000;
/** Messages the publisher may have in flight (not yet delivered to everyone). */
const WINDOW = 32;
/** Cap on one measured run, in ms; a capped run reports what was delivered. */
const RUN_CAP_MS = 20_000;
/** Cap on setting up or tearing down one run's sockets, in ms. */
const SETUP_CAP_MS = 30_000;
/** Sockets opened at once while connecting subscribers. */
const CONNECT_BATCH = 50;
/** Skip what remains once the whole bench has run this long, in ms. */
const TOTAL_CAP_MS = 170_000;
/** The same with a baseline, which has half as many runs again. */
const TOTAL_CAP_WITH_BASELINE_MS = 260_000;

const CHANNEL = "bench";
/** Every delivered message carries it; nothing else the subscribers get does. */
const MARK = '"event":"tick"';

interface Target {
  runtime: "deno" | "bun";
  kind: Kind;
  start(): Promise<RunningServer>;
}

function deadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Opens a socket; resolves on open, rejects if it errors or closes first. */
function connect(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onclose = () => reject(new Error(`cannot connect to ${url}`));
  });
}

/** Resolves with the first text frame that `accept` takes. */
function frame(
  ws: WebSocket,
  accept: (text: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      if (typeof event.data === "string" && accept(event.data)) {
        done();
        resolve(event.data);
      }
    };
    const onClose = () => {
      done();
      reject(new Error("socket closed while waiting for a frame"));
    };
    const done = () => {
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("close", onClose);
    };
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", onClose);
  });
}

/** Opens a socket and, for the relay, says hello and joins the channel. */
async function peer(url: string, kind: Kind): Promise<WebSocket> {
  const ws = await connect(url);
  if (kind !== "raw") {
    const joined = frame(ws, (text) => text.includes('"ref":1'));
    ws.send(JSON.stringify({ type: "hello", v: 1 }));
    ws.send(
      JSON.stringify({ type: "join", ref: 1, channel: CHANNEL, echo: false }),
    );
    const ack = JSON.parse(await joined);
    if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  }
  return ws;
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((ws) =>
    new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.addEventListener("close", () => resolve());
      ws.close();
    })
  ));
}

async function cpuMicros(server: RunningServer): Promise<number> {
  const response = await fetch(`${server.httpUrl}/stats`);
  const { cpu } = await response.json() as {
    cpu: { user: number; system: number };
  };
  return cpu.user + cpu.system;
}

/**
 * Sends `messages` messages through the server, at most {@linkcode WINDOW}
 * ahead of full delivery; resolves when every subscriber has all of them or
 * the cap expires.
 */
function publish(
  publisher: WebSocket,
  subscribers: WebSocket[],
  kind: Kind,
  messages: number,
): Promise<{ delivered: number; ms: number }> {
  const n = subscribers.length;
  const expected = n * messages;
  let delivered = 0;
  let sent = 0;
  const start = performance.now();
  const { promise, resolve } = Promise.withResolvers<
    { delivered: number; ms: number }
  >();
  const finish = () => {
    clearTimeout(cap);
    for (const ws of subscribers) ws.onmessage = null;
    resolve({ delivered, ms: performance.now() - start });
  };
  const cap = setTimeout(finish, RUN_CAP_MS);
  const pump = () => {
    while (sent < messages && sent - Math.floor(delivered / n) < WINDOW) {
      const i = sent++;
      publisher.send(
        kind !== "raw"
          ? `{"type":"pub","channel":"${CHANNEL}","event":"tick","data":{"i":${i}},"echo":false}`
          : `{"type":"msg","channel":"${CHANNEL}","event":"tick","data":{"i":${i}}}`,
      );
    }
  };
  for (const ws of subscribers) {
    ws.onmessage = (event) => {
      if ((event.data as string).includes(MARK) && ++delivered >= expected) {
        finish();
      } else pump();
    };
  }
  pump();
  return promise;
}

async function run(
  target: Target,
  server: RunningServer,
  subscribers: number,
  messages: number,
  warmup: number = WARMUP_DELIVERIES,
): Promise<Result> {
  const sockets: WebSocket[] = [];
  try {
    await deadline(
      (async () => {
        for (let i = 0; i < subscribers; i += CONNECT_BATCH) {
          const batch = Math.min(CONNECT_BATCH, subscribers - i);
          sockets.push(
            ...await Promise.all(
              Array.from(
                { length: batch },
                () => peer(server.url, target.kind),
              ),
            ),
          );
        }
      })(),
      SETUP_CAP_MS,
      `connecting ${subscribers} subscribers`,
    );
    const publisher = await peer(server.url, target.kind);
    sockets.push(publisher);
    const receivers = sockets.slice(0, subscribers);
    await publish(
      publisher,
      receivers,
      target.kind,
      Math.max(20, Math.ceil(warmup / subscribers)),
    );
    const before = await cpuMicros(server);
    const client = process.cpuUsage();
    const { delivered, ms } = await publish(
      publisher,
      receivers,
      target.kind,
      messages,
    );
    const clientUsed = process.cpuUsage(client);
    const after = await cpuMicros(server);
    return {
      runtime: target.runtime,
      kind: target.kind,
      subscribers,
      delivered,
      expected: subscribers * messages,
      ms,
      cpuMicros: after - before,
      clientMicros: clientUsed.user + clientUsed.system,
    };
  } finally {
    await deadline(closeAll(sockets), SETUP_CAP_MS, "closing sockets");
  }
}

/** The servers measured: per runtime, this relay, the baseline's if any, the raw broadcast. */
async function targetsOf(
  baseline: ExportedTree | undefined,
): Promise<Target[]> {
  const relayEnv = { LIFELINE_RATE: "0" };
  const targets: Target[] = [];
  const runtimes: {
    runtime: "deno" | "bun";
    raw: () => Promise<RunningServer>;
  }[] = [{
    runtime: "deno",
    raw: () =>
      spawnServer({
        name: "raw-deno",
        command: Deno.execPath(),
        args: ["run", "-A", "bench/raw_deno.ts"],
      }),
  }];
  try {
    const bun = await findBun();
    runtimes.push({
      runtime: "bun",
      raw: () =>
        spawnServer({
          name: "raw-bun",
          command: bun,
          args: ["bench/raw_bun.ts"],
        }),
    });
  } catch (error) {
    console.log(`skipping Bun: ${(error as Error).message}`);
  }
  for (const { runtime, raw } of runtimes) {
    targets.push({
      runtime,
      kind: "lifeline",
      start: () => spawnExampleRelay(runtime, relayEnv),
    });
    if (baseline !== undefined) {
      targets.push({
        runtime,
        kind: "baseline",
        start: () => spawnExampleRelay(runtime, relayEnv, baseline.root),
      });
    }
    targets.push({ runtime, kind: "raw", start: raw });
  }
  return targets;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      baseline: { type: "string" },
      "core-only": { type: "boolean" },
      smoke: { type: "boolean" },
      ...SCALE_FLAGS,
    },
  });
  const started = performance.now();
  // --smoke: every section at a size that only proves it works (for CI).
  const smoke = values.smoke === true;
  const scenarios = smoke ? SMOKE_SCENARIOS : SCENARIOS;
  const repeats = smoke ? 1 : REPEATS;
  const warmup = smoke ? 0 : WARMUP_DELIVERIES;
  const baseline = values.baseline === undefined
    ? undefined
    : await exportTree(values.baseline);
  const cap = baseline ? TOTAL_CAP_WITH_BASELINE_MS : TOTAL_CAP_MS;
  const timeUp = () => performance.now() - started > cap;
  if (baseline) console.log(`baseline: ${baseline.commit}`);
  if (values["core-only"]) {
    if (baseline === undefined) throw new Error("--core-only needs --baseline");
    try {
      await compareCores(baseline);
    } finally {
      await baseline.remove();
    }
    return;
  }
  try {
    const targets = await targetsOf(baseline);
    const results: Result[] = [];
    for (const runtime of ["deno", "bun"]) {
      const group = targets.filter((t) => t.runtime === runtime);
      if (group.length === 0) continue;
      if (timeUp()) {
        console.log(`time is up: skipping ${runtime}`);
        continue;
      }
      // All of a runtime's servers run at once, and each repeat measures
      // them in turn, so drift on the machine hits them alike.
      const servers: RunningServer[] = [];
      try {
        for (const target of group) servers.push(await target.start());
        for (const [index, target] of group.entries()) {
          await run(
            target,
            servers[index],
            10,
            smoke ? 20 : WARMUP_RUN_MESSAGES,
            warmup,
          );
        }
        for (const { subscribers, messages } of scenarios) {
          const runs: Result[][] = group.map(() => []);
          for (let i = 0; i < repeats && !timeUp(); i++) {
            for (const [index, target] of group.entries()) {
              runs[index].push(
                await run(
                  target,
                  servers[index],
                  subscribers,
                  messages,
                  warmup,
                ),
              );
            }
          }
          for (const [index, target] of group.entries()) {
            if (runs[index].length === 0) continue;
            results.push(median(runs[index]));
            printRuns(target, subscribers, runs[index]);
          }
        }
      } finally {
        await Promise.all(servers.map((server) => server.stop()));
      }
    }
    printTable(results, repeats, baseline?.commit);
    if (baseline) await compareCores(baseline);
    // Then fan-out through two nodes on Redis against one (./redis_nodes.ts).
    await benchRedisNodes(smoke ? SMOKE_NODE_SIZES : undefined);
    // Then a big channel filled, and a restart storm (./_scale.ts).
    await benchScale(smoke ? { ...values, ...SMOKE_SCALE } : values, !smoke);
  } finally {
    await baseline?.remove();
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.main) await main();
