/**
 * The relay's store in Redis: run any number of relay processes behind a
 * load balancer, with no sticky sessions, and they act as one. Messages
 * cross nodes in one order per channel, members are global, and a client
 * resumes its session and recovers its channels on any node. Takes the
 * Redis clients you create (node-redis fits), so lifeline itself still
 * depends on nothing.
 *
 * @example Serving an app from several relays
 * ```ts ignore
 * import { createClient } from "redis";
 * import { Relay } from "@lifeline/realtime/relay";
 * import { RedisStore } from "@lifeline/realtime/relay/redis";
 *
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const subscriber = await client.duplicate().connect();
 * const relay = new Relay({ store: new RedisStore({ client, subscriber }) });
 * ```
 *
 * @module
 */

export { RedisStore } from "./redis_store.ts";
export type { RedisStoreOptions } from "./redis_store_options.ts";
export type { RedisCommands, RedisSubscriber } from "./client.ts";
