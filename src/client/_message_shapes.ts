/**
 * The one place where the relay's frames become what listeners receive.
 * Inside the client a message is the protocol's {@linkcode MsgFrame}; it is
 * translated here, and only here, into the seed-facing names: Altogic's
 * `{ channel, event, message, senderId }` for manager listeners and
 * PkWebSocketChannel's `{ channelId, type, payload }` for channel views.
 * Internal to the client layer.
 *
 * @module
 */

import type { MsgFrame, PresenceFrame, UserFrame } from "../protocol/mod.ts";
import type { ChannelMessage } from "./realtime_channel.ts";
import type {
  MemberEvent,
  MemberEventName,
  RealtimeMessage,
  UserEvent,
} from "./realtime_events.ts";

const MEMBER_EVENTS: Readonly<
  Record<PresenceFrame["action"], MemberEventName>
> = {
  join: "channel:join",
  leave: "channel:leave",
  update: "channel:update",
};

/** A message as manager listeners receive it (Altogic's names). */
export function toRealtimeMessage(frame: MsgFrame): RealtimeMessage {
  // One literal per shape, so that no message changes shape once made.
  // App-wide messages keep their seed shape: their offset is the manager's.
  return frame.offset !== undefined && frame.channel !== null
    ? {
      channel: frame.channel,
      event: frame.event,
      message: frame.data,
      senderId: frame.sender,
      offset: frame.offset,
    }
    : {
      channel: frame.channel,
      event: frame.event,
      message: frame.data,
      senderId: frame.sender,
    };
}

/**
 * A message as a channel view delivers it (PkWebSocketChannel's names),
 * received at `timestamp`.
 */
export function toChannelMessage(
  channelId: string,
  frame: MsgFrame,
  timestamp: number,
): ChannelMessage {
  return {
    channelId,
    type: frame.event,
    payload: frame.data,
    senderId: frame.sender,
    offset: frame.offset,
    timestamp,
  };
}

/** A presence frame as member listeners receive it, with its event name. */
export function toMemberEvent(
  frame: PresenceFrame,
): [MemberEventName, MemberEvent] {
  return [MEMBER_EVENTS[frame.action], {
    channel: frame.channel,
    member: { id: frame.member.id, data: frame.member.data },
  }];
}

/** A user frame as user-event listeners receive it. */
export function toUserEvent(frame: UserFrame): UserEvent {
  return { event: frame.event, message: frame.data };
}
