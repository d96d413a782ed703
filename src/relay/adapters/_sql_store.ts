/**
 * The relay store over a Durable Object's SQLite storage (`ctx.storage.sql`):
 * the same answers as the `MemoryStore`, kept in tables, so they outlive a
 * hibernation or an eviction. The SQL API is synchronous, so every method
 * answers synchronously too, and the writes of one event are committed
 * together (a Durable Object's implicit transaction).
 *
 * Internal: `relay/durable-object` exports {@linkcode DurableObjectStore}.
 * A facade over its tables (`_sql_tables.ts`): sessions and dedupe ids
 * (`_sql_sessions.ts`), channels and presence (`_sql_channels.ts`), offsets
 * and history (`_sql_history.ts`), the adapter's snapshots
 * (`_sql_snapshots.ts`).
 *
 * @module
 */

import { checkFunction, checkKeys, checkNumber } from "../../core/_options.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { JoinSince, Member, PubAckData } from "../../protocol/mod.ts";
import { newEpochId } from "../_store_answers.ts";
import type { ConnectionSnapshot } from "../snapshot.ts";
import type {
  ChannelState,
  HistoryAnswer,
  RelayStore,
  StoreCounts,
} from "../store.ts";
import { SqlChannels } from "./_sql_channels.ts";
import { SqlHistory } from "./_sql_history.ts";
import { SqlSessions } from "./_sql_sessions.ts";
import { keepSnapshot, orphans, readSnapshot } from "./_sql_snapshots.ts";
import { type SqlBounds, type SqlStorage, Tables } from "./_sql_tables.ts";

export type { SqlStorage } from "./_sql_tables.ts";

/**
 * Options of {@linkcode DurableObjectStore}: the `MemoryStore`'s bounds.
 *
 * @example Keeping less history
 * ```ts
 * import type { DurableObjectStoreOptions } from "@lifeline/realtime/relay/durable-object";
 * import assert from "node:assert/strict";
 *
 * const options: DurableObjectStoreOptions = { historySize: 100, historyTtl: 60_000 };
 * assert.equal(options.historySize, 100);
 * ```
 */
export interface DurableObjectStoreOptions {
  /** Client message ids remembered per session for dedupe; 0 = none. @default {1024} */
  dedupeSize?: number;
  /** Client message ids remembered across all sessions. @default {100000} */
  dedupeTotal?: number;
  /** Most parked sessions kept for resuming; the oldest go first. @default {10000} */
  resumableSessions?: number;
  /** Messages kept per channel for recovery; 0 = no history. @default {1000} */
  historySize?: number;
  /** How long a message is kept for recovery, in milliseconds; 0 = no history. @default {120000} */
  historyTtl?: number;
  /** Where history times come from. @default {systemClock} */
  clock?: Clock;
  /** Makes a channel's epoch. @default {() => crypto.randomUUID().slice(0, 8)} */
  epochId?: () => string;
}

const KNOWN_OPTIONS = [
  "dedupeSize",
  "dedupeTotal",
  "resumableSessions",
  "historySize",
  "historyTtl",
  "clock",
  "epochId",
];

/**
 * A {@linkcode RelayStore} in a Durable Object's SQLite storage: sessions
 * and their dedupe ids, channel members and presence versions, offsets,
 * epochs and history live in `lifeline_*` tables, so a relay rebuilt after
 * a wake finds them all. It answers synchronously, as the `MemoryStore`
 * does, with the same bounds. Give it `ctx.storage.sql` of a SQLite-backed
 * Durable Object class (`new_sqlite_classes` in the Wrangler migrations).
 *
 * @example A store over SQLite (here Node's, standing in for the object's)
 * ```ts
 * import { DurableObjectStore } from "@lifeline/realtime/relay/durable-object";
 * import { DatabaseSync } from "node:sqlite";
 * import assert from "node:assert/strict";
 *
 * const db = new DatabaseSync(":memory:");
 * const sql = {
 *   exec: (query: string, ...bindings: (string | number | null)[]) => {
 *     const rows = db.prepare(query).all(...bindings) as Record<string, unknown>[];
 *     return { toArray: () => rows };
 *   },
 * };
 * const store = new DurableObjectStore(sql, { epochId: () => "e1" });
 * store.join("lobby", { id: "s1", data: { name: "ann" } });
 * assert.equal(store.append("lobby", "chat", "hi", "s1"), 1);
 * // A new store over the same storage: what a wake sees.
 * const woken = new DurableObjectStore(sql);
 * assert.deepEqual(woken.channel("lobby"), {
 *   members: [{ id: "s1", data: { name: "ann" } }], offset: 1, version: 1, epoch: "e1",
 * });
 * db.close();
 * ```
 */
export class DurableObjectStore implements RelayStore {
  #tables: Tables;
  #sessions: SqlSessions;
  #channels: SqlChannels;
  #history: SqlHistory;

  /** Makes the tables if they are missing; throws for a bad option. */
  constructor(sql: SqlStorage, options: DurableObjectStoreOptions = {}) {
    checkKeys("DurableObjectStore", options, KNOWN_OPTIONS);
    const bound = (name: keyof DurableObjectStoreOptions, fallback: number) =>
      checkNumber("DurableObjectStore", name, options[name] ?? fallback, {
        min: 0,
      });
    const dedupeSize = bound("dedupeSize", 1024);
    const dedupeTotal = bound("dedupeTotal", 100_000);
    const resumableSessions = bound("resumableSessions", 10_000);
    const historySize = bound("historySize", 1000);
    const historyTtl = bound("historyTtl", 120_000);
    const bounds: SqlBounds = {
      dedupeSize,
      dedupeTotal,
      resumableSessions,
      historySize,
      historyTtl,
      keepsHistory: historySize > 0 && historyTtl > 0,
      clock: options.clock ?? systemClock,
      epochId: checkFunction(
        "DurableObjectStore",
        "epochId",
        options.epochId,
        true,
      ) ?? newEpochId,
    };
    this.#tables = new Tables(sql);
    this.#sessions = new SqlSessions(this.#tables, bounds);
    this.#channels = new SqlChannels(this.#tables, bounds);
    this.#history = new SqlHistory(this.#tables, this.#channels, bounds);
  }

  // ------------------------------------------------------------ sessions

  /** Opens a live session, resumable with `resume`. */
  createSession(id: string, userId: string | undefined, resume: string): void {
    this.#sessions.create(id, userId, resume);
  }

  /** Takes a parked, unexpired session back; see {@linkcode RelayStore.resumeSession}. */
  resumeSession(
    id: string,
    userId: string | undefined,
    now: number,
    resume: string,
  ): boolean {
    return this.#sessions.resume(id, userId, now, resume);
  }

  /** Parks a session until `expires`, forgetting the oldest past the bound. */
  parkSession(id: string, expires: number, now: number): void {
    this.#sessions.park(id, expires);
    this.prune(now);
  }

  /** Forgets a session, its dedupe ids and its snapshot. */
  endSession(id: string): void {
    this.#sessions.end(id);
  }

  /**
   * Forgets expired parked sessions and the oldest past the bound, expired
   * history, and empty channels whose history has expired.
   */
  prune(now: number): void {
    this.#sessions.prune(now);
    this.#history.prune(now);
    this.#channels.prune(now);
  }

  /** The ack of an earlier publish of `mid` in `session`. */
  seen(session: string, mid: string): PubAckData | undefined {
    return this.#sessions.seen(session, mid);
  }

  /**
   * Remembers a published `mid`: the session keeps its last `dedupeSize`,
   * the store at most its last `dedupeTotal` (fewer once sessions ended).
   */
  remember(session: string, mid: string, ack: PubAckData): void {
    this.#sessions.remember(session, mid, ack);
  }

  /** How many sessions are parked, and how many `mid`s are remembered. */
  counts(): StoreCounts {
    return {
      resumable: this.#sessions.parked(),
      dedupeIds: this.#sessions.remembered(),
    };
  }

  // ------------------------------------------------------------ channels

  /** Adds a member; answers the channel after the join. */
  join(channel: string, member: Member): ChannelState {
    return this.#channels.join(channel, member);
  }

  /** Removes a member; answers the new presence version. */
  leave(channel: string, id: string): number {
    return this.#channels.leave(channel, id);
  }

  /** Replaces a member's profile; answers the new presence version. */
  update(channel: string, member: Member): number {
    return this.#channels.update(channel, member);
  }

  /** The channel's members, offset and presence version. */
  channel(channel: string): ChannelState {
    return this.#channels.channel(channel);
  }

  // ------------------------------------------------------------ history

  /** The channel's next offset, keeping the message in its history. */
  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): number | undefined {
    return this.#history.append(channel, event, data, sender);
  }

  /** The messages after `since`, or why they cannot be recovered. */
  history(channel: string, since: JoinSince): HistoryAnswer {
    return this.#history.history(channel, since);
  }

  // ------------------------------------------------------------ the adapter's

  /**
   * Keeps a snapshot too large for a socket attachment; the adapter reads
   * it back with {@linkcode DurableObjectStore.snapshot}.
   */
  keepSnapshot(snapshot: ConnectionSnapshot): void {
    keepSnapshot(this.#tables, snapshot);
  }

  /** The snapshot kept for `session`, if any. */
  snapshot(session: string): ConnectionSnapshot | undefined {
    return readSnapshot(this.#tables, session);
  }

  /**
   * The members the store has that none of the `live` sessions is: members
   * whose socket closed while the object slept, or in their presence grace
   * when it was evicted. Each is rebuilt as a snapshot (its user, profile
   * and channels) so the relay can let it go as it would a dropped socket.
   */
  orphans(live: ReadonlySet<string>): ConnectionSnapshot[] {
    return orphans(this.#tables, live);
  }
}
