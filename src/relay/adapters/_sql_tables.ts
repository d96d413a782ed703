/**
 * The Durable Object store's tables in SQLite (`ctx.storage.sql`): the
 * schema, the statement runner its parts share, the checked bounds, and
 * how a value is kept in a nullable JSON column. Internal.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";

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

/** A statement's `?` bindings. */
export type Bindings = (string | number | null)[];

/** The store's options, checked. */
export interface SqlBounds {
  readonly dedupeSize: number;
  readonly dedupeTotal: number;
  readonly resumableSessions: number;
  readonly historySize: number;
  readonly historyTtl: number;
  readonly keepsHistory: boolean;
  readonly clock: Clock;
  readonly epochId: () => string;
}

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

/** The `lifeline_*` tables: made if missing, then read and written. */
export class Tables {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    for (const statement of SCHEMA) this.run(statement);
  }

  /** A statement's rows. */
  rows(query: string, ...bindings: Bindings): Record<string, unknown>[] {
    return this.#sql.exec(query, ...bindings).toArray();
  }

  /** Runs a statement, its rows unread. */
  run(query: string, ...bindings: Bindings): void {
    this.#sql.exec(query, ...bindings).toArray();
  }

  /** The `n` column of a statement's first row, 0 without one. */
  count(query: string, ...bindings: Bindings): number {
    return Number(this.rows(query, ...bindings)[0]?.n ?? 0);
  }
}

/** A value as a nullable JSON column: `undefined` is NULL. */
export function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** A nullable JSON column as a value: NULL is `undefined`. */
export function parse(column: unknown): unknown {
  return column === null || column === undefined
    ? undefined
    : JSON.parse(String(column));
}
