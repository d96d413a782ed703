/**
 * The default relay store: plain in-process maps, answering synchronously.
 *
 * @module
 */

import { checkFunction, checkKeys, checkNumber } from "../core/_options.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import type { JoinSince, Member, PubAckData } from "../protocol/mod.ts";
import { History } from "./_history.ts";
import { RememberedMids } from "./_mids.ts";
import { sameSecret } from "./_secret.ts";
import { newEpochId, noChannel, recover } from "./_store_answers.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
  type RelayStore,
  type StoreCounts,
} from "./store.ts";

/**
 * Options for {@linkcode MemoryStore}.
 *
 * @example Remembering fewer message ids
 * ```ts
 * import { MemoryStore, type MemoryStoreOptions } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const options: MemoryStoreOptions = { dedupeSize: 1 };
 * const store = new MemoryStore(options);
 * store.createSession("s1", undefined, "r1");
 * store.remember("s1", "m1", { offset: 1 });
 * store.remember("s1", "m2", { offset: 2 });
 * assert.equal(store.seen("s1", "m1"), undefined);
 * ```
 */
export interface MemoryStoreOptions {
  /** Client message ids remembered per session for dedupe; 0 = none. @default {1024} */
  dedupeSize?: number;
  /** Most parked sessions kept for resuming; the oldest go first. @default {10000} */
  resumableSessions?: number;
  /**
   * Client message ids remembered across all sessions, live and parked;
   * past it the session that published least recently (a parked one before
   * one still publishing) forgets its oldest.
   * @default {100000}
   */
  dedupeTotal?: number;
  /** Messages kept per channel for recovery; 0 = no history. @default {1000} */
  historySize?: number;
  /** How long a message is kept for recovery, in milliseconds; 0 = no history. @default {120000} */
  historyTtl?: number;
  /** Where history times come from (the relay passes its own). @default {systemClock} */
  clock?: Clock;
  /**
   * Makes a channel's epoch, a short random string; it must differ between
   * processes and between lives of a channel.
   * @default {() => crypto.randomUUID().slice(0, 8)}
   */
  epochId?: () => string;
}

interface StoredSession {
  readonly userId: string | undefined;
  /** The resume token, compared in constant time. */
  readonly resume: string;
  /**
   * Published `mid`s and their acks, oldest first; made on the first
   * remembered (most sessions publish nothing and keep no map).
   */
  mids: RememberedMids | undefined;
}

interface StoredChannel {
  /** Members by id, in join order. */
  readonly members: Map<string, unknown>;
  offset: number;
  version: number;
  readonly epoch: string;
  /** The recent messages, made on the first append (history on only). */
  history: History | undefined;
  /** When the last member left, while the channel is kept empty. */
  emptiedAt: number;
}

const KNOWN_OPTIONS = [
  "dedupeSize",
  "resumableSessions",
  "dedupeTotal",
  "historySize",
  "historyTtl",
  "clock",
  "epochId",
];

/**
 * The relay's state in plain maps, in this process; what a relay uses
 * unless given another {@linkcode RelayStore}. Every method answers
 * synchronously. It keeps the last `historySize` messages of each channel
 * within `historyTtl` for recovery, in a ring per channel; a channel left
 * empty keeps its epoch, offset and history until that history would have
 * expired, then is forgotten (its next life has a new epoch).
 *
 * @example Parking and resuming a session
 * ```ts
 * import { MemoryStore } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore();
 * store.createSession("s1", "u1", "secret");
 * store.parkSession("s1", 1_000, 0);
 * assert.equal(store.resumeSession("s1", "u2", 10, "secret"), false); // another user
 * assert.equal(store.resumeSession("s1", "u1", 10, "guess"), false); // not the token
 * assert.equal(store.resumeSession("s1", "u1", 10, "secret"), true);
 * ```
 */
export class MemoryStore implements RelayStore {
  #dedupeSize: number;
  #resumableSessions: number;
  #dedupeTotal: number;
  /**
   * The sessions that remember `mid`s, the one that remembered one least
   * recently first: past `dedupeTotal` it forgets its oldest. Kept per
   * session, not per `mid`, so that remembering allocates nothing more than
   * its map entry.
   */
  #holders = new Set<StoredSession>();
  /** The session that remembered last (the end of `#holders`). */
  #latest: StoredSession | undefined;
  /** How many `mid`s the sessions remember in all. */
  #remembered = 0;
  #sessions = new Map<string, StoredSession>();
  /** Parked session ids and their expiry, in parking (so expiry) order. */
  #parked = new Map<string, number>();
  #channels = new Map<string, StoredChannel>();
  /** Channels kept with no members, for their history. */
  #idle = new Set<string>();
  #historySize: number;
  #historyTtl: number;
  #clock: Clock;
  #epochId: () => string;

  /** Makes an empty store; throws for a negative bound or an unknown option. */
  constructor(options: MemoryStoreOptions = {}) {
    checkKeys("MemoryStore", options, KNOWN_OPTIONS);
    const bound = (name: keyof MemoryStoreOptions, fallback: number) =>
      checkNumber("MemoryStore", name, options[name] ?? fallback, { min: 0 });
    this.#dedupeSize = bound("dedupeSize", 1024);
    this.#resumableSessions = bound("resumableSessions", 10_000);
    this.#dedupeTotal = bound("dedupeTotal", 100_000);
    this.#historySize = bound("historySize", 1000);
    this.#historyTtl = bound("historyTtl", 120_000);
    checkFunction("MemoryStore", "epochId", options.epochId, true);
    this.#clock = options.clock ?? systemClock;
    this.#epochId = options.epochId ?? newEpochId;
  }

  get #keepsHistory(): boolean {
    return this.#historySize > 0 && this.#historyTtl > 0;
  }

  /** The channel, unless it is an empty one whose history has expired (then forgotten). */
  #find(name: string, now: number): StoredChannel | undefined {
    const stored = this.#channels.get(name);
    if (stored === undefined || stored.members.size > 0) return stored;
    if (name === APP_CHANNEL) return stored;
    if (this.#idleUntil(stored) > now) return stored;
    this.#channels.delete(name);
    this.#idle.delete(name);
    return undefined;
  }

  /** When an empty channel's history would have expired. */
  #idleUntil(stored: StoredChannel): number {
    const newest = stored.history?.newestTime ?? 0;
    return Math.max(stored.emptiedAt, newest) + this.#historyTtl;
  }

  /** Opens a live session, resumable with `resume`. */
  createSession(id: string, userId: string | undefined, resume: string): void {
    this.#parked.delete(id);
    this.#forgetMids(id);
    this.#sessions.set(id, { userId, resume, mids: undefined });
  }

  /**
   * Takes a parked, unexpired session of `userId` back, given its resume
   * token; see {@linkcode RelayStore.resumeSession}.
   */
  resumeSession(
    id: string,
    userId: string | undefined,
    now: number,
    resume: string,
  ): boolean {
    const expires = this.#parked.get(id);
    if (expires === undefined) return false;
    if (expires <= now) {
      this.endSession(id);
      return false;
    }
    const session = this.#sessions.get(id);
    if (session === undefined || session.userId !== userId) return false;
    if (!sameSecret(resume, session.resume)) return false;
    this.#parked.delete(id);
    return true;
  }

  /** Parks a session until `expires`, forgetting the oldest past the bound. */
  parkSession(id: string, expires: number, now: number): void {
    if (!this.#sessions.has(id)) return;
    this.#parked.delete(id);
    this.#parked.set(id, expires);
    this.prune(now);
  }

  /** Forgets a session. */
  endSession(id: string): void {
    this.#parked.delete(id);
    this.#forgetMids(id);
    this.#sessions.delete(id);
  }

  #forgetMids(id: string): void {
    const session = this.#sessions.get(id);
    if (session?.mids !== undefined) this.#drop(session);
  }

  /** Forgets all the `mid`s `session` remembers. */
  #drop(session: StoredSession): void {
    this.#remembered -= session.mids!.size;
    session.mids = undefined;
    this.#holders.delete(session);
    if (this.#latest === session) this.#latest = undefined;
  }

  /** Forgets expired parked sessions, and the oldest past the bound. */
  prune(now: number): void {
    // Insertion order is expiry order: the window is the same for all.
    for (const [id, expires] of this.#parked) {
      if (expires > now && this.#parked.size <= this.#resumableSessions) break;
      this.endSession(id);
    }
    for (const name of this.#idle) this.#find(name, now);
  }

  /** The ack of an earlier publish of `mid` in `session`. */
  seen(session: string, mid: string): PubAckData | undefined {
    return this.#sessions.get(session)?.mids?.get(mid);
  }

  /**
   * Remembers a published `mid`, forgetting the session's oldest past
   * `dedupeSize`; past `dedupeTotal`, the session that remembered one least
   * recently forgets its oldest.
   */
  remember(session: string, mid: string, ack: PubAckData): void {
    if (this.#dedupeSize <= 0 || this.#dedupeTotal <= 0) return;
    const stored = this.#sessions.get(session);
    if (stored === undefined) return;
    const mids = stored.mids ??= new RememberedMids(this.#dedupeSize);
    if (stored !== this.#latest) {
      // Move it to the end: the most recent (no work for a run of publishes
      // from one session).
      this.#holders.delete(stored);
      this.#holders.add(stored);
      this.#latest = stored;
    }
    // Past `dedupeSize` the session forgot its oldest: the count is the same.
    if (!mids.add(mid, ack)) return;
    if (++this.#remembered > this.#dedupeTotal) this.#forgetOldest();
  }

  /** The least recent holder forgets its oldest `mid`. */
  #forgetOldest(): void {
    const holder: StoredSession = this.#holders.values().next().value!;
    const mids = holder.mids!;
    if (mids.size === 1) this.#drop(holder);
    else {
      mids.forgetOldest();
      this.#remembered--;
    }
  }

  /**
   * Adds a member; answers the channel after the join, listing its members
   * unless there are more than `list`.
   */
  join(channel: string, member: Member, list?: number): ChannelState {
    const stored = this.#find(channel, this.#clock.now()) ??
      this.#create(channel);
    this.#idle.delete(channel);
    stored.members.set(member.id, member.data);
    stored.version++;
    return state(stored, list);
  }

  /** Removes a member; answers the new presence version. */
  leave(channel: string, id: string): number {
    const stored = this.#channels.get(channel);
    if (stored === undefined) return 0;
    stored.members.delete(id);
    stored.version++;
    if (stored.members.size > 0) return stored.version;
    if (this.#keepsHistory) {
      stored.emptiedAt = this.#clock.now();
      this.#idle.add(channel);
    } else {
      this.#channels.delete(channel);
    }
    return stored.version;
  }

  /** Replaces a member's profile; answers the new presence version. */
  update(channel: string, member: Member): number {
    const stored = this.#channels.get(channel);
    if (stored === undefined) return 0;
    stored.members.set(member.id, member.data);
    return ++stored.version;
  }

  /** The channel's members, offset and presence version. */
  channel(channel: string): ChannelState {
    const stored = this.#find(channel, this.#clock.now()) ??
      this.#app(channel);
    return stored === undefined ? noChannel() : state(stored);
  }

  /**
   * The channel's next offset, keeping the message in its history; or
   * `undefined` when the channel is unknown (nobody joined it, or it was
   * forgotten).
   */
  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): number | undefined {
    const stored = this.#channels.get(channel) ?? this.#app(channel);
    if (stored === undefined) return undefined;
    if (!this.#keepsHistory) return ++stored.offset;
    const now = this.#clock.now();
    if (
      stored.members.size === 0 && channel !== APP_CHANNEL &&
      this.#idleUntil(stored) <= now
    ) {
      this.#find(channel, now);
      return undefined;
    }
    const history = stored.history ??= new History(this.#historySize);
    history.expire(now - this.#historyTtl);
    history.push(event, data, sender, now);
    return ++stored.offset;
  }

  /** Creates {@linkcode APP_CHANNEL}, the one channel known without members. */
  #app(channel: string): StoredChannel | undefined {
    return channel === APP_CHANNEL ? this.#create(channel) : undefined;
  }

  /** A new channel: a new epoch, offsets from 1. */
  #create(channel: string): StoredChannel {
    const stored: StoredChannel = {
      members: new Map(),
      offset: 0,
      version: 0,
      epoch: this.#epochId(),
      history: undefined,
      emptiedAt: 0,
    };
    this.#channels.set(channel, stored);
    return stored;
  }

  /** The messages after `since`, or why they cannot be recovered. */
  history(channel: string, since: JoinSince): HistoryAnswer {
    const now = this.#clock.now();
    const stored = this.#find(channel, now);
    return recover(stored, since, (offset) => {
      const history = stored!.history;
      if (history === undefined) return undefined;
      history.expire(now - this.#historyTtl);
      return history.after(since.offset, offset);
    });
  }

  /** How many sessions are parked, and how many `mid`s are remembered. */
  counts(): StoreCounts {
    return { resumable: this.#parked.size, dedupeIds: this.#remembered };
  }

  /** Forgets everything. */
  clear(): void {
    this.#sessions.clear();
    this.#parked.clear();
    this.#channels.clear();
    this.#holders.clear();
    this.#latest = undefined;
    this.#remembered = 0;
    this.#idle.clear();
  }
}

function state(stored: StoredChannel, list?: number): ChannelState {
  const count = stored.members.size;
  if (list !== undefined && count > list) {
    // A big channel's join: the same cost whatever its size.
    const { offset, version, epoch } = stored;
    return { members: [], count, offset, version, epoch };
  }
  const members: Member[] = [];
  for (const [id, data] of stored.members) members.push({ id, data });
  return {
    members,
    offset: stored.offset,
    version: stored.version,
    epoch: stored.epoch,
  };
}
