/**
 * A manager's link to the relay: the socket, and the connection phase it
 * drives (see `_connection_phase.ts`). On every open the link says `hello`
 * with the previous session id and the profile, so the relay resumes the
 * session; on `welcome` it joins the channels again, and once they are
 * joined it lets the queued requests out. When the connection drops, what
 * was in flight waits again. It also routes what the relay sends to the
 * listeners and channels, and decides what a new request does: start, wait
 * for the connection, or fail. Internal to the client layer.
 *
 * @module
 */

import { createLog, type Log } from "../core/_log.ts";
import type { JoinSince, MsgFrame, WelcomeFrame } from "../protocol/mod.ts";
import {
  encodeFrame,
  helloFrame,
  joinFrame,
  leaveFrame,
} from "../protocol/mod.ts";
import {
  type ConnectionState,
  ReconnectingWebSocket,
} from "../socket/reconnecting_websocket.ts";
import { Recovery } from "./_channel_recovery.ts";
import type { Channels } from "./_channel_state.ts";
import { ConnectionPhase } from "./_connection_phase.ts";
import type { EventHub } from "./_event_hub.ts";
import { type InboundTarget, routeInbound } from "./_inbound.ts";
import type { ManagerSettings } from "./_manager_options.ts";
import {
  toMemberEvent,
  toRealtimeMessage,
  toUserEvent,
} from "./_message_shapes.ts";
import type { Request, Requests } from "./_requests.ts";
import { HintedBackoff } from "./_retry_hint.ts";
import { RealtimeError } from "./realtime_error.ts";
import type { RealtimeManagerEvents } from "./realtime_events.ts";

const RETRIED_HELLO_ERRORS: ReadonlySet<string> = new Set([
  "rate_limited",
  "internal",
  "bad_response",
]);

/** What the link needs from its manager. */
export interface LinkHost {
  readonly requests: Requests;
  readonly channels: Channels;
  readonly events: EventHub<RealtimeManagerEvents>;
  /** Reports an error outside any request. */
  reportError(error: unknown): void;
}

/** The manager's connection to the relay; see the module doc. */
export class RelayLink {
  #host: LinkHost;
  #socket: ReconnectingWebSocket;
  #backoff: HintedBackoff;
  #phase: ConnectionPhase;
  #buffer: boolean;
  #autoJoin: boolean;
  #closed = false;
  #profile: { value: unknown } | undefined;
  #byeReason: string | undefined;
  #helloRef: number | undefined;
  /**
   * Channels given up when the connection dropped (autoJoin off): the relay
   * may still keep this session in them for its presence grace.
   */
  #givenUp: string[] = [];
  /** Why the link stopped by itself, for requests made after it did. */
  #stopped: RealtimeError | undefined;
  /** The app-wide stream's place: recovered on each welcome. */
  #app: Recovery;
  /** Whether the latest hello carried the app-wide `since`. */
  #askedApp = false;
  #log: Log | undefined;

  constructor(settings: ManagerSettings, host: LinkHost) {
    const { clock, ackTimeout } = settings;
    this.#host = host;
    this.#log = createLog(settings.socket.logger, settings.socket.debug, clock);
    this.#buffer = settings.buffer;
    this.#autoJoin = settings.autoJoin;
    this.#profile = settings.profile;
    this.#app = new Recovery(null, {
      recover: settings.recover,
      deliver: (frame) => this.hear(frame),
      resync: (reason) => host.events.emit("resync", { channel: null, reason }),
      repair: (since) => this.#repairApp(since),
    });
    this.#phase = new ConnectionPhase(clock, ackTimeout, () => {
      host.reportError(
        new RealtimeError(
          "timeout",
          `The relay did not welcome us within ${ackTimeout} ms`,
        ),
      );
      this.#socket.reconnect();
    });
    this.#backoff = new HintedBackoff(settings.socket);
    this.#socket = new ReconnectingWebSocket(settings.url, {
      ...settings.socket,
      backoff: this.#backoff,
    });
    this.#socket.connection.subscribe((state) => this.#onState(state));
    this.#socket.messages.subscribe((data) =>
      routeInbound(data, this.#inbound)
    );
  }

  /** This client broadcast app-wide `offset` without echo: it is no gap. */
  skipApp(offset: number): void {
    this.#app.skip(offset);
  }

  /**
   * Asks for the app-wide messages a live gap skipped (frames dropped for a
   * slow socket): a `join` of no channel, with `since`, answered like the
   * welcome's `app`. `false` when not connected: the next hello asks.
   */
  #repairApp(since: JoinSince): boolean {
    if (!this.#phase.welcomed) return false;
    const { requests } = this.#host;
    const frame = joinFrame(null, { since });
    const request: Request = {
      frame,
      body: JSON.stringify(frame),
      start: () => requests.send(request),
      settle: (error, data) => {
        if (error) this.#app.release();
        else this.#app.joined(data, true);
      },
      reject: () => this.#app.release(),
      // The hello after the reconnect asks for the same messages.
      requeue: () => [],
    };
    requests.send(request);
    return true;
  }

  /** Whether the relay has welcomed this connection and it has not dropped since. */
  get welcomed(): boolean {
    return this.#phase.welcomed;
  }

  /** The session id of the latest welcome, kept across connections. */
  get session(): string | null {
    return this.#phase.session;
  }

  /** Whether the manager is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The profile the next `hello` carries: the relay accepted a new one. */
  set profile(profile: unknown) {
    this.#profile = { value: profile };
  }

  /** Sends a frame's text on the socket. */
  send(text: string): void {
    this.#socket.send(text);
  }

  /** Hands a message to the manager's listeners (channel ones in order, from their state). */
  hear(frame: MsgFrame): void {
    const events = this.#host.events;
    const message = toRealtimeMessage(frame);
    events.emit("message", message, frame.event);
    if (events.count("any") > 0) events.emit("any", [frame.event, message]);
  }

  /** Reconnects after {@linkcode RelayLink.close}; otherwise does nothing. */
  open(): void {
    if (!this.#closed) return;
    this.#closed = false;
    this.#byeReason = undefined;
    this.#stopped = undefined;
    this.#socket.reconnect();
  }

  /** Closes for good: queued requests fail with `"closed"`. */
  async close(code?: number, reason?: string): Promise<void> {
    if (!this.#closed) {
      this.#shut(
        reason ?? this.#byeReason ?? "closed",
        "The manager was closed",
      );
    }
    await this.#socket.close(code, reason);
  }

  /** Stops for good: what waits fails with `message` (and `cause`). */
  #shut(reason: string, message: string, cause?: unknown): void {
    this.#closed = true;
    this.#dropped(reason);
    this.#failAll(message, cause);
  }

  /** Starts `request`, queues it, or rejects it, as the connection stands. */
  submit(request: Request): void {
    if (this.#closed) {
      request.reject(
        this.#stopped ?? new RealtimeError("closed", "The manager is closed"),
      );
    } else if (this.#phase.phase === "ready") {
      request.start();
    } else if (
      request.frame.type === "pub" && !this.#buffer && !this.welcomed
    ) {
      this.#log?.("warn", "drop", { reason: "not_connected" });
      request.reject(
        new RealtimeError(
          "not_connected",
          "Not connected, and bufferMessages is off",
        ),
      );
    } else {
      const refused = this.#host.requests.enqueue(request);
      if (refused) {
        this.#log?.("warn", "drop", { reason: "buffer_full" });
        request.reject(refused);
      }
    }
  }

  /** An internal rejoin after a welcome has finished, well or not. */
  rejoined(channel: string, error: RealtimeError | null): void {
    if (error) {
      this.#host.reportError(
        new RealtimeError(
          error.code,
          `Could not join '${channel}' again: ${error.message}`,
          { cause: error },
        ),
      );
    }
    this.#phase.rejoined();
    if (this.#phase.rejoinDone) this.#ready();
  }

  #onState(state: ConnectionState): void {
    switch (state.type) {
      case "connected":
      case "reconnected":
        return this.#hello();
      case "reconnecting":
        this.#dropped();
        // Every failed attempt is reported, as socket.io's connect_error.
        if (state.error) this.#host.reportError(state.error);
        this.#host.events.emit("reconnectAttempt", state.attempt);
        return;
      case "disconnected":
        this.#dropped();
        if (state.error) this.#host.reportError(state.error);
        if (!this.#closed) {
          // The socket gave up (maxRetries, shouldReconnect or its signal):
          // what waits fails with the reason, rather than hanging.
          this.#closed = true;
          const why = state.error
            ? `: ${state.error.message}`
            : state.code === undefined
            ? ""
            : `: closed with code ${state.code}`;
          this.#failAll(
            `The connection closed and will not reconnect${why}`,
            state.error,
          );
        }
        return;
      default: // connecting, disconnecting
        return this.#dropped();
    }
  }

  #hello(): void {
    if (this.#phase.phase !== "offline") this.#dropped();
    this.#phase.hello();
    this.#helloRef = this.#host.requests.nextRef();
    const since = this.#app.since();
    this.#askedApp = since !== undefined;
    const frame = helloFrame({
      since,
      ref: this.#helloRef,
      session: this.#phase.session ?? undefined,
      resume: this.#phase.resume,
      profile: this.#profile?.value,
    });
    this.#socket.send(encodeFrame(frame));
  }

  #welcome(frame: WelcomeFrame): void {
    const { channels, requests, events } = this.#host;
    const members = channels.members();
    if (!this.#phase.welcome(frame.session, frame.resume, members.length)) {
      return;
    }
    // Missed app-wide messages (or the resync) come before any live one.
    this.#app.joined(frame.app, this.#askedApp);
    const limits = frame.limits;
    requests.limits = limits;
    for (const name of this.#givenUp.splice(0)) {
      // Not joined (the grace is over, or a new session) is what it wants.
      const leave = leaveFrame(name, { echo: false });
      requests.send(requests.create(leave, () => {}));
    }
    for (const channel of members) channel.rejoin();
    events.emit("connect", undefined);
    channels.refresh();
    if (this.#phase.rejoinDone) this.#ready();
  }

  /** The connection is welcomed and its channels joined: send what waited. */
  #ready(): void {
    this.#phase.ready();
    this.#host.channels.refresh();
    const { requests } = this.#host;
    const waiting = requests.waiting;
    requests.flush(() => this.#phase.phase === "ready");
    const count = waiting - requests.waiting;
    if (count > 0) this.#log?.("debug", "flush", { count });
  }

  /**
   * The connection is gone: requests in flight wait again, first in line, to
   * be sent again (publishes with their `mid`) once the connection is back.
   */
  #dropped(reason?: string): void {
    const wasConnected = this.#phase.drop();
    if (wasConnected === undefined) return;
    this.#app.dropped();
    this.#host.requests.drop();
    this.#givenUp.push(...this.#host.channels.dropped(this.#autoJoin));
    this.#host.channels.refresh();
    if (wasConnected) {
      const closeReason = this.#socket.closeReason;
      const closeCode = this.#socket.closeCode;
      this.#host.events.emit(
        "disconnect",
        reason ?? this.#byeReason ?? (closeReason ||
          (closeCode === undefined
            ? "connection lost"
            : `closed with code ${closeCode}`)),
      );
    }
    this.#byeReason = undefined;
  }

  /**
   * The relay answered the hello with an error: a profile or a frame over
   * its limits, a version it does not speak. Saying the same hello again
   * would be refused again, so the manager stops, and what waits fails with
   * the relay's error as its cause, rather than waiting forever. A busy or
   * failing relay (`rate_limited`, `internal`) or an answer this client
   * could not read is retried on the hello timeout instead.
   */
  #helloAnswered(error: RealtimeError | null): boolean {
    this.#helloRef = undefined;
    if (error === null) return true;
    if (RETRIED_HELLO_ERRORS.has(error.code)) return false;
    this.#host.reportError(error);
    this.#shut(
      error.code,
      `The relay refused the hello: ${error.message}`,
      error,
    );
    void this.#socket.close();
    return true;
  }

  /**
   * The relay no longer knows this connection's session (it woke without
   * its memory, or failed over): staying "connected" while every request
   * fails helps nobody, so the link reconnects, says hello again and
   * rejoins its channels (with `since`); what was in flight is sent again.
   */
  #lost(error: RealtimeError): void {
    if (!this.#phase.welcomed || this.#closed) return; // already on it
    this.#host.reportError(error);
    this.#byeReason = "session_lost";
    this.#socket.reconnect();
  }

  #failAll(message: string, cause?: unknown): void {
    const error = new RealtimeError("closed", message, { cause });
    // Requests made later fail the same way, until open().
    if (cause !== undefined) this.#stopped = error;
    this.#host.requests.failQueued(error);
    this.#host.channels.refresh();
  }

  /** Where inbound frames go; made once, not per message. */
  #inbound: InboundTarget = {
    welcome: (frame) => this.#welcome(frame),
    answer: (ref, error, data) => {
      if (ref === this.#helloRef) return this.#helloAnswered(error);
      // Left in flight: it is sent again once the session is back.
      if (error?.code === "hello_required" && this.#phase.welcomed) {
        this.#lost(error);
        return true;
      }
      return this.#host.requests.answer(ref, error, data);
    },
    message: (frame) => {
      if (frame.channel === null) return this.#app.receive(frame);
      const state = this.#host.channels.find(frame.channel);
      if (state === undefined) this.hear(frame);
      else state.receive(frame);
    },
    presence: (frame) => {
      const [name, event] = toMemberEvent(frame);
      this.#host.events.emit(name, event);
      this.#host.events.emit("any", [name, event]);
    },
    diff: (frame) => {
      // Each change as the presence frame it stands for; this client's own
      // came in a presence frame of their own (with its echo choice).
      const self = this.#phase.session;
      for (const change of frame.changes) {
        if (change.member.id === self) continue;
        this.#inbound.presence({
          type: "presence",
          channel: frame.channel,
          action: change.action,
          member: change.member,
          version: change.version,
        });
      }
    },
    user: (frame) => {
      const event = toUserEvent(frame);
      this.#host.events.emit("user", event, event.event);
    },
    bye: (frame) => {
      this.#byeReason = frame.reason;
      // Coming back would be refused again (unauthorized, replaced, …).
      if (!frame.reconnect) {
        this.close().catch((error) => this.#host.reportError(error));
      } else if (frame.retryAfter !== undefined) {
        this.#backoff.hold(frame.retryAfter);
      }
    },
    error: (error) => {
      // Before the welcome only the hello has been sent: an error the relay
      // could not tie to a ref (a frame over its limit) is the hello's.
      if (this.#phase.phase === "hello" && this.#helloAnswered(error)) return;
      if (error.code === "hello_required") return this.#lost(error);
      this.#host.reportError(error);
    },
  };
}
