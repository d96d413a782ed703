/**
 * The Durable Object store's channels (`lifeline_channels`,
 * `lifeline_members`): members in join order, presence versions, epochs and
 * latest offsets; an emptied channel kept until its history would have
 * expired. Internal.
 *
 * @module
 */

import type { Member } from "../../protocol/mod.ts";
import { noChannel } from "../_store_answers.ts";
import { APP_CHANNEL, type ChannelState } from "../store.ts";
import { json, parse, type SqlBounds, type Tables } from "./_sql_tables.ts";

/** A channel's row. */
export interface ChannelRow {
  latest: number;
  version: number;
  epoch: string;
  emptied: number;
  newest: number;
}

/** The channels' part of the `DurableObjectStore`. */
export class SqlChannels {
  #t: Tables;
  #bounds: SqlBounds;

  constructor(tables: Tables, bounds: SqlBounds) {
    this.#t = tables;
    this.#bounds = bounds;
  }

  /** The channel's row, unless it is an empty one whose history has expired (then forgotten). */
  find(name: string, now: number): ChannelRow | undefined {
    const row = this.row(name);
    if (row === undefined || name === APP_CHANNEL) return row;
    if (this.#idle(name, row, now)) {
      this.forget(name);
      return undefined;
    }
    return row;
  }

  /** Whether `name` is empty and its history expired at `now` (never the app channel). */
  #idle(name: string, row: ChannelRow, now: number): boolean {
    return name !== APP_CHANNEL && !this.#hasMembers(name) &&
      Math.max(row.emptied, row.newest) + this.#bounds.historyTtl <= now;
  }

  /** The channel's row as it is. */
  row(name: string): ChannelRow | undefined {
    const row = this.#t.rows(
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

  /** The row of a channel an append may go to: a known one, or the app channel (made). */
  known(name: string): ChannelRow | undefined {
    return this.row(name) ?? this.#app(name);
  }

  /**
   * Forgets `name` if it is empty and its history expired at `now` (an
   * append then goes nowhere); answers whether it did.
   */
  expired(name: string, row: ChannelRow, now: number): boolean {
    if (!this.#idle(name, row, now)) return false;
    this.forget(name);
    return true;
  }

  #hasMembers(name: string): boolean {
    return this.#t.rows(
      "SELECT 1 AS n FROM lifeline_members WHERE channel = ? LIMIT 1",
      name,
    ).length > 0;
  }

  /** Forgets a channel: its row, history and members. */
  forget(name: string): void {
    this.#t.run("DELETE FROM lifeline_channels WHERE name = ?", name);
    this.#t.run("DELETE FROM lifeline_history WHERE channel = ?", name);
    this.#t.run("DELETE FROM lifeline_members WHERE channel = ?", name);
  }

  /** Forgets the empty channels whose history expired at `now`. */
  prune(now: number): void {
    const idle = this.#t.rows(
      `SELECT name FROM lifeline_channels WHERE name != ? AND NOT EXISTS
        (SELECT 1 FROM lifeline_members WHERE channel = name)
        AND MAX(emptied, newest) + ? <= ?`,
      APP_CHANNEL,
      this.#bounds.historyTtl,
      now,
    );
    for (const row of idle) this.forget(String(row.name));
  }

  #create(name: string): ChannelRow {
    const row: ChannelRow = {
      latest: 0,
      version: 0,
      epoch: this.#bounds.epochId(),
      emptied: 0,
      newest: 0,
    };
    this.#t.run(
      "INSERT INTO lifeline_channels (name, latest, version, epoch, emptied, newest) VALUES (?, 0, 0, ?, 0, 0)",
      name,
      row.epoch,
    );
    return row;
  }

  /** Creates {@linkcode APP_CHANNEL}, the one channel known without members. */
  #app(name: string): ChannelRow | undefined {
    return name === APP_CHANNEL ? this.#create(name) : undefined;
  }

  #bump(name: string, row: ChannelRow): number {
    this.#t.run(
      "UPDATE lifeline_channels SET version = ? WHERE name = ?",
      ++row.version,
      name,
    );
    return row.version;
  }

  #state(name: string, row: ChannelRow): ChannelState {
    const members: Member[] = this.#t.rows(
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
    this.#t.run(
      `INSERT INTO lifeline_members (channel, id, data) VALUES (?, ?, ?)
        ON CONFLICT (channel, id) DO UPDATE SET data = excluded.data`,
      channel,
      member.id,
      json(member.data),
    );
  }

  join(channel: string, member: Member): ChannelState {
    const now = this.#bounds.clock.now();
    const row = this.find(channel, now) ?? this.#create(channel);
    this.#setMember(channel, member);
    this.#bump(channel, row);
    return this.#state(channel, row);
  }

  leave(channel: string, id: string): number {
    const row = this.row(channel);
    if (row === undefined) return 0;
    this.#t.run(
      "DELETE FROM lifeline_members WHERE channel = ? AND id = ?",
      channel,
      id,
    );
    const version = this.#bump(channel, row);
    if (this.#hasMembers(channel)) return version;
    if (this.#bounds.keepsHistory) {
      this.#t.run(
        "UPDATE lifeline_channels SET emptied = ? WHERE name = ?",
        this.#bounds.clock.now(),
        channel,
      );
    } else {
      this.forget(channel);
    }
    return version;
  }

  update(channel: string, member: Member): number {
    const row = this.row(channel);
    if (row === undefined) return 0;
    this.#setMember(channel, member);
    return this.#bump(channel, row);
  }

  channel(channel: string): ChannelState {
    const now = this.#bounds.clock.now();
    const row = this.find(channel, now) ?? this.#app(channel);
    return row === undefined ? noChannel() : this.#state(channel, row);
  }
}
