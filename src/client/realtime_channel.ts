/**
 * The view of one channel: join it, publish to it, hear what is published
 * in it and watch whether it is live. {@linkcode RealtimeManager.channel}
 * gives one over a shared connection; {@linkcode WebSocketChannel} owns a
 * connection of its own.
 *
 * @module
 */

import type { EventStream } from "../core/event_stream.ts";
import type { RealtimeError } from "./realtime_error.ts";
import type { EventMap, ResyncEvent } from "./realtime_events.ts";
import type { StateStream } from "../core/state_stream.ts";

/**
 * A message published in a channel, as a {@linkcode RealtimeChannel}
 * delivers it on its `messages` stream.
 *
 * @example A listener for a channel's messages
 * ```ts
 * import type { ChannelMessage } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const chat: string[] = [];
 * const onMessage = (m: ChannelMessage) => {
 *   if (m.type === "chat") chat.push(`${m.senderId ?? "server"}: ${m.payload}`);
 * };
 * // room.messages.subscribe(onMessage);
 * onMessage({ channelId: "lobby", type: "chat", payload: "hi", senderId: null, offset: 1, timestamp: 0 });
 * assert.deepEqual(chat, ["server: hi"]);
 * ```
 */
export interface ChannelMessage<
  Payload = unknown,
  Type extends string = string,
> {
  /** The channel it was published in. */
  channelId: string;
  /** The event name it was published under. */
  type: Type;
  /** The published data, typed by the app's event map if it gives one. */
  payload: Payload;
  /** The sender's session id, or `null` when the server itself published. */
  senderId: string | null;
  /** The channel offset the relay gave it, increasing by one per message. */
  offset: number | undefined;
  /** When this client received it, in milliseconds since the epoch. */
  timestamp: number;
}

/**
 * Whether a channel is live, discriminated on `type`:
 *
 * - `"disconnected"`: not joined; `error` says why when a join failed.
 * - `"connecting"`: a join was asked for and not yet acknowledged.
 * - `"connected"`: joined, on an open connection.
 * - `"reconnecting"`: was joined; the connection dropped and the channel
 *   will be joined again when it is back.
 *
 * @example Narrowing a status to show why a join failed
 * ```ts
 * import { type ChannelStatus, RealtimeError, WebSocketChannel } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const describe = (status: ChannelStatus) =>
 *   status.type === "disconnected" && status.error ? `failed: ${status.error.code}` : status.type;
 * await using channel = new WebSocketChannel({ url: "ws://relay.test/ws", channelId: "lobby" });
 * assert.equal(describe(channel.status.value), "disconnected");
 * const refused = new RealtimeError("forbidden", "Not allowed in 'lobby'");
 * assert.equal(describe({ type: "disconnected", error: refused }), "failed: forbidden");
 * ```
 */
export type ChannelStatus =
  | { type: "disconnected"; error?: RealtimeError }
  | { type: "connecting" }
  | { type: "connected" }
  | { type: "reconnecting" };

/**
 * Options for {@linkcode RealtimeChannel.send}: by default a message goes out
 * under the event name `"message"`, echoing as the owner is set to.
 *
 * @example The event name is checked before anything is sent
 * ```ts
 * import { type ChannelSendOptions, RealtimeError, RealtimeManager } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using manager = new RealtimeManager("ws://relay.test/ws", { WebSocket: FakeWebSocket });
 * const options: ChannelSendOptions = { type: "", echo: false };
 * await assert.rejects(
 *   manager.channel("lobby").send({ typing: true }, options),
 *   (error) => error instanceof RealtimeError && error.code === "bad_event",
 * );
 * ```
 */
export interface ChannelSendOptions<Type extends string = string> {
  /**
   * The event name to publish under; it comes back as
   * {@linkcode ChannelMessage.type}.
   * @default {"message"}
   */
  type?: Type;
  /** Whether this client hears its own message; defaults to the owner's setting. */
  echo?: boolean;
}

/**
 * One channel of a realtime connection.
 *
 * @example Publishing in a channel of a manager
 * ```ts
 * import { RealtimeManager, type RealtimeChannel } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * // A fake socket that nobody opens keeps this example offline.
 * const manager = new RealtimeManager("ws://127.0.0.1:8787/ws", {
 *   WebSocket: FakeWebSocket,
 * });
 * const room: RealtimeChannel = manager.channel("room");
 * assert.equal(room.channelId, "room");
 * assert.equal(room.isConnected, false);
 * assert.equal(room.status.value.type, "disconnected");
 * await manager.close();
 * ```
 */
export interface RealtimeChannel<Events extends object = EventMap>
  extends AsyncDisposable {
  /** The channel's name. */
  readonly channelId: string;
  /** Whether the channel is joined on an open connection. */
  readonly isConnected: boolean;
  /** Every message published in the channel from now on. */
  readonly messages: EventStream<ChannelMessageOf<Events>>;
  /** Whether the channel is live; see {@linkcode ChannelStatus}. */
  readonly status: StateStream<ChannelStatus>;
  /**
   * Each time the messages missed while disconnected could not be recovered
   * (the relay restarted, or the client was away past the history window):
   * the channel's state should be fetched afresh.
   */
  readonly resyncs: EventStream<ResyncEvent>;
  /**
   * Joins the channel (and opens the connection if needed); resolves once the
   * relay acknowledges the join, rejects with a `RealtimeError`.
   */
  connect(): Promise<void>;
  /** Leaves the channel; resolves once the relay acknowledges. */
  disconnect(): Promise<void>;
  /** Leaves the channel and ends its streams for good. */
  dispose(): Promise<void>;
  /**
   * Publishes `payload` under the event `options.type` (`"message"` by
   * default); resolves once the relay acknowledges, rejects with a
   * `RealtimeError`. With an event map, `payload` must be that event's type,
   * and `options.type` is required unless the map has a `message` event.
   */
  send<K extends keyof Events & string>(
    payload: Events[K],
    ...options: SendArguments<K>
  ): Promise<void>;
}

/**
 * A {@linkcode ChannelMessage} of any of the app's events: a union with one
 * member per event name, so checking `type` narrows `payload`. With the
 * default {@linkcode EventMap}, a `ChannelMessage` whose payload is `unknown`.
 *
 * @example Narrowing by the event name
 * ```ts
 * import type { ChannelMessageOf } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * type Events = { chat: { text: string }; typing: { on: boolean } };
 * function show(message: ChannelMessageOf<Events>): string {
 *   return message.type === "chat"
 *     ? message.payload.text
 *     : message.payload.on ? "typing…" : "";
 * }
 * const base = { channelId: "lobby", senderId: "s1", offset: 1, timestamp: 0 };
 * assert.equal(show({ ...base, type: "chat", payload: { text: "hi" } }), "hi");
 * ```
 */
export type ChannelMessageOf<Events extends object = EventMap> = {
  [K in keyof Events & string]: ChannelMessage<Events[K], K>;
}[keyof Events & string];

/**
 * The options argument of {@linkcode RealtimeChannel.send} for the event
 * `K`: optional when `K` may be `"message"` (the default event), else
 * required, with `type`.
 *
 * @example The options a typed channel's send wants
 * ```ts
 * import type { SendArguments } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const chat: SendArguments<"chat"> = [{ type: "chat" }];
 * const message: SendArguments<"message"> = [];
 * assert.equal(chat[0].type, "chat");
 * assert.equal(message.length, 0);
 * ```
 */
export type SendArguments<K extends string> = "message" extends K
  ? [options?: ChannelSendOptions<K>]
  : [options: ChannelSendOptions<K> & { type: K }];
