/**
 * What the Durable Object adapter keeps beside the relay's store: snapshots
 * too large for a socket attachment (`lifeline_snapshots`), and the members
 * no live socket holds after a wake, rebuilt as snapshots. Internal.
 *
 * @module
 */

import type { ConnectionSnapshot } from "../snapshot.ts";
import { parse, type Tables } from "./_sql_tables.ts";

/** Keeps a snapshot, replacing the session's earlier one. */
export function keepSnapshot(t: Tables, snapshot: ConnectionSnapshot): void {
  t.run(
    "INSERT OR REPLACE INTO lifeline_snapshots (session, snapshot) VALUES (?, ?)",
    snapshot.session,
    JSON.stringify(snapshot),
  );
}

/** The snapshot kept for `session`, if any. */
export function readSnapshot(
  t: Tables,
  session: string,
): ConnectionSnapshot | undefined {
  const row = t.rows(
    "SELECT snapshot FROM lifeline_snapshots WHERE session = ?",
    session,
  )[0];
  return row === undefined ? undefined : JSON.parse(String(row.snapshot));
}

/**
 * The members none of the `live` sessions is, each as a snapshot (its
 * user, profile and channels), in join order.
 */
export function orphans(
  t: Tables,
  live: ReadonlySet<string>,
): ConnectionSnapshot[] {
  const found = new Map<string, ConnectionSnapshot>();
  const rows = t.rows(
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
