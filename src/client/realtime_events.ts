/**
 * What a {@linkcode RealtimeManager} tells its listeners: the payloads of
 * messages, member events and user events, in the names Altogic's realtime
 * client gives them (`{ channel, event, message, senderId }`), the listener
 * types, and {@linkcode RealtimeManagerEvents}, the one map of every event
 * the manager emits to the type of its payload.
 *
 * @module
 */

import type { Member, RecoveryFailure } from "../protocol/mod.ts";

/**
 * The app's events: a map from event name to the type of the data published
 * under it, in both directions (what the app sends and what it hears). Give
 * one to {@linkcode RealtimeManager} (and its channel views) as a type
 * parameter and listeners receive typed data, while a publish with an event
 * name not in the map, or data of the wrong shape, does not compile. Without
 * one, every event name is allowed and every payload is `unknown`. A type
 * alias or an interface both fit.
 *
 * @example An app's events, and what they type
 * ```ts
 * import type { EventMap, RealtimeMessage } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * interface ChatEvents {
 *   chat: { text: string };
 *   typing: { on: boolean };
 * }
 * const heard: RealtimeMessage<ChatEvents["chat"], "chat"> = {
 *   channel: "lobby",
 *   event: "chat",
 *   message: { text: "hi" },
 *   senderId: "s1",
 * };
 * assert.equal(heard.message.text, "hi"); // no cast
 * const untyped: EventMap = { anything: 1 };
 * assert.ok("anything" in untyped);
 * ```
 */
export type EventMap = Record<string, unknown>;

/**
 * A message published in a channel, or app-wide, as listeners receive it.
 *
 * @example Telling a broadcast from a channel message
 * ```ts
 * import type { RealtimeMessage } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const where = (m: RealtimeMessage) => m.channel ?? "everyone";
 * const message: RealtimeMessage = {
 *   channel: "lobby",
 *   event: "chat",
 *   message: { text: "hi" },
 *   senderId: "s1",
 *   offset: 7,
 * };
 * assert.equal(where(message), "lobby");
 * assert.equal(where({ ...message, channel: null, offset: undefined }), "everyone");
 * ```
 */
export interface RealtimeMessage<
  Message = unknown,
  Event extends string = string,
> {
  /** The channel, or `null` for an app-wide broadcast. */
  channel: string | null;
  /** The event name it was published under. */
  event: Event;
  /** The published data, typed by the app's event map if it gives one. */
  message: Message;
  /** The sender's session id, or `null` when the server itself sent it. */
  senderId: string | null;
  /** The channel offset the relay gave it; absent for broadcasts. */
  offset?: number;
}

/**
 * A member joined, left or updated its profile in a channel.
 *
 * @example Reading a member's profile from a join
 * ```ts
 * import type { MemberEvent } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const event: MemberEvent = { channel: "lobby", member: { id: "s2", data: { name: "Ada" } } };
 * const { name } = event.member.data as { name: string };
 * assert.equal(`${name} joined ${event.channel}`, "Ada joined lobby");
 * ```
 */
export interface MemberEvent<Profile = unknown> {
  /** The channel. */
  channel: string;
  /** The member: its session id and its profile. */
  member: Member<Profile>;
}

/**
 * An event the server addressed to this client's user.
 *
 * @example A notification sent to the user
 * ```ts
 * import type { UserEvent } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const event: UserEvent = { event: "notification", message: { unread: 3 } };
 * assert.deepEqual(event.message, { unread: 3 });
 * ```
 */
export interface UserEvent {
  /** The event name. */
  event: string;
  /** The event's data. */
  message: unknown;
}

/**
 * The event names under which {@linkcode RealtimeManager.onAny} hears member
 * events.
 *
 * @example Telling member events from messages in an onAny listener
 * ```ts
 * import type { MemberEventName } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const names: MemberEventName[] = ["channel:join", "channel:leave", "channel:update"];
 * const isMemberEvent = (name: string): name is MemberEventName =>
 *   (names as string[]).includes(name);
 * assert.equal(isMemberEvent("channel:join"), true);
 * assert.equal(isMemberEvent("chat"), false);
 * ```
 */
export type MemberEventName =
  | "channel:join"
  | "channel:leave"
  | "channel:update";

/**
 * Receives messages published under one event name; see
 * {@linkcode RealtimeManager.on}.
 *
 * @example A chat listener
 * ```ts
 * import type { MessageListener } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const onChat: MessageListener = ({ senderId, message }) =>
 *   lines.push(`${senderId}: ${(message as { text: string }).text}`);
 * onChat({ channel: "lobby", event: "chat", message: { text: "hi" }, senderId: "s1" });
 * assert.deepEqual(lines, ["s1: hi"]);
 * ```
 */
export type MessageListener<Message = unknown, Event extends string = string> =
  (
    payload: RealtimeMessage<Message, Event>,
  ) => void;
/**
 * Receives member events; see {@linkcode RealtimeManager.onJoin}.
 *
 * @example Keeping a member list
 * ```ts
 * import type { MemberListener } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const online = new Set<string>();
 * const onJoin: MemberListener = ({ member }) => online.add(member.id);
 * onJoin({ channel: "lobby", member: { id: "s2", data: null } });
 * assert.deepEqual([...online], ["s2"]);
 * ```
 */
export type MemberListener<Profile = unknown> = (
  payload: MemberEvent<Profile>,
) => void;
/**
 * Receives user events; see {@linkcode RealtimeManager.onUserEvent}.
 *
 * @example Counting notifications
 * ```ts
 * import type { UserEventListener } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * let unread = 0;
 * const onUserEvent: UserEventListener = ({ event }) => {
 *   if (event === "notification") unread++;
 * };
 * onUserEvent({ event: "notification", message: {} });
 * assert.equal(unread, 1);
 * ```
 */
export type UserEventListener = (payload: UserEvent) => void;
/**
 * Receives every message and member event, with its event name; see
 * {@linkcode RealtimeManager.onAny}.
 *
 * @example Logging everything
 * ```ts
 * import type { AnyListener } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const log: string[] = [];
 * const onAny: AnyListener = (eventName, payload) => log.push(`${eventName} in ${payload.channel}`);
 * onAny("channel:join", { channel: "lobby", member: { id: "s2", data: null } });
 * onAny("chat", { channel: "lobby", event: "chat", message: "hi", senderId: "s2" });
 * assert.deepEqual(log, ["channel:join in lobby", "chat in lobby"]);
 * ```
 */
export type AnyListener<Profile = unknown, Events extends object = EventMap> = (
  eventName: string,
  payload: RealtimeMessage<Events[keyof Events]> | MemberEvent<Profile>,
) => void;

/**
 * Every event a {@linkcode RealtimeManager} emits, mapped to its payload
 * type; each listener method of the manager adds a listener to one entry:
 *
 * | event | payload | listener method |
 * |---|---|---|
 * | `message` | {@linkcode RealtimeMessage} | `on(eventName)`, `once(eventName)`, under the message's event name |
 * | `channel:join`, `channel:leave`, `channel:update` | {@linkcode MemberEvent} | `onJoin`, `onLeave`, `onUpdate` |
 * | `any` | `[eventName, payload]` | `onAny`: every message and member event |
 * | `user` | {@linkcode UserEvent} | `onUserEvent`, all or under the event's name |
 * | `connect` | `undefined` | `onConnect` |
 * | `disconnect` | the reason | `onDisconnect` |
 * | `reconnectAttempt` | the attempt number | `onReconnectAttempt` |
 * | `error` | `Error` | `onError` |
 *
 * Every listener method returns a function that removes the listener and
 * takes `{ signal }`, an `AbortSignal` that removes it when aborted.
 *
 * @example A typed logger for the manager's connection events
 * ```ts
 * import type { RealtimeManagerEvents } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * function log<K extends keyof RealtimeManagerEvents>(name: K, payload: RealtimeManagerEvents[K]): void {
 *   lines.push(`${name} ${String(payload)}`);
 * }
 * // manager.onDisconnect((reason) => log("disconnect", reason));
 * log("disconnect", "closed with code 1006");
 * log("reconnectAttempt", 1);
 * assert.deepEqual(lines, ["disconnect closed with code 1006", "reconnectAttempt 1"]);
 * ```
 */
export interface RealtimeManagerEvents {
  /** A message published in a joined channel, or app-wide. */
  message: RealtimeMessage;
  /** A member joined a channel this client is in. */
  "channel:join": MemberEvent;
  /** A member left, or dropped from, a channel this client is in. */
  "channel:leave": MemberEvent;
  /** A member of a channel this client is in updated its profile. */
  "channel:update": MemberEvent;
  /** Every message and member event, with its event name. */
  any: [eventName: string, payload: RealtimeMessage | MemberEvent];
  /** An event the server sent to this client's user. */
  user: UserEvent;
  /** The relay welcomed a connection: the first one or a reconnect. */
  connect: undefined;
  /** A welcomed connection ended, for the reason given. */
  disconnect: string;
  /** The attempt number (1, 2, …) of the reconnection about to start. */
  reconnectAttempt: number;
  /**
   * A connection failure, an error the relay reported outside any request,
   * or an error a listener threw.
   */
  error: Error;
  /**
   * A channel's missed messages (or, with `channel` null, the app-wide
   * ones) could not be recovered after a reconnect.
   */
  resync: ResyncEvent;
}

/**
 * A channel whose missed messages could not be recovered, and why:
 * `history_lost` (the relay restarted, or the channel's history expired)
 * or `too_far_behind` (away longer than the relay's history window). The
 * messages after the rejoin arrive as usual; what was missed is gone, so
 * an app refetches the channel's state.
 *
 * @example Refetching after a resync
 * ```ts
 * import type { ResyncEvent } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const refetched: (string | null)[] = [];
 * const onResync = ({ channel }: ResyncEvent) => refetched.push(channel);
 * onResync({ channel: "room", reason: "history_lost" });
 * onResync({ channel: null, reason: "history_lost" });
 * assert.deepEqual(refetched, ["room", null]);
 * ```
 */
export interface ResyncEvent {
  /** The channel, or `null` for app-wide messages (`broadcast`). */
  channel: string | null;
  /** Why its missed messages are gone. */
  reason: RecoveryFailure;
}
