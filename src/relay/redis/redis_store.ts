/**
 * The relay's store in Redis, so any number of relay processes (nodes)
 * serve one app: channel offsets and history in a stream per channel,
 * members and presence versions in hashes, sessions and their message ids
 * with TTLs, live fan-out over pub/sub. Every change is one Lua script, so
 * all nodes see one order. See DESIGN.md ("Redis") for the layout.
 *
 * Over 500 lines: it is the whole `RelayStore` contract (sessions, channels,
 * history) plus a node's own duties (its subscriptions, the hand-off of
 * other nodes' changes in order, the heartbeat). The next split takes the
 * sessions out: they share only the script runner with the rest.
 *
 * @module
 */

import { checkFunction, checkKeys, checkNumber } from "../../core/_options.ts";
import { type Clock, systemClock, type TimerId } from "../../core/clock.ts";
import type {
  JoinSince,
  Member,
  MissedMessage,
  PresenceFrame,
  PubAckData,
} from "../../protocol/mod.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
  type RelayStore,
  type StoreCounts,
  type StoreListener,
} from "../store.ts";
import type { RedisCommands, RedisSubscriber } from "./client.ts";
import { ChannelOrder } from "./_order.ts";
import { channelState, user } from "./_replies.ts";
import { Scripts } from "./_scripts.ts";
import {
  KNOWN_OPTIONS,
  type RedisStoreOptions,
} from "./redis_store_options.ts";

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
  #client: RedisCommands;
  #subscriber: RedisSubscriber;
  #scripts: Scripts;
  #p: string;
  #node: string;
  #historySize: number;
  #historyTtl: number;
  #dedupeSize: number;
  #sessionTtl: number;
  #heartbeat: number;
  #nodeTimeout: number;
  #gapTimeout: number;
  #clock: Clock;
  #epochId: () => string;
  #onError: (error: unknown) => void;
  #listener: StoreListener | undefined;
  /** This node's members per channel, by id (what the subscription counts). */
  #local = new Map<string, Map<string, unknown>>();
  /** The order of each subscribed channel (the app channel's once listening). */
  #orders = new Map<string, ChannelOrder>();
  #onMessage = (message: string, channel: string) =>
    this.#heard(message, channel);
  #onNode = (message: string) => this.#replaced(message);
  #timer: TimerId | undefined;
  /** The Redis data's boot mark; a new one means Redis lost everything. */
  #boot: string | undefined;
  #closed = false;
  /** Parked sessions, app-wide, at the latest heartbeat. */
  #parked = 0;
  /** Appends in flight per channel. */
  #appending = new Map<string, number>();
  /** Scripts in flight. */
  #pending = new Set<Promise<unknown>>();

  /** Makes a store and starts its heartbeat; throws for a bad option. */
  constructor(options: RedisStoreOptions) {
    checkKeys("RedisStore", options, KNOWN_OPTIONS);
    if (typeof options.client?.sendCommand !== "function") {
      throw new TypeError(
        "Cannot create RedisStore as 'client' has no sendCommand method",
      );
    }
    if (typeof options.subscriber?.subscribe !== "function") {
      throw new TypeError(
        "Cannot create RedisStore as 'subscriber' has no subscribe method",
      );
    }
    const bound = (name: keyof RedisStoreOptions, fallback: number, min = 0) =>
      checkNumber("RedisStore", name, options[name] ?? fallback, { min });
    this.#client = options.client;
    this.#subscriber = options.subscriber;
    this.#scripts = new Scripts(this.#client);
    this.#p = options.prefix ?? "lifeline:";
    this.#node = options.nodeId ?? crypto.randomUUID();
    if (this.#node.includes("|")) {
      throw new TypeError(
        `Cannot create RedisStore as 'nodeId' contains '|': current value is ${this.#node}`,
      );
    }
    this.#historySize = bound("historySize", 1000);
    this.#historyTtl = bound("historyTtl", 120_000);
    this.#dedupeSize = bound("dedupeSize", 1024);
    this.#sessionTtl = bound("sessionTtl", 86_400_000, 1);
    this.#heartbeat = bound("heartbeat", 2000, 1);
    this.#nodeTimeout = bound("nodeTimeout", 15_000, 1);
    this.#gapTimeout = bound("gapTimeout", 1000, 1);
    checkFunction("RedisStore", "epochId", options.epochId, true);
    checkFunction("RedisStore", "onError", options.onError, true);
    this.#clock = options.clock ?? systemClock;
    this.#epochId = options.epochId ??
      (() => crypto.randomUUID().slice(0, 8));
    this.#onError = options.onError ?? (() => {});
    this.#schedule(0);
    this.#background(
      this.#subscriber.subscribe(`${this.#p}node:${this.#node}`, this.#onNode),
    );
  }

  /** This node's id. */
  get nodeId(): string {
    return this.#node;
  }

  get #keepsHistory(): boolean {
    return this.#historySize > 0 && this.#historyTtl > 0;
  }

  #keys(channel: string): [string, string, string] {
    const p = this.#p;
    return [`${p}meta:${channel}`, `${p}mem:${channel}`, `${p}log:${channel}`];
  }

  #sessionKeys(id: string): [string, string, string] {
    const p = this.#p;
    return [`${p}sess:${id}`, `${p}mids:${id}`, `${p}midq:${id}`];
  }

  /** A session's keys and the parked set, for the scripts that change it. */
  #sessionChange(id: string): string[] {
    return [...this.#sessionKeys(id), `${this.#p}parked`];
  }

  /** Runs a script, tracked so `close()` lets it finish. */
  #run(
    name: Parameters<Scripts["run"]>[0],
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const work = this.#scripts.run(name, keys, args);
    this.#pending.add(work);
    const done = () => void this.#pending.delete(work);
    work.then(done, done);
    return work;
  }

  #background(work: Promise<unknown>): void {
    work.catch((error) => {
      if (!this.#closed) this.#onError(error);
    });
  }

  // ------------------------------------------------------------ sessions

  /** Opens a live session held by this node. */
  async createSession(
    id: string,
    userId: string | undefined,
    resume: string,
  ): Promise<void> {
    await this.#run("createSession", this.#sessionChange(id), [
      user(userId),
      resume,
      this.#node,
      String(this.#sessionTtl),
      id,
    ]);
  }

  /**
   * Resumes a session parked on any node, or takes over one live on
   * another node (which is told to close its connection); see
   * {@linkcode RelayStore.resumeSession}. Expiry is Redis's TTL.
   */
  async resumeSession(
    id: string,
    userId: string | undefined,
    _now: number,
    resume: string,
  ): Promise<boolean> {
    const ok = await this.#run("resumeSession", this.#sessionChange(id), [
      user(userId),
      resume,
      this.#node,
      String(this.#sessionTtl),
      this.#p,
      id,
    ]);
    return ok === 1;
  }

  /** Parks a session this node holds until `expires` (a TTL in Redis). */
  async parkSession(id: string, expires: number, now: number): Promise<void> {
    await this.#run("parkSession", this.#sessionChange(id), [
      this.#node,
      String(Math.max(1, Math.ceil(expires - now))),
      id,
    ]);
  }

  /** Forgets a session this node holds (or that is parked). */
  async endSession(id: string): Promise<void> {
    await this.#run("endSession", this.#sessionChange(id), [this.#node, id]);
  }

  /** Nothing to do: parked sessions expire by their TTL in Redis. */
  prune(_now: number): void {}

  /**
   * The sessions parked on every node, as of this node's latest heartbeat
   * (`stats().resumable`).
   */
  counts(): StoreCounts {
    return { resumable: this.#parked };
  }

  /** The ack of an earlier publish of `mid` in `session`. */
  async seen(session: string, mid: string): Promise<PubAckData | undefined> {
    const ack = await this.#client.sendCommand([
      "HGET",
      `${this.#p}mids:${session}`,
      mid,
    ]);
    return typeof ack === "string" ? JSON.parse(ack) : undefined;
  }

  /** Remembers a published `mid`, forgetting the session's oldest past `dedupeSize`. */
  async remember(session: string, mid: string, ack: PubAckData): Promise<void> {
    if (this.#dedupeSize <= 0) return;
    await this.#run("remember", this.#sessionKeys(session), [
      mid,
      JSON.stringify(ack),
      String(this.#dedupeSize),
    ]);
  }

  // ------------------------------------------------------------ channels

  /** Adds a member held by this node, subscribing the channel on its first. */
  async join(channel: string, member: Member): Promise<ChannelState> {
    let members = this.#local.get(channel);
    const first = members === undefined;
    if (members === undefined) this.#local.set(channel, members = new Map());
    members.set(member.id, member.data);
    let order = this.#orders.get(channel);
    let reply: unknown;
    try {
      if (first) {
        order = this.#order(channel);
        await this.#subscriber.subscribe(
          this.#pubsub(channel),
          this.#onMessage,
        );
      }
      reply = await this.#join(channel, member);
    } catch (error) {
      // Not joined: not counted either.
      if (this.#local.get(channel)?.delete(member.id)) {
        this.#unsubscribeIfLast(channel);
      }
      throw error;
    }
    const state = channelState(reply);
    if (first && this.#orders.get(channel) === order) {
      order!.start(state.epoch, state.offset);
    }
    await this.#at(channel, state.epoch, state.offset);
    return state;
  }

  #join(channel: string, member: Member): Promise<unknown> {
    return this.#run(
      "join",
      [...this.#keys(channel), `${this.#p}nodech:${this.#node}`],
      [
        member.id,
        this.#node,
        JSON.stringify(member.data ?? null),
        this.#epochId(),
        this.#pubsub(channel),
        channel,
        JSON.stringify(member.id),
      ],
    );
  }

  /** Removes a member, unsubscribing the channel after this node's last. */
  async leave(channel: string, id: string): Promise<number> {
    const last = this.#local.get(channel)?.delete(id) === true &&
      this.#unsubscribeIfLast(channel);
    const version = await this.#run(
      "leave",
      [...this.#keys(channel), `${this.#p}nodech:${this.#node}`],
      [
        id,
        this.#node,
        this.#pubsub(channel),
        channel,
        last ? "1" : "0",
        String(this.#keepsHistory ? this.#historyTtl : 0),
        JSON.stringify(id),
      ],
    );
    return Number(version);
  }

  /** Unsubscribes `channel` when this node has no member left in it. */
  #unsubscribeIfLast(channel: string): boolean {
    if (this.#local.get(channel)?.size !== 0) return false;
    this.#local.delete(channel);
    this.#orders.get(channel)?.close();
    this.#orders.delete(channel);
    this.#background(
      this.#subscriber.unsubscribe(this.#pubsub(channel), this.#onMessage),
    );
    return true;
  }

  /** Replaces a member's profile; answers the new presence version. */
  async update(channel: string, member: Member): Promise<number> {
    this.#local.get(channel)?.set(member.id, member.data);
    const version = await this.#run("update", this.#keys(channel), [
      member.id,
      this.#node,
      JSON.stringify(member.data ?? null),
      this.#pubsub(channel),
      JSON.stringify(member.id),
    ]);
    return Number(version);
  }

  /** The channel's members (in join order), offset, version and epoch. */
  async channel(channel: string): Promise<ChannelState> {
    const reply = await this.#run("channel", this.#keys(channel), [
      this.#epochId(),
      channel === APP_CHANNEL ? "1" : "0",
    ]);
    if (!Array.isArray(reply) || reply.length === 0) {
      return { members: [], offset: 0, version: 0, epoch: "" };
    }
    const state = channelState(reply);
    await this.#at(channel, state.epoch, state.offset);
    return state;
  }

  /**
   * Takes the channel's next offset, keeps the message in its stream,
   * remembers `mid` for the sending session and publishes the message to
   * the other nodes, in one script; `undefined` for a channel nobody is
   * in. A channel this node has members in but Redis lost (a restart) is
   * joined again first, in a new epoch.
   */
  async append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
    mid?: string,
  ): Promise<number | undefined> {
    const body = JSON.stringify([event, data ?? null, sender]);
    // The id is remembered with the append, for the publishing session.
    const once = mid !== undefined && sender !== null && this.#dedupeSize > 0
      ? { session: sender, mid }
      : undefined;
    this.#appending.set(channel, (this.#appending.get(channel) ?? 0) + 1);
    let reply: unknown;
    try {
      reply = await this.#append(channel, body, once);
      if (reply === null && this.#local.has(channel)) {
        await this.#rejoin(channel);
        reply = await this.#append(channel, body, once);
      }
    } finally {
      const left = this.#appending.get(channel)! - 1;
      if (left === 0) this.#appending.delete(channel);
      else this.#appending.set(channel, left);
    }
    if (!Array.isArray(reply)) return undefined;
    const epoch = String(reply[0]);
    const offset = Number(reply[1]);
    const order = this.#orders.get(channel);
    if (order === undefined) return offset;
    const { promise, resolve } = Promise.withResolvers<number>();
    order.arrive(epoch, offset, { settle: () => resolve(offset) });
    return await promise;
  }

  #append(
    channel: string,
    body: string,
    once: { session: string; mid: string } | undefined,
  ): Promise<unknown> {
    const keys: string[] = this.#keys(channel);
    const args = [
      this.#node,
      body,
      this.#pubsub(channel),
      String(this.#historySize),
      String(this.#historyTtl),
      channel === APP_CHANNEL ? "1" : "0",
      this.#epochId(),
      channel,
    ];
    if (once !== undefined) {
      keys.push(...this.#sessionKeys(once.session));
      args.push(once.mid, String(this.#dedupeSize));
    }
    return this.#run("append", keys, args);
  }

  /** The messages after `since` from the channel's stream, or why not. */
  async history(channel: string, since: JoinSince): Promise<HistoryAnswer> {
    const [meta, , log] = this.#keys(channel);
    const reply = await this.#run("history", [meta, log], [
      since.epoch,
      String(since.offset),
      String(this.#keepsHistory ? this.#historyTtl : 0),
    ]) as string[];
    if (reply[0] !== "1") {
      return {
        recovered: false,
        reason: reply[1] === "too_far_behind"
          ? "too_far_behind"
          : "history_lost",
      };
    }
    const offset = Number(reply[1]);
    const missed: MissedMessage[] = [];
    for (let i = 2; i < reply.length; i += 2) {
      const [event, data, sender] = JSON.parse(reply[i + 1]);
      missed.push({ offset: Number(reply[i].slice(2)), event, data, sender });
    }
    await this.#at(channel, since.epoch, offset);
    return { recovered: true, offset, missed };
  }

  // ------------------------------------------------------------ other nodes

  /** Publishes a volatile message to the other nodes (nothing is kept). */
  async volatile(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): Promise<void> {
    const body = JSON.stringify([event, data ?? null, sender]);
    await this.#client.sendCommand([
      "PUBLISH",
      this.#pubsub(channel),
      `v|${this.#node}|||${body}`,
    ]);
  }

  /** Publishes a user event to the other nodes. */
  async toUser(userId: string, event: string, data: unknown): Promise<void> {
    const body = JSON.stringify([userId, event, data ?? null]);
    await this.#client.sendCommand([
      "PUBLISH",
      `${this.#p}users`,
      `u|${this.#node}|||${body}`,
    ]);
  }

  /** Hears the other nodes: app-wide messages, then each joined channel's. */
  listen(listener: StoreListener): void {
    this.#listener = listener;
    const order = this.#order(APP_CHANNEL);
    this.#background((async () => {
      await this.#subscriber.subscribe(`${this.#p}users`, this.#onMessage);
      await this.#subscriber.subscribe(
        this.#pubsub(APP_CHANNEL),
        this.#onMessage,
      );
      const state = channelState(
        await this.#run("channel", this.#keys(APP_CHANNEL), [
          this.#epochId(),
          "1",
        ]),
      );
      order.start(state.epoch, state.offset);
    })());
  }

  #order(channel: string): ChannelOrder {
    const order = new ChannelOrder(
      (offset, arrival) => {
        if ("event" in arrival) {
          const { event, data, sender } = arrival;
          this.#listener?.message(channel, offset, event, data, sender);
        }
      },
      this.#clock,
      this.#gapTimeout,
    );
    this.#orders.set(channel, order);
    return order;
  }

  /** Waits until this node delivered `channel` up to `offset`. */
  #at(channel: string, epoch: string, offset: number): Promise<void> | void {
    const order = this.#orders.get(channel);
    if (order === undefined) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    order.at(epoch, offset, resolve);
    return promise;
  }

  #pubsub(channel: string): string {
    return `${this.#p}ch:${channel}`;
  }

  /**
   * A pub/sub message: `m|node|epoch|offset|[event,data,sender]`,
   * `p|node|action|version|[id,data]`, `v|node|||[event,data,sender]`
   * (volatile) or `u|node|||[userId,event,data]`.
   */
  #heard(message: string, pubsub: string): void {
    try {
      const channel = pubsub.slice(this.#p.length + 3);
      const [kind, node, a, b] = message.split("|", 4);
      const body = message.slice(
        kind.length + node.length + a.length + b.length + 4,
      );
      if (node === this.#node) return; // this node's own change
      if (kind === "m") {
        const [event, data, sender] = JSON.parse(body);
        this.#orders.get(channel)?.arrive(a, Number(b), {
          event,
          data,
          sender,
        });
      } else if (kind === "p" && this.#local.has(channel)) {
        const [id, data] = JSON.parse(body);
        this.#listener?.presence(
          channel,
          a as PresenceFrame["action"],
          { id, data },
          Number(b),
        );
      } else if (
        kind === "v" && (channel === APP_CHANNEL || this.#local.has(channel))
      ) {
        const [event, data, sender] = JSON.parse(body);
        this.#listener?.volatile(channel, event, data, sender);
      } else if (kind === "u") {
        const [userId, event, data] = JSON.parse(body);
        this.#listener?.user(userId, event, data);
      }
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Another node took over a session this node holds. */
  #replaced(sessionKey: string): void {
    this.#listener?.replaced(sessionKey.slice(this.#p.length + 5));
  }

  // ------------------------------------------------------------ heartbeat

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#background(
        this.beat().finally(() => this.#schedule(this.#heartbeat)),
      );
    }, ms);
  }

  /**
   * One heartbeat, now: tells Redis this node is alive, makes the members
   * of nodes unheard for `nodeTimeout` leave, and joins this node's members
   * again when Redis lost its data. Runs every `heartbeat` ms by itself.
   * Answers how many members of dead nodes it made leave.
   */
  async beat(): Promise<number> {
    const reply = await this.#run("beat", [], [
      this.#p,
      this.#node,
      String(this.#nodeTimeout),
      String(this.#keepsHistory ? this.#historyTtl : 0),
      crypto.randomUUID(),
    ]) as [number, string, number];
    const [reaped, boot, parked] = reply;
    this.#parked = Number(parked);
    if (this.#boot !== undefined && boot !== this.#boot) {
      for (const channel of this.#local.keys()) await this.#rejoin(channel);
    }
    this.#boot = boot;
    await this.#catchUp();
    return Number(reaped);
  }

  /**
   * Delivers what pub/sub dropped (a subscriber reconnecting): each
   * channel's messages past this node's place, read from its stream; of a
   * new epoch, its newest, which shows the clients the gap.
   */
  async #catchUp(): Promise<void> {
    const args = [this.#p];
    for (const [channel, order] of this.#orders) {
      // Not while this node's own appends are on their way: they are its own.
      if (order.epoch !== undefined && !this.#appending.has(channel)) {
        args.push(channel, order.epoch, String(order.next));
      }
    }
    if (args.length === 1) return;
    const rows = await this.#run("catchUp", [], args) as string[][];
    for (const [channel, epoch, ...entries] of rows) {
      const order = this.#orders.get(channel);
      for (let i = 0; order !== undefined && i < entries.length; i += 2) {
        const [event, data, sender] = JSON.parse(entries[i + 1]);
        order.arrive(epoch, Number(entries[i].slice(2)), {
          event,
          data,
          sender,
        });
      }
    }
  }

  /** Joins this node's members of `channel` again (Redis lost them). */
  async #rejoin(channel: string): Promise<void> {
    for (const [id, data] of this.#local.get(channel) ?? []) {
      await this.#join(channel, { id, data });
    }
  }

  /**
   * Stops the heartbeat and unsubscribes. Members still in Redis (close the
   * relay first: it makes its members leave) go once this node is
   * unheard for `nodeTimeout`. The connections stay open: they are the
   * caller's to close.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    // What the relay's close started (its members leaving) finishes first.
    await Promise.allSettled([...this.#pending]);
    for (const order of this.#orders.values()) order.close();
    const channels = [...this.#orders.keys()].map((c) => this.#pubsub(c));
    this.#orders.clear();
    await Promise.allSettled([
      ...channels.map((c) => this.#subscriber.unsubscribe(c, this.#onMessage)),
      this.#subscriber.unsubscribe(
        `${this.#p}node:${this.#node}`,
        this.#onNode,
      ),
    ]);
  }

  /** Closes the store. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
