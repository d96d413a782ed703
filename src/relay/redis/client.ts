/**
 * The two Redis connections a `RedisStore` needs, typed by what it calls on
 * them, so the store depends on no client library. node-redis
 * (`npm:redis`) clients fit as they are: `createClient()` for commands and
 * its `duplicate()` for subscriptions.
 *
 * @module
 */

/**
 * A Redis connection that runs commands: `sendCommand(["XADD", …])`
 * answers the RESP2 reply (strings, integers, arrays, null) or rejects with
 * the Redis error. A node-redis client is one.
 *
 * @example A fake connection answering PING
 * ```ts
 * import type { RedisCommands } from "@lifeline/realtime/relay/redis";
 * import assert from "node:assert/strict";
 *
 * const client: RedisCommands = {
 *   sendCommand: (args) => Promise.resolve(args[0] === "PING" ? "PONG" : null),
 * };
 * assert.equal(await client.sendCommand(["PING"]), "PONG");
 * ```
 */
export interface RedisCommands {
  /** Runs one command; `args` is the command name then its arguments. */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A Redis connection in subscriber mode (a node-redis client's
 * `duplicate()`, connected). The store subscribes each channel once, with
 * one listener, and unsubscribes it with the same listener.
 *
 * @example A fake subscriber
 * ```ts
 * import type { RedisSubscriber } from "@lifeline/realtime/relay/redis";
 * import assert from "node:assert/strict";
 *
 * const heard: string[] = [];
 * const subscriber: RedisSubscriber = {
 *   subscribe: (channel, listener) => Promise.resolve(listener("hi", channel)),
 *   unsubscribe: () => Promise.resolve(),
 * };
 * await subscriber.subscribe("c", (message) => void heard.push(message));
 * assert.deepEqual(heard, ["hi"]);
 * ```
 */
export interface RedisSubscriber {
  /** Subscribes `channel`; `listener` gets each message and its channel. */
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  /** Unsubscribes `listener` from `channel`. */
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
}
