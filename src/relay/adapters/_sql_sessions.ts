/**
 * The Durable Object store's sessions and their dedupe ids
 * (`lifeline_sessions`, `lifeline_mids`): the `MemoryStore`'s answers
 * and bounds, in tables. Internal.
 *
 * @module
 */

import type { PubAckData } from "../../protocol/mod.ts";
import { sameSecret } from "../_secret.ts";
import type { SqlBounds, Tables } from "./_sql_tables.ts";

/** The sessions' part of the `DurableObjectStore`. */
export class SqlSessions {
  #t: Tables;
  #bounds: SqlBounds;

  constructor(tables: Tables, bounds: SqlBounds) {
    this.#t = tables;
    this.#bounds = bounds;
  }

  create(id: string, userId: string | undefined, resume: string): void {
    this.#t.run("DELETE FROM lifeline_mids WHERE session = ?", id);
    this.#t.run(
      "INSERT OR REPLACE INTO lifeline_sessions (id, user, resume, expires, parked) VALUES (?, ?, ?, NULL, NULL)",
      id,
      userId ?? null,
      resume,
    );
  }

  resume(
    id: string,
    userId: string | undefined,
    now: number,
    resume: string,
  ): boolean {
    const row = this.#t.rows(
      "SELECT user, resume, expires FROM lifeline_sessions WHERE id = ?",
      id,
    )[0];
    if (row === undefined || row.expires === null) return false;
    if (Number(row.expires) <= now) {
      this.end(id);
      return false;
    }
    if ((row.user ?? undefined) !== userId) return false;
    if (!sameSecret(resume, String(row.resume))) return false;
    this.#t.run(
      "UPDATE lifeline_sessions SET expires = NULL, parked = NULL WHERE id = ?",
      id,
    );
    return true;
  }

  /** Parks a session until `expires`; the caller prunes after. */
  park(id: string, expires: number): void {
    this.#t.run(
      `UPDATE lifeline_sessions SET expires = ?, parked =
        (SELECT COALESCE(MAX(parked), 0) + 1 FROM lifeline_sessions) WHERE id = ?`,
      expires,
      id,
    );
  }

  /** Forgets a session, its dedupe ids and its snapshot. */
  end(id: string): void {
    this.#t.run("DELETE FROM lifeline_mids WHERE session = ?", id);
    this.#t.run("DELETE FROM lifeline_sessions WHERE id = ?", id);
    this.#t.run("DELETE FROM lifeline_snapshots WHERE session = ?", id);
  }

  /** Forgets expired parked sessions and the oldest past the bound. */
  prune(now: number): void {
    const doomed = this.#t.rows(
      `SELECT id FROM lifeline_sessions WHERE expires IS NOT NULL AND
        (expires <= ? OR parked <= (SELECT MAX(parked) FROM lifeline_sessions) - ?)`,
      now,
      this.#bounds.resumableSessions,
    );
    for (const row of doomed) this.end(String(row.id));
  }

  seen(session: string, mid: string): PubAckData | undefined {
    const row = this.#t.rows(
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
    const { dedupeSize, dedupeTotal } = this.#bounds;
    if (dedupeSize <= 0 || dedupeTotal <= 0) return;
    if (!this.#has(session)) return;
    const seq = Number(
      this.#t.rows(
        "INSERT OR REPLACE INTO lifeline_mids (session, mid, ack) VALUES (?, ?, ?) RETURNING seq",
        session,
        mid,
        JSON.stringify(ack),
      )[0].seq,
    );
    const kept = this.#t.count(
      "SELECT COUNT(*) AS n FROM lifeline_mids WHERE session = ?",
      session,
    );
    if (kept > dedupeSize) {
      this.#t.run(
        `DELETE FROM lifeline_mids WHERE seq =
          (SELECT MIN(seq) FROM lifeline_mids WHERE session = ?)`,
        session,
      );
    }
    this.#t.run("DELETE FROM lifeline_mids WHERE seq <= ?", seq - dedupeTotal);
  }

  #has(id: string): boolean {
    return this.#t.count(
      "SELECT COUNT(*) AS n FROM lifeline_sessions WHERE id = ?",
      id,
    ) > 0;
  }

  /** Parked sessions. */
  parked(): number {
    return this.#t.count(
      "SELECT COUNT(*) AS n FROM lifeline_sessions WHERE expires IS NOT NULL",
    );
  }

  /** Remembered `mid`s, across all sessions. */
  remembered(): number {
    return this.#t.count("SELECT COUNT(*) AS n FROM lifeline_mids");
  }
}
