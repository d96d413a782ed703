/**
 * The relay's store in Redis, so any number of relay processes (nodes)
 * serve one app: channel offsets and history in a stream per channel,
 * members and presence versions in hashes, sessions and their message ids
 * with TTLs, live fan-out over pub/sub. Every change is one Lua script, so
 * all nodes see one order. See DESIGN.md ("Redis") for the layout.
 *
 * A facade: the sessions are `_sessions.ts`'s, the channels (members,
 * offsets, history) `_channels.ts`'s, this node's subscriptions and the
 * other nodes' changes in order `_node_link.ts`'s; the heartbeat is here.
 *
 * @module
 */

import type { TimerId } from "../../core/clock.ts";
import type { JoinSince, Member, PubAckData } from "../../protocol/mod.ts";
import type {
  ChannelState,
  HistoryAnswer,
  RelayStore,
  StoreCounts,
  StoreListener,
} from "../store.ts";
import { RedisChannels } from "./_channels.ts";
import { RedisContext } from "./_context.ts";
import { NodeLink } from "./_node_link.ts";
import { RedisSessions } from "./_sessions.ts";
import type { RedisStoreOptions } from "./redis_store_options.ts";

/**
 * A {@linkcode RelayStore} in Redis, shared by every relay process (node)
 * of an app. It subscribes a channel's pub/sub while this node has members
 * in it (reference-counted), hands the other nodes' messages and presence
 * changes to the relay in offset order, heartbeats this node and, when a
 * node stops beating for `nodeTimeout`, makes its members leave (once, on
 * whichever node notices first). A Redis that lost its data (a restart
 * without persistence) gives every channel a new epoch and offsets past
 * the old ones, so clients see a resync, never a silent gap. Close it
 * before closing the connections.
 *
 * @example A store's node id (the store needs a real Redis to do more)
 * ```ts
 * import { RedisStore } from "@lifeline/realtime/relay/redis";
 * import assert from "node:assert/strict";
 *
 * const store = new RedisStore({
 *   client: { sendCommand: () => Promise.resolve(null) },
 *   subscriber: { subscribe: () => Promise.resolve(), unsubscribe: () => Promise.resolve() },
 *   nodeId: "node-1",
 * });
 * assert.equal(store.nodeId, "node-1");
 * await store.close();
 * ```
 *
 * @example Two nodes of one app
 * ```ts ignore
 * import { createClient } from "redis";
 * import { Relay } from "@lifeline/realtime/relay";
 * import { RedisStore } from "@lifeline/realtime/relay/redis";
 *
 * const client = await createClient({ url: Deno.env.get("LIFELINE_REDIS_URL") }).connect();
 * const subscriber = await client.duplicate().connect();
 * const store = new RedisStore({ client, subscriber });
 * const relay = new Relay({ store });
 * ```
 */
export class RedisStore implements RelayStore {
  #c: RedisContext;
  #sessions: RedisSessions;
  #link: NodeLink;
  #channels: RedisChannels;
  #timer: TimerId | undefined;
  /** The Redis data's boot mark; a new one means Redis lost everything. */
  #boot: string | undefined;

  /** Makes a store and starts its heartbeat; throws for a bad option. */
  constructor(options: RedisStoreOptions) {
    this.#c = new RedisContext(options);
    this.#sessions = new RedisSessions(this.#c);
    this.#link = new NodeLink(this.#c);
    this.#channels = new RedisChannels(this.#c, this.#link);
    this.#schedule(0);
  }

  /** This node's id. */
  get nodeId(): string {
    return this.#c.node;
  }

  // ------------------------------------------------------------ sessions

  /** Opens a live session held by this node. */
  createSession(
    id: string,
    userId: string | undefined,
    resume: string,
  ): Promise<void> {
    return this.#sessions.create(id, userId, resume);
  }

  /**
   * Resumes a session parked on any node, or takes over one live on
   * another node (which is told to close its connection); see
   * {@linkcode RelayStore.resumeSession}. Expiry is Redis's TTL.
   */
  resumeSession(
    id: string,
    userId: string | undefined,
    _now: number,
    resume: string,
  ): Promise<boolean> {
    return this.#sessions.resume(id, userId, resume);
  }

  /** Parks a session this node holds until `expires` (a TTL in Redis). */
  parkSession(id: string, expires: number, now: number): Promise<void> {
    return this.#sessions.park(id, expires, now);
  }

  /** Forgets a session this node holds (or that is parked). */
  endSession(id: string): Promise<void> {
    return this.#sessions.end(id);
  }

  /** Nothing to do: parked sessions expire by their TTL in Redis. */
  prune(_now: number): void {}

  /**
   * The sessions parked on every node, as of this node's latest heartbeat
   * (`stats().resumable`).
   */
  counts(): StoreCounts {
    return { resumable: this.#sessions.parked };
  }

  /** The ack of an earlier publish of `mid` in `session`. */
  seen(session: string, mid: string): Promise<PubAckData | undefined> {
    return this.#sessions.seen(session, mid);
  }

  /** Remembers a published `mid`, forgetting the session's oldest past `dedupeSize`. */
  remember(session: string, mid: string, ack: PubAckData): Promise<void> {
    return this.#sessions.remember(session, mid, ack);
  }

  // ------------------------------------------------------------ channels

  /** Adds a member held by this node, subscribing the channel on its first. */
  join(channel: string, member: Member): Promise<ChannelState> {
    return this.#channels.join(channel, member);
  }

  /** Removes a member, unsubscribing the channel after this node's last. */
  leave(channel: string, id: string): Promise<number> {
    return this.#channels.leave(channel, id);
  }

  /** Replaces a member's profile; answers the new presence version. */
  update(channel: string, member: Member): Promise<number> {
    return this.#channels.update(channel, member);
  }

  /** The channel's members (in join order), offset, version and epoch. */
  channel(channel: string): Promise<ChannelState> {
    return this.#channels.channel(channel);
  }

  /**
   * Takes the channel's next offset, keeps the message in its stream,
   * remembers `mid` for the sending session and publishes the message to
   * the other nodes, in one script; `undefined` for a channel nobody is
   * in. A channel this node has members in but Redis lost (a restart) is
   * joined again first, in a new epoch.
   */
  append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
    mid?: string,
  ): Promise<number | undefined> {
    return this.#channels.append(channel, event, data, sender, mid);
  }

  /** The messages after `since` from the channel's stream, or why not. */
  history(channel: string, since: JoinSince): Promise<HistoryAnswer> {
    return this.#channels.history(channel, since);
  }

  // ------------------------------------------------------------ other nodes

  /** Publishes a volatile message to the other nodes (nothing is kept). */
  volatile(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): Promise<void> {
    return this.#link.volatile(channel, event, data, sender);
  }

  /** Publishes a user event to the other nodes. */
  toUser(userId: string, event: string, data: unknown): Promise<void> {
    return this.#link.toUser(userId, event, data);
  }

  /** Hears the other nodes: app-wide messages, then each joined channel's. */
  listen(listener: StoreListener): void {
    this.#link.listen(listener);
  }

  // ------------------------------------------------------------ heartbeat

  #schedule(ms: number): void {
    const c = this.#c;
    if (c.closed) return;
    this.#timer = c.clock.setTimeout(() => {
      this.#timer = undefined;
      c.background(this.beat().finally(() => this.#schedule(c.heartbeat)));
    }, ms);
  }

  /**
   * One heartbeat, now: tells Redis this node is alive, makes the members
   * of nodes unheard for `nodeTimeout` leave, and joins this node's members
   * again when Redis lost its data. Runs every `heartbeat` ms by itself.
   * Answers how many members of dead nodes it made leave.
   */
  async beat(): Promise<number> {
    const c = this.#c;
    const reply = await c.run("beat", [], [
      c.prefix,
      c.node,
      String(c.nodeTimeout),
      String(c.idleTtl),
      crypto.randomUUID(),
    ]) as [number, string, number];
    const [reaped, boot, parked] = reply;
    this.#sessions.parked = Number(parked);
    if (this.#boot !== undefined && boot !== this.#boot) {
      for (const channel of this.#link.channels()) {
        await this.#channels.rejoin(channel);
      }
    }
    this.#boot = boot;
    await this.#link.catchUp();
    return Number(reaped);
  }

  /**
   * Stops the heartbeat and unsubscribes. Members still in Redis (close the
   * relay first: it makes its members leave) go once this node is
   * unheard for `nodeTimeout`. The connections stay open: they are the
   * caller's to close.
   */
  async close(): Promise<void> {
    const c = this.#c;
    if (c.closed) return;
    c.closed = true;
    if (this.#timer !== undefined) c.clock.clearTimeout(this.#timer);
    // What the relay's close started (its members leaving) finishes first.
    await c.settled();
    await this.#link.close();
  }

  /** Closes the store. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
