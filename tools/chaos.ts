/**
 * The chaos workload: publishers and subscribers on several channels of a
 * real relay process, every connection through the chaos proxy, which cuts
 * one connection at random every 100–500 ms (and, if asked, restarts the
 * relay mid-run). Publishers stamp each message with (publisher, seq); at the
 * end every subscriber must hold every acknowledged message exactly once, in
 * each publisher's order. `tests/chaos/` runs a CI-sized run;
 * `deno task chaos` a larger one (`--messages`, `--cuts`, `--seed`,
 * `--restart`, `--nodes`). Deno only.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ConstantBackoff } from "../src/core/backoff.ts";
import { RealtimeManager } from "../src/client/realtime_manager.ts";
import { startProxy } from "./chaos_proxy.ts";
import { startRedis } from "./redis_server.ts";
import { type RunningServer, spawnExampleRelay } from "./servers.ts";

/** How a chaos run is shaped. */
export interface ChaosOptions {
  /** Messages published in all, split between the publishers. @default {10000} */
  messages?: number;
  /** Connections cut before the proxy stops cutting. @default {50} */
  cuts?: number;
  /** Publishers, each on one channel. @default {3} */
  publishers?: number;
  /** Subscribers, each in every channel. @default {3} */
  subscribers?: number;
  /** Channels. @default {3} */
  channels?: number;
  /** Seed of the run's randomness (which connection is cut, and when). @default {1} */
  seed?: number;
  /** Restart the relay (a new process on the same port) half-way. @default {false} */
  restart?: boolean;
  /**
   * Two relays instead of one, a Deno and a Bun one on a throwaway
   * `redis-server` (`LIFELINE_REDIS_URL`): the proxy sends each new
   * connection to either at random, and half-way the Bun one is killed
   * (SIGKILL) and everyone goes to the other. @default {false}
   */
  nodes?: boolean;
  /** Have the proxy forward bytes in pieces split at random points. @default {true} */
  rechunk?: boolean;
  /** Milliseconds the whole run may take before it gives up. @default {120000} */
  deadline?: number;
  /** Told about progress; silent by default. */
  log?: (line: string) => void;
}

/** What a chaos run counted. */
export interface ChaosCounts {
  /** Publishes started. */
  published: number;
  /** Publishes the relay acknowledged. */
  acked: number;
  /** Deliveries to subscribers, duplicates included. */
  delivered: number;
  /**
   * Deliveries of a message a subscriber already had, in a channel it was
   * told of no resync in.
   */
  duplicates: number;
  /**
   * Acknowledged messages a subscriber never got, although it was told of no
   * resync in their channel: a silent gap (one per subscriber and message).
   */
  lost: number;
  /**
   * Acknowledged messages a subscriber never got, or got twice, in a channel
   * where a resync told it so (a restart of a relay that keeps its state in
   * memory forgets both its history and which publishes it had seen).
   */
  resynced: number;
  /** Deliveries that came before an earlier message of the same publisher. */
  outOfOrder: number;
  /** `onResync` calls, over every subscriber. */
  resyncs: number;
  /** Connections the proxy cut. */
  cuts: number;
}

/** A seeded generator, so that a failing run repeats. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** Runs one chaos run and answers its counts. */
export async function runChaos(
  options: ChaosOptions = {},
): Promise<ChaosCounts> {
  const {
    messages = 10_000,
    cuts: maxCuts = 50,
    publishers: publisherCount = 3,
    subscribers: subscriberCount = 3,
    channels: channelCount = 3,
    seed = 1,
    restart = false,
    nodes = false,
    rechunk = true,
    deadline = 120_000,
    log = () => {},
  } = options;
  const random = seeded(seed);
  const env: Record<string, string> = { LIFELINE_RATE: "0" };
  const redis = nodes ? await startRedis() : undefined;
  if (redis !== undefined) {
    env.LIFELINE_REDIS_URL = redis.url;
    env.LIFELINE_REDIS_HEARTBEAT = "200";
  }
  let relay: RunningServer;
  let other: RunningServer | undefined;
  try {
    [relay, other] = await Promise.all([
      spawnExampleRelay("deno", env),
      nodes ? spawnExampleRelay("bun", env) : undefined,
    ]);
  } catch (error) {
    await redis?.stop();
    throw error;
  }
  const port = new URL(relay.url).port;
  const proxy = startProxy(relay.url, { random });
  let killed = false;
  proxy.rechunk = rechunk;
  const channels = Array.from({ length: channelCount }, (_, i) => `chaos-${i}`);
  const counts: ChaosCounts = {
    published: 0,
    acked: 0,
    delivered: 0,
    duplicates: 0,
    lost: 0,
    outOfOrder: 0,
    resyncs: 0,
    resynced: 0,
    cuts: 0,
  };
  const managers: RealtimeManager[] = [];
  const connect = () => {
    const manager = new RealtimeManager(proxy.url, {
      // Cuts come faster than any uptime resets a growing backoff.
      backoff: new ConstantBackoff(50),
      echoMessages: false,
    });
    managers.push(manager);
    return manager;
  };
  // Per subscriber: each "publisher:seq" it got, and each publisher's last seq.
  const seen = Array.from(
    { length: subscriberCount },
    () => ({
      got: new Set<string>(),
      last: new Map<number, number>(),
      resynced: new Set<string>(),
    }),
  );
  const acked = new Set<string>();
  const started = performance.now();
  const timeLeft = () => deadline - (performance.now() - started);
  let cutting = true;
  let restarted = false;
  let cutter: Promise<void> = Promise.resolve();
  try {
    for (const [index, record] of seen.entries()) {
      const subscriber = connect();
      subscriber.onResync(({ channel }) => {
        if (channel === null) return; // no app-wide messages here
        counts.resyncs++;
        record.resynced.add(channel);
      });
      subscriber.on("m", ({ message }) => {
        const { p, s } = message as { p: number; s: number };
        const key = `${p}:${s}`;
        counts.delivered++;
        if (record.got.has(key)) {
          if (record.resynced.has(channels[p % channelCount])) {
            counts.resynced++;
          } else counts.duplicates++;
          return;
        }
        record.got.add(key);
        if ((record.last.get(p) ?? 0) > s) counts.outOfOrder++;
        else record.last.set(p, s);
      });
      await Promise.all(channels.map((c) => subscriber.join(c)));
      log(`subscriber ${index} joined`);
    }
    const publishers = Array.from({ length: publisherCount }, () => connect());
    await Promise.all(
      publishers.map((p, i) => p.join(channels[i % channelCount])),
    );
    // The cutter: one random connection every 100–500 ms, until enough.
    cutter = (async () => {
      while (cutting && counts.cuts < maxCuts && timeLeft() > 0) {
        await new Promise((r) => setTimeout(r, 100 + random() * 400));
        if (other !== undefined && !killed) {
          // The cut connection comes back to either node.
          proxy.target = random() < 0.5 ? relay.url : other.url;
        }
        if (cutting && await proxy.cutOne()) counts.cuts++;
        if (other !== undefined && !killed && counts.cuts >= maxCuts / 2) {
          killed = true;
          log("killing the Bun node");
          proxy.target = relay.url;
          await other.kill!();
        }
        if (restart && !restarted && counts.cuts >= maxCuts / 2) {
          restarted = true;
          log("restarting the relay");
          await relay.stop();
          relay = await spawnExampleRelay("deno", { ...env, PORT: port });
        }
      }
    })();
    const perPublisher = Math.ceil(messages / publisherCount);
    // Spread the publishes over the cuts (one every 300 ms on average): a
    // 5 ms pause after every `pace` publishes.
    const pace = Math.max(1, Math.round(perPublisher * 5 / (maxCuts * 300)));
    await Promise.all(publishers.map(async (publisher, p) => {
      const channel = channels[p % channelCount];
      const inFlight = new Set<Promise<void>>();
      for (let s = 1; s <= perPublisher && timeLeft() > 0; s++) {
        counts.published++;
        const sent: Promise<void> = publisher.send(channel, "m", { p, s })
          .then(() => {
            counts.acked++;
            acked.add(`${p}:${s}`);
          }, () => {})
          .finally(() => inFlight.delete(sent));
        inFlight.add(sent);
        if (inFlight.size >= 32) await Promise.race(inFlight);
        if (s % pace === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(inFlight);
    }));
    log(`published ${counts.published}, acked ${counts.acked}`);
    await cutter;
    cutting = false;
    // Let every subscriber catch up, or give up at the deadline.
    const channelOf = (key: string) =>
      channels[Number(key.split(":")[0]) % channelCount];
    const missing = (record: (typeof seen)[number]) =>
      [...acked].filter((key) => !record.got.has(key));
    const settled = () =>
      seen.every((record) =>
        missing(record).every((key) => record.resynced.has(channelOf(key)))
      );
    while (!settled() && timeLeft() > 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const record of seen) {
      for (const key of missing(record)) {
        if (record.resynced.has(channelOf(key))) counts.resynced++;
        else counts.lost++;
      }
    }
    return counts;
  } finally {
    cutting = false;
    await cutter;
    await Promise.all(managers.map((m) => m.close()));
    await proxy.stop();
    await relay.stop();
    await other?.stop();
    await redis?.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      messages: { type: "string", default: "50000" },
      cuts: { type: "string", default: "200" },
      seed: { type: "string", default: "1" },
      restart: { type: "boolean", default: false },
      nodes: { type: "boolean", default: false },
    },
  });
  const counts = await runChaos({
    messages: Number(values.messages),
    cuts: Number(values.cuts),
    seed: Number(values.seed),
    restart: values.restart,
    nodes: values.nodes,
    deadline: 600_000,
    log: console.log,
  });
  console.log(counts);
}
