/**
 * What every store (memory, a Durable Object's SQLite, Redis) answers the
 * same way: a channel nobody is in, a history answer, a new epoch.
 * Internal.
 *
 * @module
 */

import type { JoinSince, MissedMessage } from "../protocol/mod.ts";
import type { ChannelState, HistoryAnswer } from "./store.ts";

/** The default `epochId`: a short random string. */
export function newEpochId(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** What `channel()` answers for a channel the store does not know. */
export function noChannel(): ChannelState {
  return { members: [], offset: 0, version: 0, epoch: "" };
}

/** Another epoch, or an offset the channel never reached. */
export const HISTORY_LOST: HistoryAnswer = {
  recovered: false,
  reason: "history_lost",
};

/** Older than the oldest kept message. */
export const TOO_FAR_BEHIND: HistoryAnswer = {
  recovered: false,
  reason: "too_far_behind",
};

/**
 * The history answer for `since`, given the channel's epoch and latest
 * offset (`undefined` for a channel the store does not know): lost for
 * another epoch or a future offset, nothing missed at the latest offset,
 * else what `read(latest)` finds after `since.offset` (`undefined` when
 * some of it is no longer kept).
 */
export function recover(
  channel: { readonly epoch: string; readonly offset: number } | undefined,
  since: JoinSince,
  read: (latest: number) => MissedMessage[] | undefined,
): HistoryAnswer {
  if (
    channel === undefined || channel.epoch !== since.epoch ||
    since.offset > channel.offset
  ) return HISTORY_LOST;
  const offset = channel.offset;
  if (since.offset === offset) return { recovered: true, offset, missed: [] };
  const missed = read(offset);
  return missed === undefined
    ? TOO_FAR_BEHIND
    : { recovered: true, offset, missed };
}
