/**
 * The `data` a successful `ack` carries, per request type.
 *
 * @module
 */

import type { Member } from "./relay_frames.ts";

/**
 * The `data` of a successful `join` ack.
 *
 * @example What a relay acknowledges a join with
 * ```ts
 * import type { AckFrame, JoinAckData } from "@lifeline/realtime/protocol";
 * import { Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const sent: string[] = [];
 * const client = relay.open({ send: (text) => sent.push(text), close() {} });
 * client.message('{"type":"hello","v":1}');
 * client.message('{"type":"join","ref":1,"channel":"lobby","echo":false}');
 * const ack: AckFrame = JSON.parse(sent.at(-1)!);
 * assert.ok(ack.ok);
 * const data = ack.data as JoinAckData;
 * assert.deepEqual([data.members.map((m) => m.id), data.offset], [[client.id], 0]);
 * relay.close();
 * ```
 */
export interface JoinAckData {
  /**
   * Everyone in the channel, the joiner included; empty in a channel
   * without presence (`presence: false`), whose members come on request.
   */
  members: Member[];
  /**
   * Past the relay's `joinMembers` (a big channel): how many members it has,
   * with `members` empty; they come on request (`members`). Absent when
   * `members` lists them.
   */
  count?: number;
  /**
   * `false` in a channel without presence (the relay's `presence` option):
   * nobody hears its joins, leaves and updates, and `members` is empty.
   * Absent otherwise.
   */
  presence?: false;
  /** The channel's latest message offset (0 before its first message). */
  offset: number;
  /** The channel's presence version after this join. */
  version: number;
  /** The channel's epoch: it changes whenever the channel's history is lost. */
  epoch: string;
  /** With a `since`: whether the missed messages follow in `missed`. */
  recovered?: boolean;
  /** With `recovered: true`: every message after `since.offset`, in order. */
  missed?: MissedMessage[];
  /** With `recovered: false`: why the messages cannot be recovered. */
  reason?: RecoveryFailure;
}

/**
 * Why a join's `since` could not be answered with the missed messages:
 * `history_lost` (the epoch differs: the relay restarted, or the channel's
 * history expired) or `too_far_behind` (older than the oldest kept message).
 *
 * @example Telling the two apart
 * ```ts
 * import type { RecoveryFailure } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const reason: RecoveryFailure = "too_far_behind";
 * assert.notEqual(reason, "history_lost");
 * ```
 */
export type RecoveryFailure = "history_lost" | "too_far_behind";

/**
 * A channel message recovered from history: the fields of a `msg` frame
 * without its type and channel.
 *
 * @example One missed message
 * ```ts
 * import type { MissedMessage } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const missed: MissedMessage = { offset: 8, event: "chat", data: "hi", sender: "s1" };
 * assert.equal(missed.offset, 8);
 * ```
 */
export interface MissedMessage {
  /** The message's channel offset. */
  offset: number;
  /** The event name. */
  event: string;
  /** The payload, when it had one. */
  data?: unknown;
  /** The publisher's session id, or `null` when the server published it. */
  sender: string | null;
}

/**
 * The `data` of a successful `pub` ack.
 *
 * @example Reading the offset a publish got
 * ```ts
 * import { decodeRelayFrame, type PubAckData } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeRelayFrame('{"type":"ack","ref":2,"ok":true,"data":{"offset":8}}');
 * assert.ok(result.ok && result.frame.type === "ack" && result.frame.ok);
 * const data = result.frame.data as PubAckData;
 * assert.equal(data.offset, 8);
 * ```
 */
export interface PubAckData {
  /** The message's channel offset; absent for app-wide broadcasts. */
  offset?: number;
}

/**
 * The `data` of a successful `members` ack.
 *
 * @example What a relay answers a members request with
 * ```ts
 * import type { AckFrame, MembersAckData } from "@lifeline/realtime/protocol";
 * import { Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const sent: string[] = [];
 * const client = relay.open({ send: (text) => sent.push(text), close() {} });
 * client.message('{"type":"hello","v":1,"profile":"ann"}');
 * client.message('{"type":"join","channel":"lobby"}');
 * client.message('{"type":"members","ref":2,"channel":"lobby"}');
 * const ack: AckFrame = JSON.parse(sent.at(-1)!);
 * assert.ok(ack.ok);
 * assert.deepEqual((ack.data as MembersAckData).members, [{ id: client.id, data: "ann" }]);
 * relay.close();
 * ```
 */
export interface MembersAckData {
  /** Everyone in the channel. */
  members: Member[];
  /** The channel's presence version these members reflect. */
  version: number;
}
