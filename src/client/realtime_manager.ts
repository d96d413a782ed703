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
 * The manager is a facade over small parts that each own one thing:
 *
 * - `_request_builder.ts`: each call checked and turned into a request;
 * - `_requests.ts`: refs, acks, timeouts and the ordered offline queue;
 * - `_relay_link.ts`: the socket, and the connection phase it drives
 *   (`_connection_phase.ts`: offline → hello → rejoin → ready);
 * - `_channel_state.ts`: each channel's membership, join de-duplication and
 *   status, pushed to its view;
 * - `_inbound.ts`: decoding and routing what the relay sends, and
 *   `_message_shapes.ts`, the one place its frames become listener payloads;
 * - `_event_hub.ts`: the listeners, on `Emitter`s, over one event map,
 *   {@linkcode RealtimeManagerEvents}.
 *
 * The file is over 500 lines only because of the documentation of
 * the public (Altogic-compatible) methods; its code is wiring and one-line
 * delegations.
 *
 * @module
 */

import { rethrowLater, type SubscribeOptions } from "../core/event_stream.ts";
import type { Member } from "../protocol/mod.ts";
import { createLog } from "../core/_log.ts";
import { managerSettings } from "./_manager_options.ts";
import { Channels } from "./_channel_state.ts";
import { EventHub } from "./_event_hub.ts";
import { RelayLink } from "./_relay_link.ts";
import { type Finish, RequestBuilder } from "./_request_builder.ts";
import { type Request, Requests } from "./_requests.ts";
import type { RealtimeChannel } from "./realtime_channel.ts";
import type {
  AnyListener,
  EventMap,
  MemberListener,
  MessageListener,
  RealtimeManagerEvents,
  ResyncEvent,
  UserEventListener,
} from "./realtime_events.ts";
import type {
  RealtimeManagerOptions,
  SendOptions,
  VolatileSendOptions,
} from "./realtime_manager_options.ts";

/**
 * A realtime client for a lifeline relay: join channels, publish to them or
 * to everyone, see who is in a channel, and hear messages, member events and
 * user events, over one connection that reconnects by itself.
 *
 * `url` is the relay's WebSocket endpoint itself (`ws://host:8787/ws`),
 * used as given; a `token` goes in `Sec-WebSocket-Protocol`, never in the
 * URL. The constructor starts connecting. An invalid URL, or a handshake
 * refused with 401, 403 or 404, stops it (`shouldReconnect` decides), and
 * what waited rejects with the reason as its `cause`.
 * {@linkcode RealtimeManager.isConnected} is true from the relay's `welcome`
 * until the connection drops.
 *
 * Defaults: messages echo to their sender, publishes made while disconnected
 * wait for the connection, channels are joined again after a reconnect, and
 * a request not acknowledged within 10 s rejects with code `"timeout"`.
 *
 * @example Joining and publishing, against a fake relay
 * ```ts
 * import { RealtimeManager } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * // A stand-in for the relay: accepts, welcomes, then acknowledges every request.
 * class FakeRelaySocket extends FakeWebSocket {
 *   constructor(url: string) {
 *     super(url);
 *     queueMicrotask(() => this.open());
 *   }
 *   override send(text: string): void {
 *     super.send(text);
 *     if (text === "ping") return this.#reply("pong");
 *     const frame = JSON.parse(text);
 *     this.#reply(JSON.stringify(frame.type === "hello"
 *       ? { type: "welcome", v: 1, session: "s1", limits: {}, heartbeat: {} }
 *       : { type: "ack", ref: frame.ref, ok: true }));
 *   }
 *   #reply(data: string): void {
 *     queueMicrotask(() => this.receive(data));
 *   }
 * }
 *
 * await using manager = new RealtimeManager("ws://127.0.0.1:8787/ws", {
 *   WebSocket: FakeRelaySocket,
 * });
 * await manager.join("lobby");
 * await manager.send("lobby", "chat", { text: "hi" });
 * assert.equal(manager.isConnected(), true);
 * assert.equal(manager.getSocketId(), "s1");
 * ```
 *
 * @example Typed events and profiles: no casts, and typos do not compile
 * ```ts
 * import { RealtimeManager } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * interface Profile { name: string }
 * interface ChatEvents { chat: { text: string }; typing: { on: boolean } }
 *
 * const realtime = new RealtimeManager<Profile, ChatEvents>("ws://127.0.0.1:8787/ws", {
 *   profile: { name: "Al" },
 *   WebSocket: FakeWebSocket, // a socket that never opens
 * });
 * const texts: string[] = [];
 * realtime.on("chat", ({ message }) => texts.push(message.text)); // no cast
 * realtime.onJoin(({ member }) => console.log(member.data.name, "joined"));
 * const sent = realtime.send("lobby", "chat", { text: "hi" });
 * // realtime.send("lobby", "chat", { txet: 1 }); would not compile
 * await realtime.close();
 * await assert.rejects(sent, { code: "closed" }); // it waited for a connection
 * ```
 *
 * Without type parameters every event name is allowed and every payload and
 * profile is `unknown`, as in the first example.
 */
export class RealtimeManager<
  Profile = unknown,
  Events extends object = EventMap,
> implements AsyncDisposable {
  #channels: Channels;
  #build: RequestBuilder;
  #link: RelayLink;
  // What a listener throws is a bug in the app: it goes to onError or, with
  // no listener there, is reported the way EventTarget reports it.
  #events: EventHub<RealtimeManagerEvents> = new EventHub(
    (error) => this.#events.emitError(error) || rethrowLater(error),
    "error",
  );

  /**
   * Creates the manager and starts connecting.
   *
   * @param url The relay's WebSocket endpoint, such as `ws://host:8787/ws`.
   * @param options See {@linkcode RealtimeManagerOptions}.
   */
  constructor(
    url: string | URL,
    options: RealtimeManagerOptions<Profile> = {},
  ) {
    const settings = managerSettings(url, options);
    const { clock, ackTimeout, maxQueued } = settings;
    const requests = new Requests({
      clock,
      ackTimeout,
      maxQueued,
      transmit: (text) => this.#link.send(text),
    });
    const channels = this.#channels = new Channels({
      clock,
      requests,
      recover: settings.recover,
      hear: (frame) => this.#link.hear(frame),
      resync: (channel, reason) =>
        this.#events.emit("resync", { channel, reason }),
      isConnected: () => this.isConnected(),
      isClosed: () => this.#link.closed,
      rejoined: (channel, error) => this.#link.rejoined(channel, error),
      join: (channel) => this.join(channel),
      leave: (channel) => this.leave(channel),
      send: (channel, event, data, echo) =>
        this.#request((finish) =>
          this.#build.publish(channel, event, data, echo, finish)
        ),
    });
    this.#build = new RequestBuilder({
      requests,
      channels,
      echo: settings.echo,
      profileChanged: (profile) => this.#link.profile = profile,
      transmit: (text) => this.#link.send(text),
      skipApp: (offset) => this.#link.skipApp(offset),
    });
    this.#link = new RelayLink(settings, {
      requests,
      channels,
      events: this.#events,
      // A connection or relay error: never thrown, even with no listener.
      reportError: (error) => this.#events.emitError(error),
    });
    // Resyncs, channel and app-wide, go to the logger too.
    const log = createLog(options.logger, options.debug, clock);
    if (log !== undefined) {
      this.#events.listen(
        "resync",
        ({ channel, reason }) => log("warn", "resync", { channel, reason }),
      );
    }
  }

  // ------------------------------------------------------------ connection

  /**
   * Reconnects after {@linkcode RealtimeManager.close}; otherwise does
   * nothing. Never throws: connection failures are reported to
   * {@linkcode RealtimeManager.onError} listeners.
   */
  open(): void {
    this.#link.open();
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
  close(code?: number, reason?: string): Promise<void> {
    return this.#link.close(code, reason);
  }

  /** Whether the relay has welcomed this connection and it has not dropped since. */
  isConnected(): boolean {
    return this.#link.welcomed;
  }

  /**
   * The session id the relay gave this connection, which is also its member
   * id in channels; `null` while not connected.
   */
  getSocketId(): string | null {
    return this.isConnected() ? this.#link.session : null;
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
    return this.#request((finish) => this.#build.join(channel, echo, finish));
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
    return this.#request((finish) => this.#build.leave(channel, echo, finish));
  }

  /**
   * The members of `channel`, each with its session id and profile, as the
   * relay knows them now.
   *
   * @param channel The channel's name.
   */
  getMembers(channel: string): Promise<Member<Profile>[]> {
    // The relay hands back the profiles members gave; the app's type
    // parameter says what it expects them to be.
    return this.#request<Member[]>((finish) =>
      this.#build.members(channel, finish)
    ) as Promise<Member<Profile>[]>;
  }

  /**
   * Replaces this client's profile in every channel it is in, and in the
   * channels it joins later; members hear `channel:update`.
   *
   * @param data The new profile; any JSON value.
   * @param echo Whether this client hears its own `channel:update`; defaults
   * to `echoMessages`.
   */
  updateProfile(data: Profile, echo?: boolean): Promise<void> {
    return this.#request((finish) => this.#build.update(data, echo, finish));
  }

  /**
   * A view of one channel over this manager's connection: its messages and
   * status as streams, `connect()` to join and `send()` to publish. The same
   * view is returned for the same name until it is disposed.
   *
   * @param channelId The channel's name.
   */
  channel(channelId: string): RealtimeChannel<Events> {
    return this.#channels.get(channelId).view() as RealtimeChannel<Events>;
  }

  // ------------------------------------------------------------ messages

  /**
   * Publishes `message` under `eventName` to the members of `channel`, fire
   * and forget (see {@linkcode VolatileSendOptions}): sent at once if the
   * channel is joined on a live connection, never queued, never
   * acknowledged, never kept in the relay's history; resolves `true` when
   * it was sent, `false` when it was dropped.
   *
   * @param channel The channel's name.
   * @param eventName The event name listeners subscribe to.
   * @param message The data; any JSON value.
   * @param options `{ volatile: true }`, and optionally `echo`.
   */
  send<K extends keyof Events & string>(
    channel: string,
    eventName: K,
    message: Events[K],
    options: VolatileSendOptions,
  ): Promise<boolean>;
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
   * @param echo Whether this client receives its own message (or
   * `{ echo }`); defaults to `echoMessages`.
   */
  send<K extends keyof Events & string>(
    channel: string,
    eventName: K,
    message: Events[K],
    echo?: boolean | SendOptions,
  ): Promise<void>;
  send(
    channel: string,
    eventName: string,
    message: unknown,
    echo?: boolean | SendOptions | VolatileSendOptions,
  ): Promise<void | boolean> {
    if (typeof echo === "object" && echo !== null) {
      if ((echo as VolatileSendOptions).volatile === true) {
        return this.#build.volatile(channel, eventName, message, echo.echo);
      }
      echo = echo.echo;
    }
    return this.#request((finish) =>
      this.#build.publish(channel, eventName, message, echo, finish)
    );
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
  broadcast<K extends keyof Events & string>(
    eventName: K,
    message: Events[K],
    echo?: boolean,
  ): Promise<void> {
    return this.#request((finish) =>
      this.#build.publish(null, eventName, message, echo, finish)
    );
  }

  // ------------------------------------------------------------ listeners

  /**
   * Calls `listener` with every message published under `eventName`, in a
   * joined channel or app-wide.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  on<K extends keyof Events & string>(
    eventName: K,
    listener: MessageListener<Events[K], K>,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("message", listener as MessageListener, {
      ...options,
      key: eventName,
    });
  }

  /**
   * Like {@linkcode RealtimeManager.on}, for the next message only.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  once<K extends keyof Events & string>(
    eventName: K,
    listener: MessageListener<Events[K], K>,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("message", listener as MessageListener, {
      ...options,
      key: eventName,
      once: true,
    });
  }

  /**
   * Removes `listener` from `eventName`, or every listener of `eventName`
   * when `listener` is omitted.
   */
  off<K extends keyof Events & string>(
    eventName: K,
    listener?: MessageListener<Events[K], K>,
  ): void {
    this.#events.off("message", eventName, listener);
  }

  /**
   * Calls `listener` with every message and member event, with its event
   * name (`channel:join`, `channel:leave` and `channel:update` for member
   * events).
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onAny(
    listener: AnyListener<Profile, Events>,
    options?: SubscribeOptions,
  ): () => void {
    const call = listener as AnyListener;
    return this.#events.listen(
      "any",
      ([eventName, payload]) => call(eventName, payload),
      options,
      listener,
    );
  }

  /** Removes `listener`, or every `onAny` listener when it is omitted. */
  offAny(listener?: AnyListener<Profile, Events>): void {
    this.#events.off("any", undefined, listener);
  }

  /**
   * Calls `listener` when a member joins a channel this client is in
   * (event `channel:join`).
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onJoin(
    listener: MemberListener<Profile>,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen(
      "channel:join",
      listener as MemberListener,
      options,
    );
  }

  /**
   * Calls `listener` when a member leaves, or drops from, a channel this
   * client is in (event `channel:leave`).
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onLeave(
    listener: MemberListener<Profile>,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen(
      "channel:leave",
      listener as MemberListener,
      options,
    );
  }

  /**
   * Calls `listener` when a member of a channel this client is in updates
   * its profile (event `channel:update`).
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onUpdate(
    listener: MemberListener<Profile>,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen(
      "channel:update",
      listener as MemberListener,
      options,
    );
  }

  /**
   * Calls `listener` with every event the server sends to this client's
   * user (to all of that user's connections).
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onUserEvent(
    listener: UserEventListener,
    options?: SubscribeOptions,
  ): () => void;
  /**
   * Calls `listener` with the user events named `eventName`.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onUserEvent(
    eventName: string,
    listener: UserEventListener,
    options?: SubscribeOptions,
  ): () => void;
  onUserEvent(
    eventOrListener: string | UserEventListener,
    listenerOrOptions?: UserEventListener | SubscribeOptions,
    maybeOptions?: SubscribeOptions,
  ): () => void {
    if (typeof eventOrListener === "function") {
      return this.#events.listen(
        "user",
        eventOrListener,
        listenerOrOptions as SubscribeOptions | undefined,
      );
    }
    return this.#events.listen(
      "user",
      listenerOrOptions as UserEventListener,
      { ...maybeOptions, key: eventOrListener },
    );
  }

  /**
   * Calls `listener` each time the relay welcomes a connection, the first
   * one and every reconnect.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onConnect(listener: () => void, options?: SubscribeOptions): () => void {
    return this.#events.listen("connect", listener, options);
  }

  /**
   * Calls `listener` with a reason each time a welcomed connection ends.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onDisconnect(
    listener: (reason: string) => void,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("disconnect", listener, options);
  }

  /**
   * Calls `listener` with every failed connection attempt (a
   * `ConnectionError` with the reason: refused, DNS, the handshake's HTTP
   * status, timeout, invalid URL), errors the relay reports outside any
   * request, and errors thrown by other listeners. Without a listener,
   * connection and relay errors are dropped, never thrown: the rejections
   * of what waited show them too.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onError(
    listener: (error: Error) => void,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("error", listener, options);
  }

  /**
   * Calls `listener` when a channel's missed messages could not be
   * recovered after a reconnect or a gap (see {@linkcode ResyncEvent}):
   * the relay restarted, or the client was away past its history window.
   * The channel's view shows it on its `resyncs` stream too.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onResync(
    listener: (event: ResyncEvent) => void,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("resync", listener, options);
  }

  /**
   * Calls `listener` with the attempt number (1, 2, …) before each
   * reconnection attempt.
   *
   * @param options `signal` removes the listener when aborted.
   * @returns A function that removes the listener.
   */
  onReconnectAttempt(
    listener: (attempt: number) => void,
    options?: SubscribeOptions,
  ): () => void {
    return this.#events.listen("reconnectAttempt", listener, options);
  }

  // ------------------------------------------------------------ requests

  /**
   * Builds a request and starts it, queues it, or rejects it; never throws.
   * `build` receives the function that settles the returned promise.
   */
  #request<T = void>(build: (finish: Finish<T>) => Request): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let request: Request;
      try {
        request = build((error, value) =>
          error ? reject(error) : resolve(value as T)
        );
      } catch (error) {
        reject(error);
        return;
      }
      this.#link.submit(request);
    });
  }
}
