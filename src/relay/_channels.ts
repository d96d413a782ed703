/**
 * Channels and presence on this relay: who is in each channel here (to fan
 * out to), joining, leaving, profile updates, and delivering messages and
 * presence changes. Members, offsets and presence versions are the store's.
 * Internal.
 *
 * Over 500 lines since app-wide messages joined channel delivery (the
 * reserved channel `*`); the next split takes delivery (messages, app-wide,
 * the slow lane) out of membership and presence.
 *
 * @module
 */

import { isThenable } from "../core/_thenable.ts";
import {
  encodeFrame,
  isChannelName,
  isEventName,
  type JoinAckData,
  type JoinSince,
  type Member,
  msgFrame,
  type PresenceFrame,
  presenceFrame,
} from "../protocol/mod.ts";
import { Channel } from "./_channel.ts";
import { SlowLane } from "./_slow_lane.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import { Grace } from "./_grace.ts";
import { APP_TOPIC } from "./fanout.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
  type StoreAnswer,
} from "./store.ts";

type Action = PresenceFrame["action"];

/** The channels with members on this relay. */
export class Channels {
  /** Channels with at least one member here. */
  readonly local: Map<string, Channel<Connection>> = new Map();
  #context: Context;
  /** Welcomed connections by session id, for app-wide messages. */
  #live: ReadonlyMap<string, Connection>;
  #grace: Grace;
  /** With a native fan-out: the backlogged connections it does not reach. */
  #lane: SlowLane | undefined;

  /** `timers`: whether the presence grace ends on timers (else the sweep). */
  constructor(
    context: Context,
    live: ReadonlyMap<string, Connection>,
    timers: boolean,
  ) {
    this.#context = context;
    this.#live = live;
    this.#grace = new Grace(
      context,
      timers,
      (conn) => this.leaveAll(conn, this.#context.closed),
    );
    const fanout = context.fanout;
    if (fanout !== undefined) this.#lane = new SlowLane(context, fanout, live);
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
    const state = this.#context.store.join(name, member);
    if (!isThenable(state)) {
      return this.#recover(
        state,
        name,
        since,
        (ack) => this.#joined(conn, name, echo, ref, ack),
      );
    }
    return Promise.resolve(state).then((state) =>
      this.#recover(
        state,
        name,
        since,
        (ack) => this.#joined(conn, name, echo, ref, ack),
      )
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
    const ack = (data: JoinAckData) => conn.ack(ref, data);
    if (!isThenable(state)) return this.#recover(state, name, since, ack);
    return Promise.resolve(state).then((state) =>
      this.#recover(state, name, since, ack)
    );
  }

  /**
   * Calls `then` with the join ack: the channel's state and, with `since`,
   * the store's history answer (whose offset is the one live messages
   * follow). Synchronous when the store is.
   */
  #recover(
    state: ChannelState,
    name: string,
    since: JoinSince | undefined,
    then: (ack: JoinAckData) => void,
  ): StoreAnswer<void> {
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
    state: JoinAckData,
  ): void {
    if (conn.state !== "open") {
      // It went away while the store answered: undo.
      background(this.#context, this.#context.store.leave(name, conn.id));
      return;
    }
    this.#add(conn, name);
    conn.persist();
    conn.ack(ref, state);
    const member: Member = { id: conn.id, data: conn.profile };
    this.#presence(
      name,
      "join",
      member,
      state.version,
      echo ? undefined : conn,
    );
  }

  /** Puts `conn` in channel `name` here, as a join or a restore does. */
  #add(conn: Connection, name: string): void {
    let channel = this.local.get(name);
    if (channel === undefined) {
      channel = new Channel<Connection>(name);
      this.local.set(name, channel);
    }
    channel.members.add(conn);
    conn.channels.set(name, channel);
    if (this.#lane?.has(conn)) return;
    this.#context.fanout?.subscribe(conn.socket, name);
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
    const text = this.#presence(name, "leave", member, version, undefined);
    // A leaver is no longer a member: it hears its own leave directly.
    if (echo) conn.send(text);
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
    const except = echo ? undefined : conn;
    let pending: Promise<void>[] | undefined;
    for (const name of conn.channels.keys()) {
      const version = this.#context.store.update(name, member);
      if (!isThenable(version)) {
        this.#presence(name, "update", member, version, except);
        continue;
      }
      (pending ??= []).push(
        Promise.resolve(version).then((version) =>
          void this.#presence(name, "update", member, version, except)
        ),
      );
    }
    if (pending !== undefined) return Promise.all(pending).then(() => {});
  }

  /** Throws `TypeError` for an invalid channel or event name (`Relay.publish`). */
  checkNames(channel: string | null, event: string): void {
    const maxLength = this.#context.settings.limits.channelLength;
    if (channel !== null && !isChannelName(channel, maxLength)) {
      throw new TypeError(
        `Cannot publish as 'channel' is not a valid channel name: current value is ${channel}`,
      );
    }
    if (!isEventName(event)) {
      throw new TypeError(
        `Cannot publish as 'event' is not a valid event name: current value is ${event}`,
      );
    }
  }

  /**
   * Publishes to channel `name`: the store assigns the offset, then the
   * members here get the message, encoded once. Answers the offset, or
   * `undefined` when nobody is in the channel.
   */
  publish(
    name: string,
    event: string,
    data: unknown,
    sender: string | null = null,
    except?: Connection,
    mid?: string,
  ): StoreAnswer<number | undefined> {
    const offset = mid === undefined
      ? this.#context.store.append(name, event, data, sender)
      : this.#context.store.append(name, event, data, sender, mid);
    // A number (or undefined) is a synchronous answer: no promise on the hot path.
    if (typeof offset !== "object") {
      return this.deliver(name, offset, event, data, sender, except);
    }
    return Promise.resolve(offset).then((offset) =>
      this.deliver(name, offset, event, data, sender, except)
    );
  }

  /** Sends a channel message that got `offset` to the members here. */
  deliver(
    name: string,
    offset: number | undefined,
    event: string,
    data: unknown,
    sender: string | null,
    except: Connection | undefined,
  ): number | undefined {
    if (offset === undefined) return undefined;
    const channel = this.local.get(name);
    if (channel !== undefined) {
      const text = encodeFrame(msgFrame(name, offset, event, data, sender));
      this.#toChannel(channel, text, except, false);
    }
    return offset;
  }

  /**
   * Sends a volatile message (no offset, no history) to the members here,
   * and hands it to the other relay processes, if the store has any.
   */
  volatile(
    name: string,
    event: string,
    data: unknown,
    sender: string | null,
    except: Connection | undefined,
  ): void {
    this.volatileHere(name, event, data, sender, except);
    const store = this.#context.store;
    if (store.volatile !== undefined) {
      background(this.#context, store.volatile(name, event, data, sender));
    }
  }

  /** Sends a volatile message to the members here. */
  volatileHere(
    name: string,
    event: string,
    data: unknown,
    sender: string | null,
    except: Connection | undefined,
  ): void {
    const channel = this.local.get(name);
    if (channel === undefined) return;
    const text = encodeFrame(msgFrame(name, undefined, event, data, sender));
    this.#toChannel(channel, text, except, true);
  }

  /**
   * Publishes app-wide: the store assigns the next offset of
   * {@linkcode APP_CHANNEL} and keeps the message in its history, then every
   * welcomed connection here gets it (`channel` null on the wire), encoded
   * once. Answers the offset.
   */
  broadcast(
    event: string,
    data: unknown,
    sender: string | null,
    except?: Connection,
    mid?: string,
  ): StoreAnswer<number | undefined> {
    const store = this.#context.store;
    const offset = mid === undefined
      ? store.append(APP_CHANNEL, event, data, sender)
      : store.append(APP_CHANNEL, event, data, sender, mid);
    if (typeof offset !== "object") {
      this.#everyone(offset, event, data, sender, except);
      return offset;
    }
    return Promise.resolve(offset).then((offset) => {
      this.#everyone(offset, event, data, sender, except);
      return offset;
    });
  }

  /** Sends an app-wide message published on another relay process to everyone here. */
  deliverEveryone(
    offset: number,
    event: string,
    data: unknown,
    sender: string | null,
  ): void {
    this.#everyone(offset, event, data, sender, undefined);
  }

  /**
   * Sends a volatile app-wide message (no offset, no history) to everyone
   * here, and hands it to the other relay processes, if the store has any.
   */
  volatileBroadcast(
    event: string,
    data: unknown,
    sender: string | null,
    except?: Connection,
  ): void {
    this.#everyone(undefined, event, data, sender, except);
    const store = this.#context.store;
    if (store.volatile !== undefined) {
      background(
        this.#context,
        store.volatile(APP_CHANNEL, event, data, sender),
      );
    }
  }

  /** Sends a volatile app-wide message from another relay process to everyone here. */
  volatileBroadcastHere(
    event: string,
    data: unknown,
    sender: string | null,
  ): void {
    this.#everyone(undefined, event, data, sender, undefined);
  }

  /** Sends an app-wide message to every welcomed connection here. */
  #everyone(
    offset: number | undefined,
    event: string,
    data: unknown,
    sender: string | null,
    except: Connection | undefined,
  ): void {
    const text = encodeFrame(msgFrame(null, offset, event, data, sender));
    const fanout = this.#context.fanout;
    const lane = this.#lane;
    if (fanout !== undefined && lane !== undefined) {
      const slow = lane.size > 0 ? lane.send(null, text, except, false) : 0;
      const skip = except !== undefined && !lane.has(except);
      const held = fanout.publish(
        APP_TOPIC,
        text,
        skip ? except.socket : undefined,
      );
      this.#context.counters.sent(
        text,
        this.#live.size - slow - (skip ? 1 : 0),
      );
      lane.published(held === false);
      return;
    }
    for (const conn of this.#live.values()) {
      if (conn !== except) conn.send(text);
    }
  }

  /** Tells the members here of a presence change; answers the frame's text. */
  presenceHere(
    name: string,
    action: Action,
    member: Member,
    version: number,
  ): void {
    this.#presence(name, action, member, version, undefined);
  }

  #presence(
    name: string,
    action: Action,
    member: Member,
    version: number,
    except: Connection | undefined,
  ): string {
    const text = encodeFrame(presenceFrame(name, action, member, version));
    const channel = this.local.get(name);
    if (channel !== undefined) this.#toChannel(channel, text, except, false);
    return text;
  }

  /**
   * Sends `text` to the members of `channel` but `except`, through the
   * native fan-out when there is one (and one by one to the slow lane); a
   * `volatile` message is the first to go to a backlogged socket.
   */
  #toChannel(
    channel: Channel<Connection>,
    text: string,
    except: Connection | undefined,
    volatile: boolean,
  ): void {
    const fanout = this.#context.fanout;
    const lane = this.#lane;
    if (fanout !== undefined && lane !== undefined) {
      const slow = lane.size > 0
        ? lane.send(channel, text, except, volatile)
        : 0;
      const skip = except !== undefined && channel.members.has(except) &&
        !lane.has(except);
      const held = fanout.publish(
        channel.name,
        text,
        skip ? except.socket : undefined,
      );
      this.#context.counters.sent(
        text,
        channel.members.size - slow - (skip ? 1 : 0),
      );
      lane.published(held === false);
      return;
    }
    if (volatile) {
      for (const conn of channel.members) {
        if (conn !== except) conn.sendVolatile(text);
      }
      return;
    }
    for (const conn of channel.members) {
      if (conn !== except) conn.send(text);
    }
  }

  /** Forgets every channel here (the relay closed). */
  clear(): void {
    for (const conn of this.#grace.clear()) this.leaveAll(conn, true);
    this.local.clear();
  }
}

/** The join ack for `state` and a history answer. */
function joinAck(state: ChannelState, answer: HistoryAnswer): JoinAckData {
  const { members, version, epoch } = state;
  return answer.recovered
    ? {
      members,
      offset: answer.offset,
      version,
      epoch,
      recovered: true,
      missed: answer.missed,
    }
    : {
      members,
      offset: state.offset,
      version,
      epoch,
      recovered: false,
      reason: answer.reason,
    };
}
