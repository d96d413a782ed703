/**
 * Redis stores for tests: node-redis clients on a test's `redis-server`,
 * each store under its own key prefix, everything closed by `close()`.
 *
 * @module
 */

import { createClient } from "redis";
import {
  RedisStore,
  type RedisStoreOptions,
} from "../../../src/relay/redis/mod.ts";

/** A store and its two connections. */
export interface TestStore {
  store: RedisStore;
  /** Its key prefix. */
  prefix: string;
  /** Runs one raw command, on the store's command connection. */
  command(args: string[]): Promise<unknown>;
  /** Resolves once both connections are (again) ready. */
  ready(): Promise<void>;
  /** Closes the store, then its connections. */
  close(): Promise<void>;
}

let prefixes = 0;

/** A unique key prefix, so stores of one test file never meet. */
export function freshPrefix(): string {
  return `t${++prefixes}-${crypto.randomUUID().slice(0, 6)}:`;
}

/** A `RedisStore` on `url`, with its own connections. */
export async function redisStore(
  url: string,
  options: Partial<RedisStoreOptions> = {},
): Promise<TestStore> {
  const client = createClient({ url });
  client.on("error", () => {}); // reconnects are tested through the store
  await client.connect();
  const subscriber = client.duplicate();
  subscriber.on("error", () => {});
  await subscriber.connect();
  const prefix = options.prefix ?? freshPrefix();
  const store = new RedisStore({
    client,
    subscriber,
    onError: () => {},
    ...options,
    prefix,
  });
  let closed = false;
  return {
    store,
    prefix,
    command: (args) => client.sendCommand(args),
    async ready() {
      for (let i = 0; i < 300 && !(client.isReady && subscriber.isReady); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (!(client.isReady && subscriber.isReady)) {
        throw new Error("Redis connections not ready after 3 s");
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
      subscriber.destroy();
      client.destroy();
    },
  };
}
