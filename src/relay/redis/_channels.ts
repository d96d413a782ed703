/**
 * The Redis store's channels: members and presence versions (`meta:<ch>`,
 * `mem:<ch>`), offsets and history (`log:<ch>`), each change one script
 * that also publishes it to the other nodes. This node's side of each
 * (subscriptions, order) is the `NodeLink`'s. Internal.
 *
 * @module
 */

import type { JoinSince, Member, MissedMessage } from "../../protocol/mod.ts";
import { HISTORY_LOST, noChannel, TOO_FAR_BEHIND } from "../_store_answers.ts";
import {
  APP_CHANNEL,
  type ChannelState,
  type HistoryAnswer,
} from "../store.ts";
import type { RedisContext } from "./_context.ts";
import type { NodeLink } from "./_node_link.ts";
import { channelState, entry } from "./_replies.ts";

/** The channels' part of the `RedisStore` contract. */
export class RedisChannels {
  #c: RedisContext;
  #link: NodeLink;

  constructor(context: RedisContext, link: NodeLink) {
    this.#c = context;
    this.#link = link;
  }

  join(channel: string, member: Member): Promise<ChannelState> {
    return this.#link.enter(channel, member, () => this.#join(channel, member));
  }

  #join(channel: string, member: Member): Promise<unknown> {
    const c = this.#c;
    return c.run("join", c.membershipKeys(channel), [
      member.id,
      c.node,
      JSON.stringify(member.data ?? null),
      c.epochId(),
      c.pubsub(channel),
      channel,
      JSON.stringify(member.id),
    ]);
  }

  /** Joins this node's members of `channel` again (Redis lost them). */
  async rejoin(channel: string): Promise<void> {
    for (const [id, data] of this.#link.members(channel)) {
      await this.#join(channel, { id, data });
    }
  }

  async leave(channel: string, id: string): Promise<number> {
    const c = this.#c;
    const last = this.#link.exit(channel, id);
    const version = await c.run("leave", c.membershipKeys(channel), [
      id,
      c.node,
      c.pubsub(channel),
      channel,
      last ? "1" : "0",
      String(c.idleTtl),
      JSON.stringify(id),
    ]);
    return Number(version);
  }

  async update(channel: string, member: Member): Promise<number> {
    const c = this.#c;
    this.#link.update(channel, member);
    const version = await c.run("update", c.keys(channel), [
      member.id,
      c.node,
      JSON.stringify(member.data ?? null),
      c.pubsub(channel),
      JSON.stringify(member.id),
    ]);
    return Number(version);
  }

  async channel(channel: string): Promise<ChannelState> {
    const reply = await this.#c.run("channel", this.#c.keys(channel), [
      this.#c.epochId(),
      channel === APP_CHANNEL ? "1" : "0",
    ]);
    if (!Array.isArray(reply) || reply.length === 0) return noChannel();
    const state = channelState(reply);
    await this.#link.at(channel, state.epoch, state.offset);
    return state;
  }

  async append(
    channel: string,
    event: string,
    data: unknown,
    sender: string | null,
    mid?: string,
  ): Promise<number | undefined> {
    const body = JSON.stringify([event, data ?? null, sender]);
    // The id is remembered with the append, for the publishing session.
    const once = mid !== undefined && sender !== null && this.#c.dedupeSize > 0
      ? { session: sender, mid }
      : undefined;
    const reply = await this.#link.appending(channel, async () => {
      const reply = await this.#append(channel, body, once);
      if (reply !== null || !this.#link.has(channel)) return reply;
      await this.rejoin(channel);
      return await this.#append(channel, body, once);
    });
    if (!Array.isArray(reply)) return undefined;
    return await this.#link.appended(
      channel,
      String(reply[0]),
      Number(reply[1]),
    );
  }

  #append(
    channel: string,
    body: string,
    once: { session: string; mid: string } | undefined,
  ): Promise<unknown> {
    const c = this.#c;
    const keys: string[] = c.keys(channel);
    const args = [
      c.node,
      body,
      c.pubsub(channel),
      String(c.historySize),
      String(c.historyTtl),
      channel === APP_CHANNEL ? "1" : "0",
      c.epochId(),
      channel,
    ];
    if (once !== undefined) {
      keys.push(...c.sessionKeys(once.session));
      args.push(once.mid, String(c.dedupeSize));
    }
    return c.run("append", keys, args);
  }

  async history(channel: string, since: JoinSince): Promise<HistoryAnswer> {
    const [meta, , log] = this.#c.keys(channel);
    const reply = await this.#c.run("history", [meta, log], [
      since.epoch,
      String(since.offset),
      String(this.#c.idleTtl),
    ]) as string[];
    if (reply[0] !== "1") {
      return reply[1] === "too_far_behind" ? TOO_FAR_BEHIND : HISTORY_LOST;
    }
    const offset = Number(reply[1]);
    const missed: MissedMessage[] = [];
    for (let i = 2; i < reply.length; i += 2) {
      missed.push({
        offset: Number(reply[i].slice(2)),
        ...entry(reply[i + 1]),
      });
    }
    await this.#link.at(channel, since.epoch, offset);
    return { recovered: true, offset, missed };
  }
}
