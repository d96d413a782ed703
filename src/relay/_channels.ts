/**
 * Membership and presence on this relay: joining, leaving, the presence
 * grace, profile updates, and telling the members of each change. Members
 * and presence versions are the store's; delivering messages is
 * `_delivery.ts`'s. Internal.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import {
  encodeFrame,
  type JoinAckData,
  type JoinSince,
  type Member,
  type PresenceFrame,
  presenceFrame,
} from "../protocol/mod.ts";
import { Channel } from "./_channel.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import type { Delivery } from "./_delivery.ts";
import { Grace } from "./_grace.ts";
import { PresenceBatch } from "./_presence_batch.ts";
import type { ChannelState, HistoryAnswer, StoreAnswer } from "./store.ts";

type Action = PresenceFrame["action"];

/** The channels with members on this relay. */
export class Channels {
  /** Channels with at least one member here. */
  readonly local: Map<string, Channel<Connection>>;
  #context: Context;
  #delivery: Delivery;
  #grace: Grace;
  #batch: PresenceBatch;
  #timers: boolean;

  /** `timers`: whether the presence grace ends on timers (else the sweep). */
  constructor(context: Context, delivery: Delivery, timers: boolean) {
    this.#context = context;
    this.#delivery = delivery;
    this.local = delivery.local;
    this.#timers = timers;
    this.#batch = new PresenceBatch(context, delivery);
    this.#grace = new Grace(
      context,
      timers,
      (conn) => this.leaveAll(conn, this.#context.closed),
    );
  }

  /**
   * Adds `conn` to channel `name` in the store, then here; acks with the
   * channel's state (and, with `since`, what it missed) and tells the
   * members. `echo`: whether the joiner hears its own join.
   */
  join(
    conn: Connection,
    name: string,
    echo: boolean,
    since: JoinSince | undefined,
    ref: number | undefined,
  ): StoreAnswer<void> {
    const member: Member = { id: conn.id, data: conn.profile };
    const presence = this.local.get(name)?.presence ?? this.#hasPresence(name);
    const list = presence ? this.#context.settings.joinMembers : 0;
    const state = this.#context.store.join(name, member, list);
    const then = (ack: JoinAckData) =>
      this.#joined(conn, name, echo, ref, presence, ack);
    if (!isThenable(state)) {
      return this.#recover(state, name, since, list, then);
    }
    return Promise.resolve(state).then((state) =>
      this.#recover(state, name, since, list, then)
    );
  }

  /** Acks a join of a channel `conn` is already in (a repair, with `since`). */
  ackJoined(
    conn: Connection,
    name: string,
    since: JoinSince | undefined,
    ref: number | undefined,
  ): StoreAnswer<void> {
    const state = this.#context.store.channel(name);
    const presence = conn.channels.get(name)?.presence ?? true;
    const list = presence ? this.#context.settings.joinMembers : 0;
    const ack = (data: JoinAckData) =>
      conn.ack(ref, presence ? data : quiet(data));
    if (!isThenable(state)) return this.#recover(state, name, since, list, ack);
    return Promise.resolve(state).then((state) =>
      this.#recover(state, name, since, list, ack)
    );
  }

  /**
   * Calls `then` with the join ack: the channel's state and, with `since`,
   * the store's history answer (whose offset is the one live messages
   * follow), its members listed only if at most `list`. Synchronous when
   * the store is.
   */
  #recover(
    state: ChannelState,
    name: string,
    since: JoinSince | undefined,
    list: number,
    then: (ack: JoinAckData) => void,
  ): StoreAnswer<void> {
    if (state.members.length > list) {
      // The store listed more than asked (it may): trim here.
      const { offset, version, epoch } = state;
      state = {
        members: [],
        count: state.members.length,
        offset,
        version,
        epoch,
      };
    }
    if (since === undefined) return then(state);
    const answer = this.#context.store.history(name, since);
    if (!isThenable(answer)) return then(joinAck(state, answer));
    return Promise.resolve(answer).then((answer) =>
      then(joinAck(state, answer))
    );
  }

  #joined(
    conn: Connection,
    name: string,
    echo: boolean,
    ref: number | undefined,
    presence: boolean,
    state: JoinAckData,
  ): void {
    if (conn.state !== "open") {
      // It went away while the store answered: undo.
      background(this.#context, this.#context.store.leave(name, conn.id));
      return;
    }
    const channel = this.#add(conn, name, presence);
    conn.persist();
    if (!channel.presence) {
      // A broadcast-style room: the same small ack whatever its size.
      conn.ack(ref, quiet(state));
      return;
    }
    conn.ack(ref, state);
    const member: Member = { id: conn.id, data: conn.profile };
    this.#presence(name, "join", member, state.version, conn, echo);
  }

  /** Puts `conn` in channel `name` here, as a join or a restore does. */
  #add(
    conn: Connection,
    name: string,
    presence = this.#hasPresence(name),
  ): Channel<Connection> {
    let channel = this.local.get(name);
    if (channel === undefined) {
      channel = new Channel<Connection>(name, presence);
      this.local.set(name, channel);
    }
    channel.members.add(conn);
    conn.channels.set(name, channel);
    if (!this.#delivery.lane?.has(conn)) {
      this.#context.fanout?.subscribe(conn.socket, name);
    }
    return channel;
  }

  /** The relay's `presence` option for channel `name`; a throw counts as yes. */
  #hasPresence(name: string): boolean {
    const presence = this.#context.settings.presence;
    if (presence === undefined) return true;
    try {
      return presence(name) !== false;
    } catch (error) {
      this.#context.report(error);
      return true;
    }
  }

  /** Puts a restored connection back in its channels, without telling anyone. */
  restore(conn: Connection, names: readonly string[]): void {
    for (const name of names) this.#add(conn, name);
  }

  /**
   * Takes `conn` out of `channel`, here then in the store, and tells the
   * members; the leaver hears its own leave when `echo`.
   */
  leave(
    conn: Connection,
    channel: Channel<Connection>,
    echo: boolean,
  ): StoreAnswer<void> {
    const name = channel.name;
    if (channel.members.delete(conn)) {
      this.#context.fanout?.unsubscribe(conn.socket, name);
    }
    channel.away.delete(conn);
    conn.channels.delete(name);
    if (channel.empty) this.local.delete(name);
    const member: Member = { id: conn.id, data: conn.profile };
    const version = this.#context.store.leave(name, conn.id);
    if (!isThenable(version)) {
      this.#left(conn, name, member, version, echo);
      return;
    }
    return Promise.resolve(version).then((version) =>
      this.#left(conn, name, member, version, echo)
    );
  }

  #left(
    conn: Connection,
    name: string,
    member: Member,
    version: number,
    echo: boolean,
  ): void {
    this.#presence(name, "leave", member, version, conn, echo);
  }

  /**
   * Takes a connection that is going away out of every channel; the others
   * hear it leave unless `quiet` (the relay is closing).
   */
  leaveAll(conn: Connection, quiet: boolean): void {
    for (const channel of [...conn.channels.values()]) {
      if (!quiet) {
        background(this.#context, this.leave(conn, channel, false));
        continue;
      }
      channel.members.delete(conn);
      channel.away.delete(conn);
      conn.channels.delete(channel.name);
      if (channel.empty) this.local.delete(channel.name);
      background(
        this.#context,
        this.#context.store.leave(channel.name, conn.id),
      );
    }
  }

  /**
   * Keeps a connection that dropped in its channels for the presence grace,
   * away (nothing is sent to it, nobody is told); answers false, doing
   * nothing, when there is no grace or no channel to keep it in.
   */
  suspend(conn: Connection): boolean {
    if (this.#context.settings.presenceGrace <= 0 || conn.channels.size === 0) {
      return false;
    }
    for (const channel of conn.channels.values()) {
      channel.members.delete(conn);
      channel.away.add(conn);
      this.#context.fanout?.unsubscribe(conn.socket, channel.name);
    }
    this.#grace.hold(conn);
    return true;
  }

  /**
   * Gives a connection just welcomed the channels (and, unless its hello
   * said one, the profile) its session had in grace, without telling
   * anyone; a new profile is told as an update.
   */
  resume(conn: Connection, profiled: boolean): StoreAnswer<void> {
    const away = this.#grace.take(conn.id);
    if (away === undefined) return;
    for (const channel of away.channels.values()) {
      channel.away.delete(away);
      channel.members.add(conn);
      conn.channels.set(channel.name, channel);
      this.#context.fanout?.subscribe(conn.socket, channel.name);
    }
    away.channels.clear();
    if (!profiled) conn.profile = away.profile;
    else if (JSON.stringify(conn.profile) !== JSON.stringify(away.profile)) {
      return this.update(conn, false);
    }
  }

  /** Ends the presence graces that are over (the sweep). */
  sweepGrace(now: number): void {
    this.#grace.sweep(now);
  }

  /** When the next presence grace ends, or `undefined`. */
  nextGraceEnd(): number | undefined {
    return this.#grace.nextAt();
  }

  /** Replaces `conn`'s profile in each of its channels and tells the members. */
  update(conn: Connection, echo: boolean): StoreAnswer<void> {
    const member: Member = { id: conn.id, data: conn.profile };
    let pending: Promise<void>[] | undefined;
    for (const name of conn.channels.keys()) {
      const version = this.#context.store.update(name, member);
      if (!isThenable(version)) {
        this.#presence(name, "update", member, version, conn, echo);
        continue;
      }
      (pending ??= []).push(
        Promise.resolve(version).then((version) =>
          void this.#presence(name, "update", member, version, conn, echo)
        ),
      );
    }
    if (pending !== undefined) return Promise.all(pending).then(() => {});
  }

  /** Tells the members here of a presence change; answers the frame's text. */
  presenceHere(
    name: string,
    action: Action,
    member: Member,
    version: number,
  ): void {
    this.#presence(name, action, member, version, undefined, false);
  }

  /**
   * Tells the members here of a presence change by `changer` (undefined:
   * made elsewhere), who hears it too when `echo` (a leaver, no longer a
   * member, directly). A big channel's changes wait for the batch.
   */
  #presence(
    name: string,
    action: Action,
    member: Member,
    version: number,
    changer: Connection | undefined,
    echo: boolean,
  ): void {
    const channel = this.local.get(name);
    // Nobody hears presence in a channel without it.
    if (!(channel?.presence ?? this.#hasPresence(name))) return;
    const self = echo ? changer : undefined;
    if (channel !== undefined && this.#batches(channel)) {
      this.#batch.add(name, { action, member, version });
      // Its own change at once, alone: its client skips it in the diff.
      self?.send(encodeFrame(presenceFrame(name, action, member, version)));
      return;
    }
    const text = encodeFrame(presenceFrame(name, action, member, version));
    if (channel !== undefined) {
      this.#delivery.toChannel(
        channel,
        text,
        echo ? undefined : changer,
        false,
      );
    }
    if (self !== undefined && !channel?.members.has(self)) self.send(text);
  }

  /**
   * Sends channel `name`'s batched presence changes now: a `members` answer
   * then follows every change it reflects, so no member event heard after
   * it is older than it.
   */
  flushPresence(name: string): void {
    this.#batch.flushChannel(name);
  }

  /** Whether `channel`'s presence goes out batched (a big channel's). */
  #batches(channel: Channel<Connection>): boolean {
    const { presenceBatch, joinMembers } = this.#context.settings;
    return this.#timers && presenceBatch > 0 &&
      (channel.members.size > joinMembers || this.#batch.has(channel.name));
  }

  /** Forgets every channel here (the relay closed). */
  clear(): void {
    this.#batch.clear();
    for (const conn of this.#grace.clear()) this.leaveAll(conn, true);
    this.local.clear();
  }
}

/** A join ack in a channel without presence: no member list. */
function quiet(ack: JoinAckData): JoinAckData {
  return { ...ack, members: [], presence: false };
}

/** The join ack for `state` and a history answer. */
function joinAck(state: ChannelState, answer: HistoryAnswer): JoinAckData {
  const { members, count, version, epoch } = state;
  const listed = count === undefined ? { members } : { members, count };
  return answer.recovered
    ? {
      ...listed,
      offset: answer.offset,
      version,
      epoch,
      recovered: true,
      missed: answer.missed,
    }
    : {
      ...listed,
      offset: state.offset,
      version,
      epoch,
      recovered: false,
      reason: answer.reason,
    };
}
