/**
 * The options of `RedisStore`.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import type { RedisCommands, RedisSubscriber } from "./client.ts";

/**
 * Options for {@linkcode RedisStore}: the two connections, then bounds and
 * timings shared by every node of an app (give them all the same).
 *
 * @example Options are checked strictly
 * ```ts
 * import { RedisStore, type RedisStoreOptions } from "@lifeline/realtime/relay/redis";
 * import assert from "node:assert/strict";
 *
 * const options = { client: {}, subscriber: {} } as unknown as RedisStoreOptions;
 * assert.throws(() => new RedisStore(options), TypeError); // no sendCommand
 * ```
 *
 * @example A store over node-redis clients
 * ```ts ignore
 * import { createClient } from "redis";
 * import { RedisStore, type RedisStoreOptions } from "@lifeline/realtime/relay/redis";
 *
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const subscriber = await client.duplicate().connect();
 * const options: RedisStoreOptions = { client, subscriber, historySize: 500 };
 * const store = new RedisStore(options);
 * ```
 */
export interface RedisStoreOptions {
  /** The connection commands go through (a node-redis client). */
  client: RedisCommands;
  /** A second connection, for pub/sub (the client's `duplicate()`). */
  subscriber: RedisSubscriber;
  /** Prefix of every key and pub/sub channel; one app per prefix. @default {"lifeline:"} */
  prefix?: string;
  /** This node's id, unique among the live nodes; no `|`. @default {a random UUID} */
  nodeId?: string;
  /** Messages kept per channel for recovery (`XADD MAXLEN ~`); 0 = no history. @default {1000} */
  historySize?: number;
  /** How long a message is kept for recovery, in milliseconds; 0 = no history. @default {120000} */
  historyTtl?: number;
  /** Client message ids remembered per session for dedupe. @default {1024} */
  dedupeSize?: number;
  /**
   * How long a live session's keys live in Redis without being parked, in
   * milliseconds: a bound for sessions whose node died without parking them.
   * @default {86400000}
   */
  sessionTtl?: number;
  /** How often this node tells Redis it is alive and reaps dead nodes, in milliseconds. @default {2000} */
  heartbeat?: number;
  /**
   * How long a node may go unheard before its members leave the channels,
   * in milliseconds: its heartbeat timeout plus the presence grace.
   * @default {15000}
   */
  nodeTimeout?: number;
  /** How long a gap in a channel's pub/sub messages may stay open before it is skipped, in milliseconds. @default {1000} */
  gapTimeout?: number;
  /** Where timers come from. @default {systemClock} */
  clock?: Clock;
  /** Makes a channel's epoch (no `|`). @default {() => crypto.randomUUID().slice(0, 8)} */
  epochId?: () => string;
  /** Gets the errors of background work (heartbeats, pub/sub, unsubscribing); dropped without it. */
  onError?: (error: unknown) => void;
}

/** The option names, for the strict check. */
export const KNOWN_OPTIONS: readonly string[] = [
  "client",
  "subscriber",
  "prefix",
  "nodeId",
  "historySize",
  "historyTtl",
  "dedupeSize",
  "sessionTtl",
  "heartbeat",
  "nodeTimeout",
  "gapTimeout",
  "clock",
  "epochId",
  "onError",
];
