/**
 * The relay store over a Durable Object's SQLite storage (`ctx.storage.sql`):
 * the same answers as the `MemoryStore`, kept in tables, so they outlive a
 * hibernation or an eviction. The SQL API is synchronous, so every method
 * answers synchronously too, and the writes of one event are committed
 * together (a Durable Object's implicit transaction).
 *
 * Internal: `relay/durable-object` exports {@linkcode DurableObjectStore}.
 *
 * Over 500 lines because it is the `MemoryStore`'s counterpart method by
 * method, each with its SQL; it splits, if it grows, into sessions and
 * dedupe, and channels and history.
 *
 * @module
 */

import { checkFunction, checkKeys, checkNumber } from "../../core/_options.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import type {
  JoinSince,
  Member,
  MissedMessage,
  PubAckData,
} from "../../protocol/mod.ts";
import { sameSecret } from "../_secret.ts";
import type { ConnectionSnapshot } from "../snapshot.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
  type RelayStore,
  type StoreCounts,
} from "../store.ts";

/**
 * The part of a Durable Object's `ctx.storage.sql` the store uses: `exec`
 * with `?` bindings, whose cursor is read with `toArray()`.
 */
export interface SqlStorage {
  /** Runs one statement; its rows, read with `toArray()`. */
  exec(
    query: string,
    ...bindings: (string | number | null)[]
  ): { toArray(): Record<string, unknown>[] };
}

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

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS lifeline_sessions (id TEXT PRIMARY KEY,
    user TEXT, resume TEXT NOT NULL, expires INTEGER, parked INTEGER)`,
  `CREATE TABLE IF NOT EXISTS lifeline_mids (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL, mid TEXT NOT NULL, ack TEXT NOT NULL, UNIQUE (session, mid))`,
  `CREATE TABLE IF NOT EXISTS lifeline_channels (name TEXT PRIMARY KEY,
    latest INTEGER NOT NULL, version INTEGER NOT NULL, epoch TEXT NOT NULL,
    emptied INTEGER NOT NULL, newest INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS lifeline_members (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL, id TEXT NOT NULL, data TEXT, UNIQUE (channel, id))`,
  `CREATE INDEX IF NOT EXISTS lifeline_mids_session ON lifeline_mids (session, seq)`,
  `CREATE INDEX IF NOT EXISTS lifeline_members_id ON lifeline_members (id)`,
  `CREATE TABLE IF NOT EXISTS lifeline_history (channel TEXT NOT NULL,
    position INTEGER NOT NULL, event TEXT NOT NULL, data TEXT, sender TEXT,
    at INTEGER NOT NULL, PRIMARY KEY (channel, position))`,
  `CREATE INDEX IF NOT EXISTS lifeline_history_at ON lifeline_history (at)`,
  `CREATE TABLE IF NOT EXISTS lifeline_snapshots (session TEXT PRIMARY KEY,
    snapshot TEXT NOT NULL)`,
];

const HISTORY_LOST: HistoryAnswer = {
  recovered: false,
  reason: "history_lost",
};
const TOO_FAR_BEHIND: HistoryAnswer = {
  recovered: false,
  reason: "too_far_behind",
};

interface ChannelRow {
  latest: number;
  version: number;
  epoch: string;
  emptied: number;
  newest: number;
}

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
  #sql: SqlStorage;
  #dedupeSize: number;
  #dedupeTotal: number;
  #resumableSessions: number;
  #historySize: number;
  #historyTtl: number;
  #clock: Clock;
  #epochId: () => string;

  /** Makes the tables if they are missing; throws for a bad option. */
  constructor(sql: SqlStorage, options: DurableObjectStoreOptions = {}) {
    checkKeys("DurableObjectStore", options, KNOWN_OPTIONS);
    const bound = (name: keyof DurableObjectStoreOptions, fallback: number) =>
      checkNumber("DurableObjectStore", name, options[name] ?? fallback, {
        min: 0,
      });
    this.#dedupeSize = bound("dedupeSize", 1024);
    this.#dedupeTotal = bound("dedupeTotal", 100_000);
    this.#resumableSessions = bound("resumableSessions", 10_000);
    this.#historySize = bound("historySize", 1000);
    this.#historyTtl = bound("historyTtl", 120_000);
    checkFunction("DurableObjectStore", "epochId", options.epochId, true);
    this.#clock = options.clock ?? systemClock;
    this.#epochId = options.epochId ??
      (() => crypto.randomUUID().slice(0, 8));
    this.#sql = sql;
    for (const statement of SCHEMA) this.#run(statement);
  }

  #rows(
    query: string,
    ...bindings: (string | number | null)[]
  ): Record<string, unknown>[] {
    return this.#sql.exec(query, ...bindings).toArray();
  }

  #run(query: string, ...bindings: (string | number | null)[]): void {
    this.#sql.exec(query, ...bindings).toArray();
  }

  #count(query: string, ...bindings: (string | number | null)[]): number {
    return Number(this.#rows(query, ...bindings)[0]?.n ?? 0);
  }

  get #keepsHistory(): boolean {
    return this.#historySize > 0 && this.#historyTtl > 0;
  }

  // ------------------------------------------------------------ sessions

  /** Opens a live session, resumable with `resume`. */
  createSession(id: string, userId: string | undefined, resume: string): void {
    this.#run("DELETE FROM lifeline_mids WHERE session = ?", id);
    this.#run(
      "INSERT OR REPLACE INTO lifeline_sessions (id, user, resume, expires, parked) VALUES (?, ?, ?, NULL, NULL)",
      id,
      userId ?? null,
      resume,
    );
  }

  /** Takes a parked, unexpired session back; see {@linkcode RelayStore.resumeSession}. */
  resumeSession(
    id: string,
    userId: string | undefined,
    now: number,
    resume: string,
  ): boolean {
    const row = this.#rows(
      "SELECT user, resume, expires FROM lifeline_sessions WHERE id = ?",
      id,
    )[0];
    if (row === undefined || row.expires === null) return false;
    if (Number(row.expires) <= now) {
      this.endSession(id);
      return false;
    }
    if ((row.user ?? undefined) !== userId) return false;
    if (!sameSecret(resume, String(row.resume))) return false;
    this.#run(
      "UPDATE lifeline_sessions SET expires = NULL, parked = NULL WHERE id = ?",
      id,
    );
    return true;
  }

  /** Parks a session until `expires`, forgetting the oldest past the bound. */
  parkSession(id: string, expires: number, now: number): void {
    this.#run(
      `UPDATE lifeline_sessions SET expires = ?, parked =
        (SELECT COALESCE(MAX(parked), 0) + 1 FROM lifeline_sessions) WHERE id = ?`,
      expires,
      id,
    );
    this.prune(now);
  }

  /** Forgets a session, its dedupe ids and its snapshot. */
  endSession(id: string): void {
    this.#run("DELETE FROM lifeline_mids WHERE session = ?", id);
    this.#run("DELETE FROM lifeline_sessions WHERE id = ?", id);
    this.#run("DELETE FROM lifeline_snapshots WHERE session = ?", id);
  }

  /**
   * Forgets expired parked sessions and the oldest past the bound, expired
   * history, and empty channels whose history has expired.
   */
  prune(now: number): void {
    const doomed = this.#rows(
      `SELECT id FROM lifeline_sessions WHERE expires IS NOT NULL AND
        (expires <= ? OR parked <= (SELECT MAX(parked) FROM lifeline_sessions) - ?)`,
      now,
      this.#resumableSessions,
    );
    for (const row of doomed) this.endSession(String(row.id));
    this.#run(
      "DELETE FROM lifeline_history WHERE at <= ?",
      now - this.#historyTtl,
    );
    const idle = this.#rows(
      `SELECT name FROM lifeline_channels WHERE name != ? AND NOT EXISTS
        (SELECT 1 FROM lifeline_members WHERE channel = name)
        AND MAX(emptied, newest) + ? <= ?`,
      APP_CHANNEL,
      this.#historyTtl,
      now,
    );
    for (const row of idle) this.#forget(String(row.name));
  }

  // ------------------------------------------------------------ dedupe

  /** The ack of an earlier publish of `mid` in `session`. */
  seen(session: string, mid: string): PubAckData | undefined {
    const row = this.#rows(
      "SELECT ack FROM lifeline_mids WHERE session = ? AND mid = ?",
      session,
      mid,
    )[0];
    return row === undefined ? undefined : JSON.parse(String(row.ack));
  }

  /**
   * Remembers a published `mid`: the session keeps its last `dedupeSize`,
   * the store at most its last `dedupeTotal` (fewer once sessions ended:
   * the bound counts by insertion order, so each publish costs a few index
   * lookups, never a scan).
   */
  remember(session: string, mid: string, ack: PubAckData): void {
    if (this.#dedupeSize <= 0 || this.#dedupeTotal <= 0) return;
    if (!this.#hasSession(session)) return;
    const seq = Number(
      this.#rows(
        "INSERT OR REPLACE INTO lifeline_mids (session, mid, ack) VALUES (?, ?, ?) RETURNING seq",
        session,
        mid,
        JSON.stringify(ack),
      )[0].seq,
    );
    const kept = this.#count(
      "SELECT COUNT(*) AS n FROM lifeline_mids WHERE session = ?",
      session,
    );
    if (kept > this.#dedupeSize) {
      this.#run(
        `DELETE FROM lifeline_mids WHERE seq =
          (SELECT MIN(seq) FROM lifeline_mids WHERE session = ?)`,
        session,
      );
    }
    this.#run(
      "DELETE FROM lifeline_mids WHERE seq <= ?",
      seq - this.#dedupeTotal,
    );
  }

  #hasSession(id: string): boolean {
    return this.#count(
      "SELECT COUNT(*) AS n FROM lifeline_sessions WHERE id = ?",
      id,
    ) > 0;
  }

  // ------------------------------------------------------------ channels

  /** The channel's row, unless it is an empty one whose history has expired (then forgotten). */
  #find(name: string, now: number): ChannelRow | undefined {
    const row = this.#channelRow(name);
    if (row === undefined || name === APP_CHANNEL) return row;
    if (this.#hasMembers(name)) return row;
    if (this.#idleUntil(row) > now) return row;
    this.#forget(name);
    return undefined;
  }

  #channelRow(name: string): ChannelRow | undefined {
    const row = this.#rows(
      "SELECT latest, version, epoch, emptied, newest FROM lifeline_channels WHERE name = ?",
      name,
    )[0];
    if (row === undefined) return undefined;
    return {
      latest: Number(row.latest),
      version: Number(row.version),
      epoch: String(row.epoch),
      emptied: Number(row.emptied),
      newest: Number(row.newest),
    };
  }

  #hasMembers(name: string): boolean {
    return this.#rows(
      "SELECT 1 AS n FROM lifeline_members WHERE channel = ? LIMIT 1",
      name,
    ).length > 0;
  }

  #idleUntil(row: ChannelRow): number {
    return Math.max(row.emptied, row.newest) + this.#historyTtl;
  }

  #forget(name: string): void {
    this.#run("DELETE FROM lifeline_channels WHERE name = ?", name);
    this.#run("DELETE FROM lifeline_history WHERE channel = ?", name);
    this.#run("DELETE FROM lifeline_members WHERE channel = ?", name);
  }

  #create(name: string): ChannelRow {
    const row: ChannelRow = {
      latest: 0,
      version: 0,
      epoch: this.#epochId(),
      emptied: 0,
      newest: 0,
    };
    this.#run(
      "INSERT INTO lifeline_channels (name, latest, version, epoch, emptied, newest) VALUES (?, 0, 0, ?, 0, 0)",
      name,
      row.epoch,
    );
    return row;
  }

  #bump(name: string, row: ChannelRow): number {
    this.#run(
      "UPDATE lifeline_channels SET version = ? WHERE name = ?",
      ++row.version,
      name,
    );
    return row.version;
  }

  #state(name: string, row: ChannelRow): ChannelState {
    const members: Member[] = this.#rows(
      "SELECT id, data FROM lifeline_members WHERE channel = ? ORDER BY seq",
      name,
    ).map((m) => ({ id: String(m.id), data: parse(m.data) }));
    return {
      members,
      offset: row.latest,
      version: row.version,
      epoch: row.epoch,
    };
  }

  #setMember(channel: string, member: Member): void {
    this.#run(
      `INSERT INTO lifeline_members (channel, id, data) VALUES (?, ?, ?)
        ON CONFLICT (channel, id) DO UPDATE SET data = excluded.data`,
      channel,
      member.id,
      json(member.data),
    );
  }

  /** Adds a member; answers the channel after the join. */
  join(channel: string, member: Member): ChannelState {
    const row = this.#find(channel, this.#clock.now()) ?? this.#create(channel);
    this.#setMember(channel, member);
    this.#bump(channel, row);
    return this.#state(channel, row);
  }

  /** Removes a member; answers the new presence version. */
  leave(channel: string, id: string): number {
    const row = this.#channelRow(channel);
    if (row === undefined) return 0;
    this.#run(
      "DELETE FROM lifeline_members WHERE channel = ? AND id = ?",
      channel,
      id,
    );
    const version = this.#bump(channel, row);
    if (this.#hasMembers(channel)) return version;
    if (this.#keepsHistory) {
      this.#run(
        "UPDATE lifeline_channels SET emptied = ? WHERE name = ?",
        this.#clock.now(),
        channel,
      );
    } else {
      this.#forget(channel);
    }
    return version;
  }

  /** Replaces a member's profile; answers the new presence version. */
  update(channel: string, member: Member): number {
    const row = this.#channelRow(channel);
    if (row === undefined) return 0;
    this.#setMember(channel, member);
    return this.#bump(channel, row);
  }

  /** The channel's members, offset and presence version. */
  channel(channel: string): ChannelState {
    const row = this.#find(channel, this.#clock.now()) ?? this.#app(channel);
    return row === undefined
      ? { members: [], offset: 0, version: 0, epoch: "" }
      : this.#state(channel, row);
  }

  #app(channel: string): ChannelRow | undefined {
    return channel === APP_CHANNEL ? this.#create(channel) : undefined;
  }

  // ------------------------------------------------------------ history

  /** The channel's next offset, keeping the message in its history. */
  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): number | undefined {
    const row = this.#channelRow(channel) ?? this.#app(channel);
    if (row === undefined) return undefined;
    const offset = row.latest + 1;
    if (!this.#keepsHistory) {
      this.#run(
        "UPDATE lifeline_channels SET latest = ? WHERE name = ?",
        offset,
        channel,
      );
      return offset;
    }
    const now = this.#clock.now();
    if (
      channel !== APP_CHANNEL && !this.#hasMembers(channel) &&
      this.#idleUntil(row) <= now
    ) {
      this.#forget(channel);
      return undefined;
    }
    this.#run(
      "INSERT INTO lifeline_history (channel, position, event, data, sender, at) VALUES (?, ?, ?, ?, ?, ?)",
      channel,
      offset,
      event,
      json(data),
      sender,
      now,
    );
    // Expired rows go in `prune`; `history` reads none of them.
    this.#run(
      "DELETE FROM lifeline_history WHERE channel = ? AND position <= ?",
      channel,
      offset - this.#historySize,
    );
    this.#run(
      "UPDATE lifeline_channels SET latest = ?, newest = ? WHERE name = ?",
      offset,
      now,
      channel,
    );
    return offset;
  }

  /** The messages after `since`, or why they cannot be recovered. */
  history(channel: string, since: JoinSince): HistoryAnswer {
    const now = this.#clock.now();
    const row = this.#find(channel, now);
    if (
      row === undefined || row.epoch !== since.epoch ||
      since.offset > row.latest
    ) return HISTORY_LOST;
    const offset = row.latest;
    if (since.offset === offset) return { recovered: true, offset, missed: [] };
    const rows = this.#rows(
      `SELECT position, event, data, sender FROM lifeline_history
        WHERE channel = ? AND position > ? AND at > ? ORDER BY position`,
      channel,
      since.offset,
      now - this.#historyTtl,
    );
    if (rows.length !== offset - since.offset) return TOO_FAR_BEHIND;
    const missed = rows.map((r): MissedMessage => {
      const message: MissedMessage = {
        offset: Number(r.position),
        event: String(r.event),
        sender: r.sender === null ? null : String(r.sender),
      };
      if (r.data !== null) message.data = parse(r.data);
      return message;
    });
    return { recovered: true, offset, missed };
  }

  /** How many sessions are parked, and how many `mid`s are remembered. */
  counts(): StoreCounts {
    return {
      resumable: this.#count(
        "SELECT COUNT(*) AS n FROM lifeline_sessions WHERE expires IS NOT NULL",
      ),
      dedupeIds: this.#count("SELECT COUNT(*) AS n FROM lifeline_mids"),
    };
  }

  // ------------------------------------------------------------ the adapter's

  /**
   * Keeps a snapshot too large for a socket attachment; the adapter reads
   * it back with {@linkcode DurableObjectStore.snapshot}.
   */
  keepSnapshot(snapshot: ConnectionSnapshot): void {
    this.#run(
      "INSERT OR REPLACE INTO lifeline_snapshots (session, snapshot) VALUES (?, ?)",
      snapshot.session,
      JSON.stringify(snapshot),
    );
  }

  /** The snapshot kept for `session`, if any. */
  snapshot(session: string): ConnectionSnapshot | undefined {
    const row = this.#rows(
      "SELECT snapshot FROM lifeline_snapshots WHERE session = ?",
      session,
    )[0];
    return row === undefined ? undefined : JSON.parse(String(row.snapshot));
  }

  /**
   * The members the store has that none of the `live` sessions is: members
   * whose socket closed while the object slept, or in their presence grace
   * when it was evicted. Each is rebuilt as a snapshot (its user, profile
   * and channels) so the relay can let it go as it would a dropped socket.
   */
  orphans(live: ReadonlySet<string>): ConnectionSnapshot[] {
    const found = new Map<string, ConnectionSnapshot>();
    const rows = this.#rows(
      `SELECT m.id AS id, m.channel AS channel, m.data AS data, s.user AS user
        FROM lifeline_members m LEFT JOIN lifeline_sessions s ON s.id = m.id
        ORDER BY m.seq`,
    );
    for (const row of rows) {
      const id = String(row.id);
      if (live.has(id)) continue;
      let snapshot = found.get(id);
      if (snapshot === undefined) {
        snapshot = {
          session: id,
          identity: row.user === null ? {} : { userId: String(row.user) },
          profile: parse(row.data),
          channels: [],
        };
        found.set(id, snapshot);
      }
      snapshot.channels.push(String(row.channel));
    }
    return [...found.values()];
  }
}

/** A value as a nullable JSON column: `undefined` is NULL. */
function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function parse(column: unknown): unknown {
  return column === null || column === undefined
    ? undefined
    : JSON.parse(String(column));
}
