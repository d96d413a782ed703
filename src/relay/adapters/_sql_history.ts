/**
 * The Durable Object store's offsets and history (`lifeline_history`): an
 * append takes the channel's next offset and keeps the message, the last
 * `historySize` within `historyTtl` ms; a join's `since` reads them back.
 * Internal.
 *
 * @module
 */

import type { JoinSince, MissedMessage } from "../../protocol/mod.ts";
import { recover } from "../_store_answers.ts";
import type { HistoryAnswer } from "../store.ts";
import type { SqlChannels } from "./_sql_channels.ts";
import { json, parse, type SqlBounds, type Tables } from "./_sql_tables.ts";

/** The history part of the `DurableObjectStore`. */
export class SqlHistory {
  #t: Tables;
  #channels: SqlChannels;
  #bounds: SqlBounds;

  constructor(tables: Tables, channels: SqlChannels, bounds: SqlBounds) {
    this.#t = tables;
    this.#channels = channels;
    this.#bounds = bounds;
  }

  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): number | undefined {
    const row = this.#channels.known(channel);
    if (row === undefined) return undefined;
    const offset = row.latest + 1;
    if (!this.#bounds.keepsHistory) {
      this.#t.run(
        "UPDATE lifeline_channels SET latest = ? WHERE name = ?",
        offset,
        channel,
      );
      return offset;
    }
    const now = this.#bounds.clock.now();
    if (this.#channels.expired(channel, row, now)) return undefined;
    this.#t.run(
      "INSERT INTO lifeline_history (channel, position, event, data, sender, at) VALUES (?, ?, ?, ?, ?, ?)",
      channel,
      offset,
      event,
      json(data),
      sender,
      now,
    );
    // Expired rows go in `prune`; `history` reads none of them.
    this.#t.run(
      "DELETE FROM lifeline_history WHERE channel = ? AND position <= ?",
      channel,
      offset - this.#bounds.historySize,
    );
    this.#t.run(
      "UPDATE lifeline_channels SET latest = ?, newest = ? WHERE name = ?",
      offset,
      now,
      channel,
    );
    return offset;
  }

  history(channel: string, since: JoinSince): HistoryAnswer {
    const now = this.#bounds.clock.now();
    const row = this.#channels.find(channel, now);
    const latest = row && { epoch: row.epoch, offset: row.latest };
    return recover(latest, since, (offset) => {
      const rows = this.#t.rows(
        `SELECT position, event, data, sender FROM lifeline_history
          WHERE channel = ? AND position > ? AND at > ? ORDER BY position`,
        channel,
        since.offset,
        now - this.#bounds.historyTtl,
      );
      if (rows.length !== offset - since.offset) return undefined;
      return rows.map((r): MissedMessage => {
        const message: MissedMessage = {
          offset: Number(r.position),
          event: String(r.event),
          sender: r.sender === null ? null : String(r.sender),
        };
        if (r.data !== null) message.data = parse(r.data);
        return message;
      });
    });
  }

  /** Forgets the messages expired at `now`. */
  prune(now: number): void {
    this.#t.run(
      "DELETE FROM lifeline_history WHERE at <= ?",
      now - this.#bounds.historyTtl,
    );
  }
}
