/**
 * {@linkcode RealtimeManager}: channels, presence, app-wide broadcast and
 * per-user events over one resilient connection to a lifeline relay.
 *
 * Every request (join, leave, publish, members, profile) resolves on the
 * relay's acknowledgement and rejects with a coded {@linkcode RealtimeError}.
 * While the connection is down, requests wait in an ordered queue. When it is
 * back, the manager says `hello` with its previous session id (so the relay
 * resumes the session and drops resent duplicates), joins its channels again,
 * and only then sends what waited, oldest first, together with the publishes
 * that were in flight when the connection dropped.
 *
 * @module
 */

import { checkBoolean, checkNumber, optionMessage } from "../core/_options.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import {
  decodeRelayFrame,
  type ErrorBody,
  isChannelName,
  isEventName,
  MAX_EVENT_LENGTH,
  type Member,
  type MsgFrame,
  type PresenceFrame,
  PROTOCOL_VERSION,
  type RelayLimits,
  RESERVED_EVENT_PREFIX,
  type UserFrame,
} from "../protocol/mod.ts";
import { byteLength } from "../core/byte_length.ts";
import { noop } from "../core/event_stream.ts";
import type { RealtimeChannel } from "./realtime_channel.ts";
import { RealtimeError } from "./realtime_error.ts";
import {
  type ConnectionState,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
} from "../socket/reconnecting_websocket.ts";
import { type ChannelHost, ManagerChannel } from "./_manager_channel.ts";

/**
 * Gives the access token for the next connection attempt; `undefined` for
 * none. It is called before every attempt, so it can refresh an expired
 * token.
 *
 * @example A token fetched before each attempt, sent in the URL
 * ```ts
 * import { RealtimeManager, type TokenProvider } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const urls: string[] = [];
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   constructor(url: string) {
 *     super();
 *     urls.push(url);
 *   }
 *   send() {}
 *   close() {}
 * }
 * const token: TokenProvider = () => Promise.resolve("abc");
 * await using _manager = new RealtimeManager("ws://relay.test/ws", { token, WebSocket: NeverOpens });
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.deepEqual(urls, ["ws://relay.test/ws?token=abc"]);
 * ```
 */
export type TokenProvider = () =>
  | string
  | undefined
  | Promise<string | undefined>;

/**
 * Options for {@linkcode RealtimeManager}. The socket options (`backoff`,
 * `timeout`, `maxRetries`, `keepalive`, `WebSocket`, `clock`, `random`,
 * `signal`, …) are handed to the {@linkcode ReconnectingWebSocket}
 * underneath; its send buffer is always off, since the manager keeps its own
 * ordered queue.
 *
 * @example Rejecting publishes at once while disconnected
 * ```ts
 * import {
 *   RealtimeError,
 *   RealtimeManager,
 *   type RealtimeManagerOptions,
 * } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * class NeverOpens extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   extensions = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   send() {}
 *   close() {}
 * }
 *
 * const options: RealtimeManagerOptions = {
 *   bufferMessages: false,
 *   echoMessages: false,
 *   ackTimeout: 5000,
 *   WebSocket: NeverOpens, // globalThis.WebSocket by default
 * };
 * await using manager = new RealtimeManager("ws://relay.test/ws", options);
 * await assert.rejects(
 *   manager.broadcast("news", { text: "hi" }),
 *   (error) => error instanceof RealtimeError && error.code === "not_connected",
 * );
 * ```
 */
export interface RealtimeManagerOptions
  extends Omit<ReconnectingWebSocketOptions, "buffer"> {
  /**
   * Whether this client receives its own messages and presence events. Each
   * call's `echo` argument overrides it.
   * @default {true}
   */
  echoMessages?: boolean;
  /**
   * Whether publishes made while disconnected wait for the connection
   * (`true`) or reject at once with code `"not_connected"` (`false`).
   * @default {true}
   */
  bufferMessages?: boolean;
  /**
   * Whether the manager joins its channels again, and restores its profile,
   * after a reconnect. With `false`, the app joins again in `onConnect`.
   * @default {true}
   */
  autoJoinChannels?: boolean;
  /**
   * An access token, or a function that returns one before each connection
   * attempt; sent as the `token` query parameter of the URL.
   */
  token?: string | TokenProvider;
  /** The member profile to start with, as others see it in presence events. */
  profile?: unknown;
  /**
   * Milliseconds to wait for the relay to acknowledge a request once sent,
   * before rejecting it with code `"timeout"`.
   * @default {10000}
   */
  ackTimeout?: number;
  /**
   * The most requests that may wait for a connection; more reject with code
   * `"buffer_full"`.
   * @default {1000}
   */
  maxQueued?: number;
}

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
export interface RealtimeMessage {
  /** The channel, or `null` for an app-wide broadcast. */
  channel: string | null;
  /** The event name it was published under. */
  event: string;
  /** The published data. */
  message: unknown;
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
export interface MemberEvent {
  /** The channel. */
  channel: string;
  /** The member: its session id and its profile. */
  member: Member;
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
export type MessageListener = (payload: RealtimeMessage) => void;
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
export type MemberListener = (payload: MemberEvent) => void;
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
export type AnyListener = (
  eventName: string,
  payload: RealtimeMessage | MemberEvent,
) => void;

type Op =
  | { type: "join"; channel: string; echo: boolean }
  | { type: "leave"; channel: string; echo: boolean }
  | {
    type: "pub";
    channel: string | null;
    event: string;
    data: unknown;
    echo: boolean;
    mid: string;
  }
  | { type: "update"; profile: unknown; echo: boolean }
  | { type: "members"; channel: string };

/** A request to the relay, from the call that made it to its ack. */
interface Request {
  op: Op;
  /** The frame's JSON without `ref`, encoded once. */
  body: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** The `ref` it was last sent with; 0 while not in flight. */
  ref: number;
  timer: TimerId | undefined;
  /** A join the manager made itself after a reconnect. */
  internal: boolean;
  /** Joins of the same channel made while this one was in flight. */
  followers: Request[];
  /** For a join: the membership entry it created. */
  entry?: Membership;
}

interface Membership {
  echo: boolean;
}

interface Registration<A extends unknown[]> {
  listener: (...args: A) => void;
  once: boolean;
}

/** Listeners of one event, copied on write so that emitting is safe against changes. */
class Listeners<A extends unknown[]> {
  #list: Registration<A>[] = [];

  get size(): number {
    return this.#list.length;
  }

  add(listener: (...args: A) => void, once = false): () => void {
    assertFunction(listener);
    const registration = { listener, once };
    this.#list = [...this.#list, registration];
    return () => {
      this.#list = this.#list.filter((r) => r !== registration);
    };
  }

  remove(listener?: (...args: A) => void): void {
    this.#list = listener === undefined
      ? []
      : this.#list.filter((r) => r.listener !== listener);
  }

  /** Calls each listener through `call`, dropping `once` listeners first. */
  emit(
    call: (listener: (...args: A) => void, ...args: A) => void,
    ...args: A
  ): void {
    const list = this.#list;
    if (list.some((r) => r.once)) this.#list = list.filter((r) => !r.once);
    for (const { listener } of list) call(listener, ...args);
  }
}

type Phase = "offline" | "hello" | "rejoin" | "ready";

const DEFAULT_ACK_TIMEOUT = 10_000;
const MEMBER_EVENTS: Readonly<
  Record<PresenceFrame["action"], MemberEventName>
> = {
  join: "channel:join",
  leave: "channel:leave",
  update: "channel:update",
};
// Room for `"ref":<up to 16 digits>,` when the ref is spliced into a body.
const REF_OVERHEAD = 24;

/**
 * A realtime client for a lifeline relay: join channels, publish to them or
 * to everyone, see who is in a channel, and hear messages, member events and
 * user events, over one connection that reconnects by itself.
 *
 * `url` is the relay's WebSocket endpoint itself (`ws://host:8787/ws`); the
 * manager adds only a `token` query parameter when `token` is set. The
 * constructor starts connecting. {@linkcode RealtimeManager.isConnected} is
 * true from the relay's `welcome` until the connection drops.
 *
 * Defaults: messages echo to their sender, publishes made while disconnected
 * wait for the connection, channels are joined again after a reconnect, and
 * a request not acknowledged within 10 s rejects with code `"timeout"`.
 *
 * @example Joining and publishing, against a fake relay
 * ```ts
 * import { RealtimeManager } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * // A stand-in for the relay: welcomes, then acknowledges every request.
 * class FakeRelaySocket extends EventTarget {
 *   readyState = 0;
 *   protocol = "";
 *   bufferedAmount = 0;
 *   binaryType = "blob";
 *   constructor(public url: string) {
 *     super();
 *     queueMicrotask(() => {
 *       this.readyState = 1;
 *       this.dispatchEvent(new Event("open"));
 *     });
 *   }
 *   send(text: string): void {
 *     if (text === "ping") return this.#reply("pong");
 *     const frame = JSON.parse(text);
 *     if (frame.type === "hello") {
 *       this.#reply(JSON.stringify({
 *         type: "welcome", v: 1, session: "s1", limits: {}, heartbeat: {},
 *       }));
 *     } else {
 *       this.#reply(JSON.stringify({ type: "ack", ref: frame.ref, ok: true }));
 *     }
 *   }
 *   close(code = 1000, reason = ""): void {
 *     this.readyState = 3;
 *     queueMicrotask(() =>
 *       this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: true }))
 *     );
 *   }
 *   #reply(data: string): void {
 *     queueMicrotask(() =>
 *       this.dispatchEvent(new MessageEvent("message", { data }))
 *     );
 *   }
 * }
 *
 * await using manager = new RealtimeManager("ws://127.0.0.1:8787/ws", {
 *   WebSocket: FakeRelaySocket as unknown as typeof WebSocket,
 * });
 * await manager.join("lobby");
 * await manager.send("lobby", "chat", { text: "hi" });
 * assert.equal(manager.isConnected(), true);
 * assert.equal(manager.getSocketId(), "s1");
 * ```
 */
export class RealtimeManager implements AsyncDisposable {
  #socket: ReconnectingWebSocket;
  #clock: Clock;
  #echo: boolean;
  #buffer: boolean;
  #autoJoin: boolean;
  #ackTimeout: number;
  #maxQueued: number;

  #phase: Phase = "offline";
  #closed = false;
  #session: string | null = null;
  #limits: RelayLimits | undefined;
  #profile: { value: unknown } | undefined;
  #membership: Map<string, Membership> = new Map();
  #joining: Map<string, Request> = new Map();
  #inflight: Map<number, Request> = new Map();
  #queue: Request[] = [];
  #rejoins = 0;
  #ref = 0;
  #mid = 0;
  #helloTimer: TimerId | undefined;
  #byeReason: string | undefined;

  #events: Map<string, Listeners<[RealtimeMessage]>> = new Map();
  #any: Listeners<[string, RealtimeMessage | MemberEvent]> = new Listeners();
  #members: Record<MemberEventName, Listeners<[MemberEvent]>> = {
    "channel:join": new Listeners(),
    "channel:leave": new Listeners(),
    "channel:update": new Listeners(),
  };
  #user: Map<string | null, Listeners<[UserEvent]>> = new Map();
  #onConnect: Listeners<[]> = new Listeners();
  #onDisconnect: Listeners<[string]> = new Listeners();
  #onError: Listeners<[Error]> = new Listeners();
  #onReconnectAttempt: Listeners<[number]> = new Listeners();
  #callListener = <A extends unknown[]>(
    listener: (...args: A) => void,
    ...args: A
  ): void => {
    try {
      listener(...args);
    } catch (error) {
      this.#reportError(error);
    }
  };
  #views: Map<string, ManagerChannel> = new Map();
  #host: ChannelHost;

  /**
   * Creates the manager and starts connecting.
   *
   * @param url The relay's WebSocket endpoint, such as `ws://host:8787/ws`.
   * @param options See {@linkcode RealtimeManagerOptions}.
   */
  constructor(url: string | URL, options: RealtimeManagerOptions = {}) {
    const {
      echoMessages = true,
      bufferMessages = true,
      autoJoinChannels = true,
      token,
      profile,
      ackTimeout = DEFAULT_ACK_TIMEOUT,
      maxQueued = 1000,
      ...socketOptions
    } = options;
    const owner = "RealtimeManager";
    let endpoint: URL;
    try {
      endpoint = new URL(url);
    } catch (cause) {
      const must = "be a WebSocket URL";
      throw new TypeError(optionMessage(owner, "url", must, url), { cause });
    }
    this.#echo = checkBoolean(owner, "echoMessages", echoMessages);
    this.#buffer = checkBoolean(owner, "bufferMessages", bufferMessages);
    this.#autoJoin = checkBoolean(owner, "autoJoinChannels", autoJoinChannels);
    if (
      token !== undefined && typeof token !== "string" &&
      typeof token !== "function"
    ) {
      const must = "be a string or a function";
      throw new TypeError(optionMessage(owner, "token", must, token));
    }
    this.#ackTimeout = checkNumber(owner, "ackTimeout", ackTimeout, {
      positive: true,
    });
    this.#maxQueued = checkNumber(owner, "maxQueued", maxQueued, { min: 0 });
    this.#clock = socketOptions.clock ?? systemClock;
    if (profile !== undefined) this.#profile = { value: profile };
    this.#host = {
      clock: this.#clock,
      state: (channel) => this.#channelState(channel),
      join: (channel) => this.join(channel),
      leave: (channel) => this.leave(channel),
      send: (channel, event, data, echo) =>
        this.send(channel, event, data, echo),
      release: (view) => {
        if (this.#views.get(view.channelId) === view) {
          this.#views.delete(view.channelId);
        }
      },
    };
    this.#socket = new ReconnectingWebSocket(
      token === undefined ? endpoint : withToken(endpoint, token),
      { ...socketOptions, buffer: false },
    );
    this.#socket.connection.subscribe((state) => this.#onState(state));
    this.#socket.messages.subscribe((data) => this.#onMessage(data));
  }

  // ------------------------------------------------------------ connection

  /**
   * Reconnects after {@linkcode RealtimeManager.close}; otherwise does
   * nothing. Never throws: connection failures are reported to
   * {@linkcode RealtimeManager.onError} listeners.
   */
  open(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#byeReason = undefined;
    this.#socket.reconnect();
  }

  /**
   * Closes the connection for good, until {@linkcode RealtimeManager.open}.
   * Requests still waiting reject with code `"closed"`. The channels and
   * profile are kept, to be restored by `open()` when `autoJoinChannels` is
   * on.
   *
   * @param code The WebSocket close code.
   * @param reason The close reason.
   */
  async close(code?: number, reason?: string): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#dropped(reason ?? this.#byeReason ?? "closed");
      this.#failAll("The manager was closed");
    }
    await this.#socket.close(code, reason);
  }

  /** Whether the relay has welcomed this connection and it has not dropped since. */
  isConnected(): boolean {
    return this.#phase === "rejoin" || this.#phase === "ready";
  }

  /**
   * The session id the relay gave this connection, which is also its member
   * id in channels; `null` while not connected.
   */
  getSocketId(): string | null {
    return this.isConnected() ? this.#session : null;
  }

  /** Closes the manager; the same as {@linkcode RealtimeManager.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ------------------------------------------------------------ channels

  /**
   * Joins `channel`; resolves once the relay acknowledges. Joining a channel
   * already joined (or being joined) sends nothing more. While disconnected
   * the join waits for the connection.
   *
   * @param channel The channel's name.
   * @param echo Whether this client hears its own `channel:join`; defaults
   * to `echoMessages`.
   */
  join(channel: string, echo?: boolean): Promise<void> {
    return this.#request(() => {
      this.#checkChannel(channel);
      return { type: "join", channel, echo: this.#echoFor(echo) };
    });
  }

  /**
   * Leaves `channel`; resolves once the relay acknowledges, at once if the
   * channel is not joined.
   *
   * @param channel The channel's name.
   * @param echo Whether this client hears its own `channel:leave`; defaults
   * to `echoMessages`.
   */
  leave(channel: string, echo?: boolean): Promise<void> {
    return this.#request(() => {
      this.#checkChannel(channel);
      return { type: "leave", channel, echo: this.#echoFor(echo) };
    });
  }

  /**
   * The members of `channel`, each with its session id and profile, as the
   * relay knows them now.
   *
   * @param channel The channel's name.
   */
  getMembers(channel: string): Promise<Member[]> {
    return this.#request(() => {
      this.#checkChannel(channel);
      return { type: "members", channel };
    });
  }

  /**
   * Replaces this client's profile in every channel it is in, and in the
   * channels it joins later; members hear `channel:update`.
   *
   * @param data The new profile; any JSON value.
   * @param echo Whether this client hears its own `channel:update`; defaults
   * to `echoMessages`.
   */
  updateProfile(data: unknown, echo?: boolean): Promise<void> {
    return this.#request(() => ({
      type: "update",
      profile: data ?? null,
      echo: this.#echoFor(echo),
    }));
  }

  /**
   * A view of one channel over this manager's connection: its messages and
   * status as streams, `connect()` to join and `send()` to publish. The same
   * view is returned for the same name until it is disposed.
   *
   * @param channelId The channel's name.
   */
  channel(channelId: string): RealtimeChannel {
    let view = this.#views.get(channelId);
    if (!view) {
      view = new ManagerChannel(channelId, this.#host);
      this.#views.set(channelId, view);
    }
    return view;
  }

  // ------------------------------------------------------------ messages

  /**
   * Publishes `message` under `eventName` to the members of `channel`;
   * resolves once the relay acknowledges. A publish made while disconnected
   * waits for the connection (or rejects with `"not_connected"` when
   * `bufferMessages` is off); one in flight when the connection drops is
   * sent again, and the relay delivers it once.
   *
   * @param channel The channel's name.
   * @param eventName The event name listeners subscribe to.
   * @param message The data; any JSON value.
   * @param echo Whether this client receives its own message; defaults to
   * `echoMessages`.
   */
  send(
    channel: string,
    eventName: string,
    message: unknown,
    echo?: boolean,
  ): Promise<void> {
    return this.#request(() => {
      this.#checkChannel(channel);
      return this.#pub(channel, eventName, message, echo);
    });
  }

  /**
   * Publishes `message` under `eventName` to every connection of the app,
   * joined to a channel or not; listeners see `channel: null`.
   *
   * @param eventName The event name listeners subscribe to.
   * @param message The data; any JSON value.
   * @param echo Whether this client receives its own message; defaults to
   * `echoMessages`.
   */
  broadcast(
    eventName: string,
    message: unknown,
    echo?: boolean,
  ): Promise<void> {
    return this.#request(() => this.#pub(null, eventName, message, echo));
  }

  // ------------------------------------------------------------ listeners

  /**
   * Calls `listener` with every message published under `eventName`, in a
   * joined channel or app-wide.
   *
   * @returns A function that removes the listener.
   */
  on(eventName: string, listener: MessageListener): () => void {
    return this.#eventListeners(eventName).add(listener);
  }

  /**
   * Like {@linkcode RealtimeManager.on}, for the next message only.
   *
   * @returns A function that removes the listener.
   */
  once(eventName: string, listener: MessageListener): () => void {
    return this.#eventListeners(eventName).add(listener, true);
  }

  /**
   * Removes `listener` from `eventName`, or every listener of `eventName`
   * when `listener` is omitted.
   */
  off(eventName: string, listener?: MessageListener): void {
    const listeners = this.#events.get(eventName);
    listeners?.remove(listener);
    if (listeners?.size === 0) this.#events.delete(eventName);
  }

  /**
   * Calls `listener` with every message and member event, with its event
   * name (`channel:join`, `channel:leave` and `channel:update` for member
   * events).
   *
   * @returns A function that removes the listener.
   */
  onAny(listener: AnyListener): () => void {
    return this.#any.add(listener);
  }

  /** Removes `listener`, or every `onAny` listener when it is omitted. */
  offAny(listener?: AnyListener): void {
    this.#any.remove(listener);
  }

  /**
   * Calls `listener` when a member joins a channel this client is in
   * (event `channel:join`).
   *
   * @returns A function that removes the listener.
   */
  onJoin(listener: MemberListener): () => void {
    return this.#members["channel:join"].add(listener);
  }

  /**
   * Calls `listener` when a member leaves, or drops from, a channel this
   * client is in (event `channel:leave`).
   *
   * @returns A function that removes the listener.
   */
  onLeave(listener: MemberListener): () => void {
    return this.#members["channel:leave"].add(listener);
  }

  /**
   * Calls `listener` when a member of a channel this client is in updates
   * its profile (event `channel:update`).
   *
   * @returns A function that removes the listener.
   */
  onUpdate(listener: MemberListener): () => void {
    return this.#members["channel:update"].add(listener);
  }

  /**
   * Calls `listener` with every event the server sends to this client's
   * user (to all of that user's connections).
   *
   * @returns A function that removes the listener.
   */
  onUserEvent(listener: UserEventListener): () => void;
  /**
   * Calls `listener` with the user events named `eventName`.
   *
   * @returns A function that removes the listener.
   */
  onUserEvent(eventName: string, listener: UserEventListener): () => void;
  onUserEvent(
    eventOrListener: string | UserEventListener,
    maybeListener?: UserEventListener,
  ): () => void {
    const [key, listener] = typeof eventOrListener === "function"
      ? [null, eventOrListener]
      : [eventOrListener, maybeListener];
    let listeners = this.#user.get(key);
    if (!listeners) this.#user.set(key, listeners = new Listeners());
    return listeners.add(listener as UserEventListener);
  }

  /**
   * Calls `listener` each time the relay welcomes a connection, the first
   * one and every reconnect.
   *
   * @returns A function that removes the listener.
   */
  onConnect(listener: () => void): () => void {
    return this.#onConnect.add(listener);
  }

  /**
   * Calls `listener` with a reason each time a welcomed connection ends.
   *
   * @returns A function that removes the listener.
   */
  onDisconnect(listener: (reason: string) => void): () => void {
    return this.#onDisconnect.add(listener);
  }

  /**
   * Calls `listener` with connection failures, errors the relay reports
   * outside any request, and errors thrown by other listeners.
   *
   * @returns A function that removes the listener.
   */
  onError(listener: (error: Error) => void): () => void {
    return this.#onError.add(listener);
  }

  /**
   * Calls `listener` with the attempt number (1, 2, …) before each
   * reconnection attempt.
   *
   * @returns A function that removes the listener.
   */
  onReconnectAttempt(listener: (attempt: number) => void): () => void {
    return this.#onReconnectAttempt.add(listener);
  }

  // ------------------------------------------------------------ requests

  #echoFor(echo: boolean | undefined): boolean {
    if (echo === undefined) return this.#echo;
    if (typeof echo !== "boolean") {
      throw new TypeError(
        `Cannot send as 'echo' must be a boolean: current value is ${
          String(echo)
        }`,
      );
    }
    return echo;
  }

  #checkChannel(channel: unknown): void {
    if (
      !isChannelName(channel, this.#limits?.channelLength ?? Infinity)
    ) {
      throw new RealtimeError(
        "bad_channel",
        `Invalid channel name: ${JSON.stringify(channel) ?? String(channel)}`,
      );
    }
  }

  #pub(
    channel: string | null,
    event: string,
    data: unknown,
    echo: boolean | undefined,
  ): Op {
    if (!isEventName(event)) {
      throw new RealtimeError(
        "bad_event",
        `The event name must be a string of 1 to ${MAX_EVENT_LENGTH} characters, not starting with '${RESERVED_EVENT_PREFIX}'`,
      );
    }
    return {
      type: "pub",
      channel,
      event,
      data,
      echo: this.#echoFor(echo),
      mid: String(++this.#mid),
    };
  }

  /** Builds a request and sends it, queues it, or rejects it; never throws. */
  #request<T>(build: () => Op): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let op: Op;
      let body: string;
      try {
        op = build();
        // Each op is its frame without `ref`; `#send` splices the ref in.
        body = JSON.stringify(op);
      } catch (error) {
        reject(error);
        return;
      }
      const request: Request = {
        op,
        body,
        resolve: resolve as (value: unknown) => void,
        reject,
        ref: 0,
        timer: undefined,
        internal: false,
        followers: [],
      };
      if (this.#closed) {
        reject(new RealtimeError("closed", "The manager is closed"));
      } else if (this.#phase === "ready") {
        this.#dispatch(request);
      } else if (op.type === "pub" && !this.#buffer && !this.isConnected()) {
        reject(
          new RealtimeError(
            "not_connected",
            "Not connected, and bufferMessages is off",
          ),
        );
      } else if (this.#queue.length >= this.#maxQueued) {
        reject(
          new RealtimeError(
            "buffer_full",
            `${this.#queue.length} requests already wait for the connection`,
          ),
        );
      } else {
        this.#queue.push(request);
        if (op.type === "join") this.#refreshView(op.channel);
      }
    });
  }

  /** Sends a request on the ready connection, or settles it at once when nothing needs sending. */
  #dispatch(request: Request): void {
    const { op } = request;
    if (op.type === "join") {
      if (this.#membership.has(op.channel)) {
        const leader = this.#joining.get(op.channel);
        if (leader) leader.followers.push(request);
        else request.resolve(undefined);
        return;
      }
      request.entry = { echo: op.echo };
      this.#membership.set(op.channel, request.entry);
      this.#joining.set(op.channel, request);
      this.#send(request);
      this.#refreshView(op.channel);
      return;
    }
    if (op.type === "leave") {
      // The connection that joined it is gone, and the relay with it.
      if (!this.#membership.delete(op.channel)) {
        request.resolve(undefined);
        return;
      }
      this.#send(request);
      this.#refreshView(op.channel);
      return;
    }
    this.#send(request);
  }

  #send(request: Request): void {
    const size = byteLength(request.body) + REF_OVERHEAD;
    if (this.#limits && size > this.#limits.frameBytes) {
      this.#settle(
        request,
        new RealtimeError(
          "too_large",
          `The frame is ${size} bytes; the relay accepts ${this.#limits.frameBytes}`,
        ),
        undefined,
      );
      return;
    }
    const ref = ++this.#ref;
    request.ref = ref;
    this.#inflight.set(ref, request);
    request.timer = this.#clock.setTimeout(() => {
      request.timer = undefined;
      if (this.#inflight.get(ref) !== request) return;
      this.#inflight.delete(ref);
      request.ref = 0;
      this.#settle(
        request,
        new RealtimeError(
          "timeout",
          `The relay did not answer within ${this.#ackTimeout} ms`,
        ),
        undefined,
      );
    }, this.#ackTimeout);
    // A send refused by a closing socket is sent again after the reconnect:
    // the drop that refused it requeues everything in flight.
    this.#socket.send(`{"ref":${ref},${request.body.slice(1)}`);
  }

  /** Settles a request with the relay's answer, keeping membership in step. */
  #settle(request: Request, error: RealtimeError | null, data: unknown): void {
    if (request.timer !== undefined) {
      this.#clock.clearTimeout(request.timer);
      request.timer = undefined;
    }
    const { op } = request;
    switch (op.type) {
      case "join": {
        if (this.#joining.get(op.channel) === request) {
          this.#joining.delete(op.channel);
        }
        if (
          error && request.entry &&
          this.#membership.get(op.channel) === request.entry
        ) {
          this.#membership.delete(op.channel);
        }
        const followers = request.followers;
        request.followers = [];
        if (request.internal) this.#rejoined(op.channel, error);
        else if (error) request.reject(error);
        else request.resolve(undefined);
        for (const follower of followers) {
          if (error) follower.reject(error);
          else follower.resolve(undefined);
        }
        this.#refreshView(op.channel, error ?? undefined);
        return;
      }
      case "leave":
        // Not joined is what a leave wants.
        if (error && error.code !== "not_joined") request.reject(error);
        else request.resolve(undefined);
        return;
      case "update":
        if (error) return request.reject(error);
        this.#profile = { value: op.profile };
        return request.resolve(undefined);
      case "members": {
        if (error) return request.reject(error);
        const members = (data as { members?: unknown } | undefined)?.members;
        if (!Array.isArray(members)) {
          return request.reject(
            new RealtimeError("bad_response", "The members ack has no members"),
          );
        }
        return request.resolve(members);
      }
      case "pub":
        if (error) request.reject(error);
        else request.resolve(undefined);
        return;
    }
  }

  // ------------------------------------------------------------ connection lifecycle

  #onState(state: ConnectionState): void {
    switch (state.type) {
      case "connecting":
        this.#dropped();
        return;
      case "connected":
      case "reconnected":
        this.#hello();
        return;
      case "reconnecting":
        this.#dropped();
        this.#onReconnectAttempt.emit(this.#callListener, state.attempt);
        return;
      case "disconnecting":
        this.#dropped();
        return;
      case "disconnected":
        this.#dropped();
        if (state.error) this.#reportError(state.error);
        if (!this.#closed) {
          // The socket gave up (maxRetries, shouldReconnect or its signal).
          this.#closed = true;
          this.#failAll(
            "The connection closed and will not reconnect",
            state.error,
          );
        }
        return;
    }
  }

  #hello(): void {
    if (this.#phase !== "offline") this.#dropped();
    this.#phase = "hello";
    const frame: Record<string, unknown> = {
      type: "hello",
      ref: ++this.#ref,
      v: PROTOCOL_VERSION,
    };
    if (this.#session !== null) frame.session = this.#session;
    if (this.#profile) frame.profile = this.#profile.value;
    this.#helloTimer = this.#clock.setTimeout(() => {
      this.#helloTimer = undefined;
      this.#reportError(
        new RealtimeError(
          "timeout",
          `The relay did not welcome us within ${this.#ackTimeout} ms`,
        ),
      );
      this.#socket.reconnect();
    }, this.#ackTimeout);
    this.#socket.send(JSON.stringify(frame));
  }

  #welcome(session: string, limits: RelayLimits): void {
    if (this.#phase !== "hello") return;
    this.#clearHelloTimer();
    this.#session = session;
    this.#limits = limits;
    this.#phase = "rejoin";
    const channels = [...this.#membership];
    this.#rejoins = channels.length;
    for (const [channel, entry] of channels) {
      const op: Op = { type: "join", channel, echo: entry.echo };
      const request: Request = {
        op,
        body: JSON.stringify(op),
        resolve: noop,
        reject: noop,
        ref: 0,
        timer: undefined,
        internal: true,
        followers: [],
        entry,
      };
      this.#joining.set(channel, request);
      this.#send(request);
    }
    this.#onConnect.emit(this.#callListener);
    this.#refreshViews();
    if (this.#rejoins === 0 && this.#phase === "rejoin") this.#ready();
  }

  #rejoined(channel: string, error: RealtimeError | null): void {
    if (error) {
      this.#reportError(
        new RealtimeError(
          error.code,
          `Could not join '${channel}' again: ${error.message}`,
          { cause: error },
        ),
      );
    }
    if (--this.#rejoins === 0 && this.#phase === "rejoin") this.#ready();
  }

  /** The connection is welcomed and its channels joined: send what waited. */
  #ready(): void {
    this.#phase = "ready";
    this.#refreshViews();
    while (this.#phase === "ready" && this.#queue.length > 0) {
      this.#dispatch(this.#queue.shift()!);
    }
  }

  /**
   * The connection is gone: requests in flight wait again, first in line, to
   * be sent again (publishes with their `mid`) once the connection is back.
   */
  #dropped(reason?: string): void {
    if (this.#phase === "offline") return;
    const wasConnected = this.isConnected();
    this.#phase = "offline";
    this.#clearHelloTimer();
    const requeued: Request[] = [];
    for (const request of this.#inflight.values()) {
      if (request.timer !== undefined) this.#clock.clearTimeout(request.timer);
      request.timer = undefined;
      request.ref = 0;
      if (!request.internal) requeued.push(request);
      requeued.push(...request.followers);
      request.followers = [];
    }
    this.#inflight.clear();
    this.#joining.clear();
    this.#queue.unshift(...requeued);
    if (!this.#autoJoin) this.#membership.clear();
    this.#refreshViews();
    if (wasConnected) {
      const closeReason = this.#socket.closeReason;
      const closeCode = this.#socket.closeCode;
      this.#onDisconnect.emit(
        this.#callListener,
        reason ?? this.#byeReason ?? (closeReason ||
          (closeCode === undefined
            ? "connection lost"
            : `closed with code ${closeCode}`)),
      );
    }
    this.#byeReason = undefined;
  }

  #failAll(message: string, cause?: unknown): void {
    const error = new RealtimeError("closed", message, { cause });
    for (const request of this.#queue.splice(0)) request.reject(error);
    this.#refreshViews();
  }

  #clearHelloTimer(): void {
    if (this.#helloTimer !== undefined) {
      this.#clock.clearTimeout(this.#helloTimer);
      this.#helloTimer = undefined;
    }
  }

  // ------------------------------------------------------------ inbound

  #onMessage(data: unknown): void {
    if (typeof data !== "string") return;
    const decoded = decodeRelayFrame(data);
    if (!decoded.ok) {
      this.#reportError(
        new RealtimeError("bad_response", decoded.error.message),
      );
      return;
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case "welcome":
        this.#welcome(frame.session, frame.limits);
        return;
      case "ack": {
        const request = this.#inflight.get(frame.ref);
        if (!request) return;
        this.#inflight.delete(frame.ref);
        request.ref = 0;
        if (frame.ok) this.#settle(request, null, frame.data);
        else this.#settle(request, relayError(frame.error), undefined);
        return;
      }
      case "msg":
        this.#deliver(frame);
        return;
      case "presence":
        this.#presence(frame);
        return;
      case "user":
        this.#userEvent(frame);
        return;
      case "error": {
        const request = frame.ref === undefined
          ? undefined
          : this.#inflight.get(frame.ref);
        if (request) {
          this.#inflight.delete(frame.ref!);
          request.ref = 0;
          this.#settle(request, relayError(frame.error), undefined);
        } else {
          this.#reportError(relayError(frame.error));
        }
        return;
      }
      case "bye":
        this.#byeReason = frame.reason;
        // Coming back would be refused again (unauthorized, replaced, …).
        if (!frame.reconnect) {
          this.close().catch((error) => this.#reportError(error));
        }
        return;
    }
  }

  #deliver(frame: MsgFrame): void {
    const payload: RealtimeMessage = {
      channel: frame.channel,
      event: frame.event,
      message: frame.data,
      senderId: frame.sender,
    };
    if (frame.offset !== undefined) payload.offset = frame.offset;
    const listeners = this.#events.get(frame.event);
    if (listeners) {
      listeners.emit(this.#callListener, payload);
      if (listeners.size === 0) this.#events.delete(frame.event);
    }
    this.#any.emit(this.#callListener, frame.event, payload);
    if (frame.channel !== null) {
      this.#views.get(frame.channel)?.deliver(payload);
    }
  }

  #presence(frame: PresenceFrame): void {
    const name = MEMBER_EVENTS[frame.action];
    const payload: MemberEvent = {
      channel: frame.channel,
      member: { id: frame.member.id, data: frame.member.data },
    };
    this.#members[name].emit(this.#callListener, payload);
    this.#any.emit(this.#callListener, name, payload);
  }

  #userEvent(frame: UserFrame): void {
    const payload: UserEvent = { event: frame.event, message: frame.data };
    this.#user.get(frame.event)?.emit(this.#callListener, payload);
    this.#user.get(null)?.emit(this.#callListener, payload);
  }

  #eventListeners(eventName: string): Listeners<[RealtimeMessage]> {
    let listeners = this.#events.get(eventName);
    if (!listeners) this.#events.set(eventName, listeners = new Listeners());
    return listeners;
  }

  #reportError(error: unknown): void {
    if (this.#onError.size === 0) {
      // Nobody listens: surface it the way EventTarget does, without breaking us.
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    const asError = error instanceof Error ? error : new Error(String(error));
    this.#onError.emit((listener, error) => {
      try {
        listener(error);
      } catch (second) {
        queueMicrotask(() => {
          throw second;
        });
      }
    }, asError);
  }

  #channelState(channel: string): "joined" | "joining" | "none" {
    if (this.#closed || !this.#membership.has(channel)) {
      return this.#queue.some((r) =>
          r.op.type === "join" && r.op.channel === channel
        ) && !this.#closed
        ? "joining"
        : "none";
    }
    return this.isConnected() && !this.#joining.has(channel)
      ? "joined"
      : "joining";
  }

  #refreshView(channel: string, error?: RealtimeError): void {
    this.#views.get(channel)?.refresh(error);
  }

  #refreshViews(): void {
    for (const view of this.#views.values()) view.refresh();
  }
}

function relayError(body: ErrorBody): RealtimeError {
  return new RealtimeError(body.code, body.message);
}

function withToken(
  endpoint: URL,
  token: string | TokenProvider,
): () => Promise<string> {
  return async () => {
    const value = typeof token === "function" ? await token() : token;
    const url = new URL(endpoint);
    if (value !== undefined && value !== "") {
      url.searchParams.set("token", value);
    }
    return url.href;
  };
}

function assertFunction(listener: unknown): void {
  if (typeof listener !== "function") {
    throw new TypeError(
      `Cannot add listener as 'listener' must be a function: current value is ${
        String(listener)
      }`,
    );
  }
}
