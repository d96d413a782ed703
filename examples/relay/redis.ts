/**
 * The example server's Redis store: with `LIFELINE_REDIS_URL` set, every
 * relay process started with the same URL serves one app (see the README's
 * "Deployment"). Uses node-redis (`npm:redis`), which runs unchanged on
 * Deno, Bun and Node. `LIFELINE_REDIS_HEARTBEAT` (ms, default 2000) is how
 * often a node tells Redis it is alive; a node unheard for two heartbeats
 * plus the presence grace is dead, and its members leave.
 *
 * @module
 */

import { createClient } from "redis";
import { RedisStore } from "../../src/relay/redis/mod.ts";
import type { Env, ServerConfig } from "./config.ts";

/** The store's connections, to close after the relay. */
export interface RedisConnection {
  /** Closes the store, then its two connections. */
  close(): Promise<void>;
}

/**
 * Connects to `LIFELINE_REDIS_URL` and gives `config.relay` a
 * {@linkcode RedisStore}; without the variable, changes nothing and answers
 * `undefined`.
 */
export async function connectRedis(
  config: ServerConfig,
  env: Env,
): Promise<RedisConnection | undefined> {
  const url = env.LIFELINE_REDIS_URL?.trim();
  if (!url) return undefined;
  const heartbeat = Number(env.LIFELINE_REDIS_HEARTBEAT?.trim() || 2000);
  if (!(heartbeat > 0)) {
    throw new RangeError(
      `Cannot read LIFELINE_REDIS_HEARTBEAT as it must be a positive number: current value is ${
        JSON.stringify(env.LIFELINE_REDIS_HEARTBEAT)
      }`,
    );
  }
  const client = createClient({ url });
  // node-redis reconnects by itself; a lost connection is reported, not fatal.
  client.on("error", (error) => console.error("redis:", error.message));
  await client.connect();
  const subscriber = client.duplicate();
  subscriber.on("error", (error) => console.error("redis:", error.message));
  await subscriber.connect();
  const { historySize, historyTtl, presenceGrace = 10_000 } = config.relay;
  const store = new RedisStore({
    client,
    subscriber,
    heartbeat,
    onError: (error) => console.error("redis store:", error),
    nodeTimeout: 2 * heartbeat + presenceGrace,
    ...(historySize === undefined ? {} : { historySize }),
    ...(historyTtl === undefined ? {} : { historyTtl }),
  });
  config.relay.store = store;
  return {
    async close() {
      await store.close();
      subscriber.destroy();
      client.destroy();
    },
  };
}
