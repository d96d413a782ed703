/**
 * What the parts of the Redis store share: the checked options, the key
 * names, the script runner (tracking what is in flight, so `close()` lets
 * it finish) and where background errors go. Internal.
 *
 * @module
 */

import { checkFunction, checkKeys, checkNumber } from "../../core/_options.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { newEpochId } from "../_store_answers.ts";
import type { RedisCommands, RedisSubscriber } from "./client.ts";
import { Scripts } from "./_scripts.ts";
import {
  KNOWN_OPTIONS,
  type RedisStoreOptions,
} from "./redis_store_options.ts";

/** A script's name. */
export type ScriptName = Parameters<Scripts["run"]>[0];

/** The Redis store's options, checked, and what every part uses. */
export class RedisContext {
  readonly client: RedisCommands;
  readonly subscriber: RedisSubscriber;
  /** Of every key and pub/sub channel. */
  readonly prefix: string;
  readonly node: string;
  readonly historySize: number;
  readonly historyTtl: number;
  readonly dedupeSize: number;
  readonly sessionTtl: number;
  readonly heartbeat: number;
  readonly nodeTimeout: number;
  readonly gapTimeout: number;
  readonly clock: Clock;
  readonly epochId: () => string;
  readonly onError: (error: unknown) => void;
  closed = false;
  #scripts: Scripts;
  /** Scripts in flight. */
  #pending = new Set<Promise<unknown>>();

  /** Checks the options; throws a `TypeError` or `RangeError` for a bad one. */
  constructor(options: RedisStoreOptions) {
    checkKeys("RedisStore", options, KNOWN_OPTIONS);
    if (typeof options.client?.sendCommand !== "function") {
      throw new TypeError(
        "Cannot create RedisStore as 'client' has no sendCommand method",
      );
    }
    if (typeof options.subscriber?.subscribe !== "function") {
      throw new TypeError(
        "Cannot create RedisStore as 'subscriber' has no subscribe method",
      );
    }
    const bound = (name: keyof RedisStoreOptions, fallback: number, min = 0) =>
      checkNumber("RedisStore", name, options[name] ?? fallback, { min });
    this.client = options.client;
    this.subscriber = options.subscriber;
    this.#scripts = new Scripts(this.client);
    this.prefix = options.prefix ?? "lifeline:";
    this.node = options.nodeId ?? crypto.randomUUID();
    if (this.node.includes("|")) {
      throw new TypeError(
        `Cannot create RedisStore as 'nodeId' contains '|': current value is ${this.node}`,
      );
    }
    this.historySize = bound("historySize", 1000);
    this.historyTtl = bound("historyTtl", 120_000);
    this.dedupeSize = bound("dedupeSize", 1024);
    this.sessionTtl = bound("sessionTtl", 86_400_000, 1);
    this.heartbeat = bound("heartbeat", 2000, 1);
    this.nodeTimeout = bound("nodeTimeout", 15_000, 1);
    this.gapTimeout = bound("gapTimeout", 1000, 1);
    checkFunction("RedisStore", "epochId", options.epochId, true);
    checkFunction("RedisStore", "onError", options.onError, true);
    this.clock = options.clock ?? systemClock;
    this.epochId = options.epochId ?? newEpochId;
    this.onError = options.onError ?? (() => {});
  }

  /** How long an emptied channel keeps its history: 0 without history. */
  get idleTtl(): number {
    return this.historySize > 0 && this.historyTtl > 0 ? this.historyTtl : 0;
  }

  /** A channel's meta hash, members hash and stream. */
  keys(channel: string): [string, string, string] {
    const p = this.prefix;
    return [`${p}meta:${channel}`, `${p}mem:${channel}`, `${p}log:${channel}`];
  }

  /** A channel's keys and this node's set of channels (join, leave). */
  membershipKeys(channel: string): string[] {
    return [...this.keys(channel), `${this.prefix}nodech:${this.node}`];
  }

  /** A session's hash, its message ids' hash and their queue. */
  sessionKeys(id: string): [string, string, string] {
    const p = this.prefix;
    return [`${p}sess:${id}`, `${p}mids:${id}`, `${p}midq:${id}`];
  }

  /** A channel's pub/sub channel. */
  pubsub(channel: string): string {
    return `${this.prefix}ch:${channel}`;
  }

  /** This node's pub/sub channel (takeovers). */
  get nodeTopic(): string {
    return `${this.prefix}node:${this.node}`;
  }

  /** Runs a script, tracked so `close()` lets it finish. */
  run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const work = this.#scripts.run(name, keys, args);
    this.#pending.add(work);
    const done = () => void this.#pending.delete(work);
    work.then(done, done);
    return work;
  }

  /** Settles once every script in flight did. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  /** Work nobody waits for: its error goes to `onError` unless closed. */
  background(work: Promise<unknown>): void {
    work.catch((error) => {
      if (!this.closed) this.onError(error);
    });
  }
}
