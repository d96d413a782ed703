/**
 * The relay's state seam: everything the relay must remember beyond one
 * socket (sessions and their message ids, channel members and presence
 * versions, channel offsets and, later, history) sits behind
 * {@linkcode RelayStore}. The default is `MemoryStore`; a Durable
 * Object or Redis store implements the same interface.
 *
 * What stays in the process, whatever the store: live sockets, token
 * buckets, timers and fan-out. They cannot be stored.
 *
 * @module
 */

import type {
  JoinAckData,
  JoinSince,
  Member,
  MembersAckData,
  MissedMessage,
  PresenceFrame,
  PubAckData,
  RecoveryFailure,
} from "../protocol/mod.ts";

/**
 * What a store method answers: the value now, or a promise of it. A store
 * that can answer synchronously (the `MemoryStore`) should: the
 * relay then handles the answer without allocating a promise, which keeps
 * fan-out as fast as it was before the seam. An answer that is a promise
 * holds back the connection's later frames until it settles, so frames are
 * still handled in order.
 *
 * @example Handling either kind of answer
 * ```ts
 * import type { StoreAnswer } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * async function read(answer: StoreAnswer<number>): Promise<number> {
 *   return await answer;
 * }
 * assert.equal(await read(1), 1);
 * assert.equal(await read(Promise.resolve(2)), 2);
 * ```
 */
export type StoreAnswer<T> = T | Promise<T>;

/**
 * A channel as the store knows it: its members, its latest message offset
 * and its presence version. The `data` of a join ack.
 *
 * @example Reading a channel from the memory store
 * ```ts
 * import { type ChannelState, MemoryStore } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore({ epochId: () => "e1" });
 * const state: ChannelState = store.join("lobby", { id: "s1", data: null });
 * assert.deepEqual(state, { members: [{ id: "s1", data: null }], offset: 0, version: 1, epoch: "e1" });
 * ```
 */
export type ChannelState =
  & Omit<JoinAckData, "recovered" | "missed" | "reason">
  & MembersAckData;

/**
 * What {@linkcode RelayStore.history} answers for a join's `since`: every
 * message after it and the channel's latest offset at that moment, or why
 * they cannot be recovered. Never a partial list.
 *
 * @example Recovering from the memory store
 * ```ts
 * import { type HistoryAnswer, MemoryStore } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore({ epochId: () => "e1" });
 * store.join("lobby", { id: "s1", data: null });
 * store.append("lobby", "chat", "a", "s1");
 * store.append("lobby", "chat", "b", "s1");
 * const answer: HistoryAnswer = store.history("lobby", { epoch: "e1", offset: 1 });
 * assert.deepEqual(answer, {
 *   recovered: true,
 *   offset: 2,
 *   missed: [{ offset: 2, event: "chat", data: "b", sender: "s1" }],
 * });
 * assert.deepEqual(store.history("lobby", { epoch: "e0", offset: 1 }), {
 *   recovered: false,
 *   reason: "history_lost",
 * });
 * ```
 */
export type HistoryAnswer =
  | { recovered: true; offset: number; missed: MissedMessage[] }
  | { recovered: false; reason: RecoveryFailure };

/**
 * The reserved channel app-wide messages live in: `*`, which no client can
 * join or publish to (it is not a valid channel name). Its offsets, epoch
 * and history are a channel's like any other, but it has no members: every
 * welcomed connection gets its messages, so a store always knows it and
 * {@linkcode RelayStore.append} never answers `undefined` for it.
 *
 * @example Reading app-wide history from the store
 * ```ts
 * import { APP_CHANNEL, MemoryStore } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore();
 * assert.equal(store.append(APP_CHANNEL, "deploy", 2, null), 1);
 * assert.equal(store.channel(APP_CHANNEL).offset, 1);
 * ```
 */
export const APP_CHANNEL: string = "*";

/**
 * What a shared store (one several relay processes use) reports about
 * changes another process made, so this relay delivers them to its own
 * sockets. The relay registers one with {@linkcode RelayStore.listen}; a
 * store used by one relay only (the `MemoryStore`, a Durable
 * Object's) never calls it.
 *
 * @example A store telling the relay about a message published elsewhere
 * ```ts
 * import { MemoryStore, Relay, type RelayStore, type StoreListener } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * let listener: StoreListener | undefined;
 * const store: RelayStore = Object.assign(new MemoryStore(), {
 *   listen(l: StoreListener) {
 *     listener = l;
 *   },
 * });
 * const relay = new Relay({ store });
 * const sent: string[] = [];
 * const client = relay.open({ send: (t) => sent.push(t), close() {} });
 * client.message('{"type":"hello","v":1}');
 * client.message('{"type":"join","channel":"lobby"}');
 * listener!.message("lobby", 9, "chat", "from another node", "s-remote");
 * assert.equal(JSON.parse(sent.at(-1)!).offset, 9);
 * relay.close();
 * ```
 */
export interface StoreListener {
  /**
   * Another process published `event` to `channel` at `offset`; to
   * {@linkcode APP_CHANNEL}, an app-wide message every connection here gets.
   */
  message(
    channel: string,
    offset: number,
    event: string,
    data: unknown,
    sender: string | null,
  ): void;
  /** A member joined, left or updated `channel` on another process. */
  presence(
    channel: string,
    action: PresenceFrame["action"],
    member: Member,
    version: number,
  ): void;
  /**
   * Another process took over `session` (a resume of a session this
   * process still holds): the relay closes its own connection with 4409.
   */
  replaced(session: string): void;
  /**
   * Another process sent a volatile message (no offset, not kept) to
   * `channel`'s members, or to everyone for {@linkcode APP_CHANNEL}.
   */
  volatile(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): void;
  /** Another process sent a user event to `userId`'s connections. */
  user(userId: string, event: string, data: unknown): void;
}

/**
 * Counters a store can read without waiting, for {@linkcode
 * RelayStore.counts}.
 *
 * @example The memory store's counters
 * ```ts
 * import { MemoryStore, type StoreCounts } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const counts: StoreCounts = new MemoryStore().counts();
 * assert.equal(counts.resumable, 0);
 * ```
 */
export interface StoreCounts {
  /** Sessions parked and not yet expired or pruned. */
  resumable: number;
  /** Client message ids remembered for dedupe, across all sessions. */
  dedupeIds?: number;
}

/**
 * Where a relay keeps the state that must outlive a socket, or be shared
 * between relay processes:
 *
 * - **sessions** and the client message ids (`mid`) each has published, so
 *   a resend is acked and never delivered twice. A session is *live* while
 *   a connection holds it and *parked* (resumable) until an expiry once its
 *   connection went away;
 * - **channel membership**: each member's id and profile, and the channel's
 *   presence version (bumped by every join, leave and update);
 * - **channel offsets and history**: each channel's epoch and latest message
 *   offset, assigned by {@linkcode RelayStore.append}, which also keeps the
 *   channel's recent messages; {@linkcode RelayStore.history} reads them
 *   back for a join's `since`.
 *
 * Every method may answer synchronously or with a promise
 * ({@linkcode StoreAnswer}); see `MemoryStore` for the default and
 * the design note in DESIGN.md for how a Durable Object and Redis implement
 * it. A store never sees sockets, timers or token buckets: those stay in the
 * relay's process.
 *
 * @example A relay over an explicit memory store
 * ```ts
 * import { MemoryStore, Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const store = new MemoryStore({ dedupeSize: 16 });
 * const relay = new Relay({ store });
 * const client = relay.open({ send() {}, close() {} });
 * client.message('{"type":"hello","v":1}');
 * client.message('{"type":"join","channel":"lobby"}');
 * assert.deepEqual(store.channel("lobby").members.map((m) => m.id), [client.id]);
 * relay.close();
 * ```
 */
export interface RelayStore {
  /**
   * Opens a new live session for a welcomed connection. `resume` is its
   * resume token, a secret the store keeps with the session (never in a
   * place others can read) for {@linkcode RelayStore.resumeSession}.
   */
  createSession(
    id: string,
    userId: string | undefined,
    resume: string,
  ): StoreAnswer<void>;
  /**
   * Resumes a parked session: answers `true`, and the session is live
   * again, when `id` is parked, has not expired at `now`, belongs to
   * `userId` (both undefined for anonymous sessions) and `resume` equals
   * the token it was created with (compare in constant time, or as an
   * opaque equality in the database). Otherwise answers `false`, telling
   * no more, and the relay opens a new session. A store shared by several
   * relay processes may also answer `true` for a session of the same user
   * that is live on another process (a takeover), and tell that process
   * through its listener's `replaced`.
   */
  resumeSession(
    id: string,
    userId: string | undefined,
    now: number,
    resume: string,
  ): StoreAnswer<boolean>;
  /**
   * The connection of live session `id` went away: keep the session and its
   * message ids until `expires`, for a resume. A store may forget the oldest
   * parked sessions early to stay within its bound.
   */
  parkSession(id: string, expires: number, now: number): StoreAnswer<void>;
  /** Forgets session `id` and its message ids (not resumable). */
  endSession(id: string): StoreAnswer<void>;
  /** Forgets the parked sessions expired at `now`; the heartbeat sweep calls it. */
  prune(now: number): StoreAnswer<void>;
  /** The ack data of the publish with client message id `mid` in `session`, if remembered. */
  seen(session: string, mid: string): StoreAnswer<PubAckData | undefined>;
  /** Remembers that `mid` was published in `session` and acked with `ack`. */
  remember(session: string, mid: string, ack: PubAckData): StoreAnswer<void>;
  /**
   * Adds `member` to `channel` (creating the channel), bumps its presence
   * version; answers the channel after the join. `list`: the most members
   * the answer needs to list; past it, a store may answer no `members` and
   * their number in `count` instead, so that a join of a big channel costs
   * the same as a small one's (the relay trims a longer list itself, so a
   * store may also ignore it).
   */
  join(
    channel: string,
    member: Member,
    list?: number,
  ): StoreAnswer<ChannelState>;
  /**
   * Removes member `id` from `channel`, bumps its presence version and
   * answers it. A channel left empty is forgotten, offset and all.
   */
  leave(channel: string, id: string): StoreAnswer<number>;
  /** Replaces `member`'s profile in `channel`; answers the bumped presence version. */
  update(channel: string, member: Member): StoreAnswer<number>;
  /** The channel's members, offset and presence version (empty, 0 and 0 when nobody is in it). */
  channel(channel: string): StoreAnswer<ChannelState>;
  /**
   * Takes the next offset of `channel` for a published message and answers
   * it, or `undefined` when the store does not know the channel (nobody is
   * in it, and no history is kept for it: the message then goes nowhere).
   * {@linkcode APP_CHANNEL} is always known.
   * The message is given whole: the store keeps it in the channel's
   * history (the last N within T ms) for {@linkcode RelayStore.history}.
   * `mid`, for a client's publish with a message id, lets a store remember
   * it (acked with the offset) in the same step, so a resend after its
   * process died in between is still acked, not delivered again; the
   * relay calls {@linkcode RelayStore.remember} after the ack all the same.
   */
  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
    mid?: string,
  ): StoreAnswer<number | undefined>;
  /**
   * The messages of `channel` after `since.offset`, in order, when `since`
   * names the channel's current epoch and all of them are still kept;
   * otherwise `history_lost` (another epoch) or `too_far_behind` (older
   * than the oldest kept message). The answer's `offset` is the channel's
   * latest offset at the same moment, so live messages follow it with no
   * gap and no duplicate.
   */
  history(channel: string, since: JoinSince): StoreAnswer<HistoryAnswer>;
  /**
   * Hands a volatile message (sent to the members here already) to the other
   * relay processes, whose listeners' `volatile` deliver it; for
   * {@linkcode APP_CHANNEL}, to everyone. Optional: a store with a single
   * relay has nobody to hand it to.
   */
  volatile?(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): StoreAnswer<void>;
  /**
   * Hands a user event (sent to the user's connections here already) to the
   * other relay processes, whose listeners' `user` deliver it. Optional.
   */
  toUser?(userId: string, event: string, data: unknown): StoreAnswer<void>;
  /** Counters the relay's `stats()` reports; must answer synchronously. */
  counts?(): StoreCounts;
  /**
   * Registers the relay's listener for changes made by other relay
   * processes; a store shared by several processes calls it. Optional: a
   * store with a single relay has nothing to report.
   */
  listen?(listener: StoreListener): void;
}
