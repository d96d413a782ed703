/**
 * Delivery on this relay: channel messages, volatile messages and app-wide
 * messages, each encoded once and sent to the members here (through the
 * native fan-out and its slow lane when there is one). Offsets are the
 * store's; who is in each channel is `_channels.ts`'s. Internal.
 *
 * @module
 */

import {
  encodeFrame,
  isChannelName,
  isEventName,
  msgFrame,
} from "../protocol/mod.ts";
import type { Channel } from "./_channel.ts";
import { SlowLane } from "./_slow_lane.ts";
import { background, type Context } from "./_context.ts";
import type { Connection } from "./_connection.ts";
import { APP_TOPIC } from "./fanout.ts";
import { APP_CHANNEL, type StoreAnswer } from "./store.ts";

/** Sends messages to the connections here. */
export class Delivery {
  /** Channels with at least one member here (kept by `Channels`). */
  readonly local: Map<string, Channel<Connection>> = new Map();
  /** With a native fan-out: the backlogged connections it does not reach. */
  readonly lane: SlowLane | undefined;
  #context: Context;
  /** Welcomed connections by session id, for app-wide messages. */
  #live: ReadonlyMap<string, Connection>;

  constructor(context: Context, live: ReadonlyMap<string, Connection>) {
    this.#context = context;
    this.#live = live;
    const fanout = context.fanout;
    if (fanout !== undefined) this.lane = new SlowLane(context, fanout, live);
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
      this.toChannel(channel, text, except, false);
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
    this.toChannel(channel, text, except, true);
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
    const lane = this.lane;
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
      lane.published(held === false, text);
      return;
    }
    for (const conn of this.#live.values()) {
      if (conn !== except) conn.send(text);
    }
  }

  /**
   * Sends `text` to the members of `channel` but `except`, through the
   * native fan-out when there is one (and one by one to the slow lane); a
   * `volatile` message is the first to go to a backlogged socket.
   */
  toChannel(
    channel: Channel<Connection>,
    text: string,
    except: Connection | undefined,
    volatile: boolean,
  ): void {
    const fanout = this.#context.fanout;
    const lane = this.lane;
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
      lane.published(held === false, text);
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
}
