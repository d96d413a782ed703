/**
 * A Redis store node's link to the others: which channels it has members
 * in (reference-counted pub/sub subscriptions), one `ChannelOrder` per
 * subscribed channel putting its own appends and the other nodes'
 * messages back in offset order, hearing the other nodes (messages,
 * presence, volatile messages, user events, takeovers) for the relay's
 * listener, publishing its own volatile messages and user events, and
 * reading from the streams what pub/sub dropped. Internal.
 *
 * @module
 */

import type { Member, PresenceFrame } from "../../protocol/mod.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type StoreListener,
} from "../store.ts";
import type { RedisContext } from "./_context.ts";
import { ChannelOrder } from "./_order.ts";
import { channelState, entry } from "./_replies.ts";

/** This node's channels, subscriptions and the other nodes' changes. */
export class NodeLink {
  #c: RedisContext;
  #listener: StoreListener | undefined;
  /** This node's members per channel, by id (what the subscription counts). */
  #local = new Map<string, Map<string, unknown>>();
  /** The order of each subscribed channel (the app channel's once listening). */
  #orders = new Map<string, ChannelOrder>();
  /** Appends in flight per channel. */
  #appending = new Map<string, number>();
  #onMessage = (message: string, channel: string) =>
    this.#heard(message, channel);
  #onNode = (message: string) => this.#replaced(message);

  /** Subscribes this node's own pub/sub channel (takeovers). */
  constructor(context: RedisContext) {
    this.#c = context;
    context.background(
      context.subscriber.subscribe(context.nodeTopic, this.#onNode),
    );
  }

  /** Whether this node has members in `channel`. */
  has(channel: string): boolean {
    return this.#local.has(channel);
  }

  /** The channels this node has members in. */
  channels(): IterableIterator<string> {
    return this.#local.keys();
  }

  /** This node's members of `channel`, by id. */
  members(channel: string): Iterable<[string, unknown]> {
    return this.#local.get(channel) ?? [];
  }

  /**
   * Counts `member` in, subscribing the channel on this node's first, and
   * runs `join` (the script); answers its state once this node delivered
   * the channel up to it. A failed join is not counted.
   */
  async enter(
    channel: string,
    member: Member,
    join: () => Promise<unknown>,
  ): Promise<ChannelState> {
    let members = this.#local.get(channel);
    const first = members === undefined;
    if (members === undefined) this.#local.set(channel, members = new Map());
    members.set(member.id, member.data);
    let order = this.#orders.get(channel);
    let reply: unknown;
    try {
      if (first) {
        order = this.#order(channel);
        await this.#c.subscriber.subscribe(
          this.#c.pubsub(channel),
          this.#onMessage,
        );
      }
      reply = await join();
    } catch (error) {
      if (this.#local.get(channel)?.delete(member.id)) {
        this.#unsubscribeIfLast(channel);
      }
      throw error;
    }
    const state = channelState(reply);
    if (first && this.#orders.get(channel) === order) {
      order!.start(state.epoch, state.offset);
    }
    await this.at(channel, state.epoch, state.offset);
    return state;
  }

  /**
   * Counts member `id` out; answers whether it was this node's last in
   * `channel` (then unsubscribed).
   */
  exit(channel: string, id: string): boolean {
    return this.#local.get(channel)?.delete(id) === true &&
      this.#unsubscribeIfLast(channel);
  }

  /** Keeps a member's new profile, for a rejoin. */
  update(channel: string, member: Member): void {
    this.#local.get(channel)?.set(member.id, member.data);
  }

  /** Unsubscribes `channel` when this node has no member left in it. */
  #unsubscribeIfLast(channel: string): boolean {
    if (this.#local.get(channel)?.size !== 0) return false;
    this.#local.delete(channel);
    this.#orders.get(channel)?.close();
    this.#orders.delete(channel);
    this.#c.background(
      this.#c.subscriber.unsubscribe(this.#c.pubsub(channel), this.#onMessage),
    );
    return true;
  }

  /** Runs an append of `channel`, counted so `catchUp` leaves it alone. */
  async appending<T>(channel: string, work: () => Promise<T>): Promise<T> {
    this.#appending.set(channel, (this.#appending.get(channel) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = this.#appending.get(channel)! - 1;
      if (left === 0) this.#appending.delete(channel);
      else this.#appending.set(channel, left);
    }
  }

  /** Answers this node's own append at its place in the channel's order. */
  appended(channel: string, epoch: string, offset: number): Promise<number> {
    const order = this.#orders.get(channel);
    if (order === undefined) return Promise.resolve(offset);
    const { promise, resolve } = Promise.withResolvers<number>();
    order.arrive(epoch, offset, { settle: () => resolve(offset) });
    return promise;
  }

  /** Waits until this node delivered `channel` up to `offset`. */
  at(channel: string, epoch: string, offset: number): Promise<void> | void {
    const order = this.#orders.get(channel);
    if (order === undefined) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    order.at(epoch, offset, resolve);
    return promise;
  }

  /** Hears the other nodes: app-wide messages, then each joined channel's. */
  listen(listener: StoreListener): void {
    this.#listener = listener;
    const c = this.#c;
    const order = this.#order(APP_CHANNEL);
    c.background((async () => {
      await c.subscriber.subscribe(`${c.prefix}users`, this.#onMessage);
      await c.subscriber.subscribe(c.pubsub(APP_CHANNEL), this.#onMessage);
      const state = channelState(
        await c.run("channel", c.keys(APP_CHANNEL), [c.epochId(), "1"]),
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
      this.#c.clock,
      this.#c.gapTimeout,
    );
    this.#orders.set(channel, order);
    return order;
  }

  /** Publishes a volatile message to the other nodes (nothing is kept). */
  async volatile(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
  ): Promise<void> {
    await this.#publish(this.#c.pubsub(channel), "v", [
      event,
      data ?? null,
      sender,
    ]);
  }

  /** Publishes a user event to the other nodes. */
  async toUser(userId: string, event: string, data: unknown): Promise<void> {
    await this.#publish(`${this.#c.prefix}users`, "u", [
      userId,
      event,
      data ?? null,
    ]);
  }

  async #publish(to: string, kind: string, body: unknown[]): Promise<void> {
    await this.#c.client.sendCommand([
      "PUBLISH",
      to,
      `${kind}|${this.#c.node}|||${JSON.stringify(body)}`,
    ]);
  }

  /**
   * A pub/sub message: `m|node|epoch|offset|[event,data,sender]`,
   * `p|node|action|version|[id,data]`, `v|node|||[event,data,sender]`
   * (volatile) or `u|node|||[userId,event,data]`.
   */
  #heard(message: string, pubsub: string): void {
    try {
      const channel = pubsub.slice(this.#c.prefix.length + 3);
      const [kind, node, a, b] = message.split("|", 4);
      const body = message.slice(
        kind.length + node.length + a.length + b.length + 4,
      );
      if (node === this.#c.node) return; // this node's own change
      if (kind === "m") {
        this.#orders.get(channel)?.arrive(a, Number(b), entry(body));
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
      this.#c.onError(error);
    }
  }

  /** Another node took over a session this node holds. */
  #replaced(sessionKey: string): void {
    this.#listener?.replaced(sessionKey.slice(this.#c.prefix.length + 5));
  }

  /**
   * Delivers what pub/sub dropped (a subscriber reconnecting): each
   * channel's messages past this node's place, read from its stream; of a
   * new epoch, its newest, which shows the clients the gap.
   */
  async catchUp(): Promise<void> {
    const args = [this.#c.prefix];
    for (const [channel, order] of this.#orders) {
      // Not while this node's own appends are on their way: they are its own.
      if (order.epoch !== undefined && !this.#appending.has(channel)) {
        args.push(channel, order.epoch, String(order.next));
      }
    }
    if (args.length === 1) return;
    const rows = await this.#c.run("catchUp", [], args) as string[][];
    for (const [channel, epoch, ...entries] of rows) {
      const order = this.#orders.get(channel);
      for (let i = 0; order !== undefined && i < entries.length; i += 2) {
        order.arrive(epoch, Number(entries[i].slice(2)), entry(entries[i + 1]));
      }
    }
  }

  /** Stops ordering and unsubscribes everything. */
  async close(): Promise<void> {
    for (const order of this.#orders.values()) order.close();
    const channels = [...this.#orders.keys()].map((c) => this.#c.pubsub(c));
    this.#orders.clear();
    const subscriber = this.#c.subscriber;
    await Promise.allSettled([
      ...channels.map((c) => subscriber.unsubscribe(c, this.#onMessage)),
      subscriber.unsubscribe(this.#c.nodeTopic, this.#onNode),
    ]);
  }
}
