/**
 * The relay's state for one socket, and the one way it ends. Internal.
 *
 * @module
 */

import type { TimerId } from "../core/clock.ts";
import {
  ackErrorFrame,
  ackFrame,
  byeFrame,
  type ByeReason,
  encodeFrame,
  type ErrorBody,
  errorFrame,
  RelayCloseCode,
} from "../protocol/mod.ts";
import { ChannelMap } from "./_channel_map.ts";
import type { Context, Counters } from "./_context.ts";
import type { RelayConnection } from "./connection.ts";
import type { Identity } from "./identity.ts";
import type { ConnectionSnapshot } from "./snapshot.ts";
import type { RelaySocket } from "./socket.ts";

/**
 * `pending` until welcomed; `open` while served; `closing` once the relay
 * decided to close it (no longer served, the close code on its way after
 * the linger); `closed`. It only moves forward.
 */
export type ConnectionState = "pending" | "open" | "closing" | "closed";

/** What a connection asks of the relay when it ends. */
export interface ConnectionHost {
  /**
   * Takes the connection out of its channels and indexes; parks its
   * session. `leaveNow`: it leaves its channels at once (a clean close, or
   * one the relay decided), not after the presence grace (a drop).
   */
  detach(conn: Connection, leaveNow: boolean): void;
  /** Forgets the connection: it is closed. */
  forget(conn: Connection): void;
}

/**
 * What every connection of one relay reads: one object per relay, so a
 * connection holds one field for them all.
 */
export class SharedState {
  readonly context: Context;
  readonly counters: Counters;
  readonly host: ConnectionHost;
  /** Takes a connection's inbound frame (the relay's frame pipeline). */
  readonly receive: (conn: Connection, data: Data) => void;
  readonly maxBufferedBytes: number;
  /** `softBufferedBytes`, at most `maxBufferedBytes`. */
  readonly softBufferedBytes: number;
  /** `limits.rate` per millisecond; 0: no rate limit. */
  readonly ratePerMs: number;
  /** `limits.burst`: the tokens a connection starts with, and holds at most. */
  readonly burst: number;

  constructor(
    context: Context,
    host: ConnectionHost,
    receive: (conn: Connection, data: Data) => void,
  ) {
    this.context = context;
    this.counters = context.counters;
    this.host = host;
    this.receive = receive;
    this.maxBufferedBytes = context.settings.maxBufferedBytes;
    this.softBufferedBytes = Math.min(
      context.settings.softBufferedBytes,
      this.maxBufferedBytes,
    );
    const { rate, burst } = context.settings.limits;
    this.ratePerMs = rate > 0 ? rate / 1000 : 0;
    this.burst = burst;
  }
}

/** An inbound frame, as an adapter hands it over. */
type Data = string | ArrayBuffer | Uint8Array;

/** A lingering close: its code and reason, and the linger's timer. */
interface Closing {
  readonly code: number;
  readonly reason: string;
  timer: TimerId | undefined;
}

/** How {@linkcode Connection.terminate} ends a connection. */
export interface TerminateOptions {
  /**
   * Says `bye` with this reason first. The `bye` skips the backlog check: a
   * few bytes, for a client that reads again before the close.
   */
  bye?: ByeReason;
  /** The `bye`'s retry hint, in milliseconds (none when 0 or absent). */
  retryAfter?: number;
  /**
   * Closes the socket after the close linger instead of now, so the close
   * code reaches a peer that is still sending (bad input).
   */
  linger?: boolean;
  /**
   * Treats it as a drop (silent, or replaced by its own new connection):
   * it stays in its channels for the presence grace. Otherwise it leaves
   * them at once.
   */
  dropped?: boolean;
}

/**
 * The relay's state for one socket; the relay's parts share it. It is also
 * the handle `Relay.open` gives the adapter (a `RelayConnection`: `id`,
 * `message`, `closed`, `seen`), so a socket costs one object here, not two.
 */
export class Connection implements RelayConnection {
  readonly socket: RelaySocket;
  identity: Identity;
  /**
   * The upgrade request, for a `hello` token's `authenticate`; let go of
   * once welcomed (a request's headers are most of a socket's cost).
   */
  request: Request | undefined;
  /** Provisional until welcomed, then the session id. */
  id: string;
  profile: unknown = null;
  /** The session's secret resume token, once welcomed (never sent to others). */
  resume: string | undefined;
  /** Whether this connection holds its session (false once taken over). */
  holdsSession = false;
  /** Its channels by name: one without a `Map`, more in one. */
  readonly channels: ChannelMap<Connection> = new ChannelMap();
  lastSeen: number;
  /** When it last sent a frame other than `ping` (for the idle timeout). */
  lastActive: number;
  /** The user id it was admitted as, counted against the per-user cap. */
  readonly admittedUser: string | undefined;
  /** When the socket was opened, on the relay's clock (earlier after a wake). */
  openedAt: number;
  /**
   * Times of the latest bad frames, oldest first; made at the first (most
   * connections never send one).
   */
  badTimes: number[] | undefined;
  /** Frames refused for rate since `rateSince` (the pipeline's count). */
  rateRefusals = 0;
  rateSince = 0;
  /** Whether the current run of rate refusals was answered. */
  rateNoticed = false;
  /** When the frame being handled was taken, for the publish latency. */
  frameAt = 0;
  /** Whether a frame waits on a hook or the store; later frames queue meanwhile. */
  busy = false;
  /** The frames that arrived while `busy`; made at the first. */
  queue: Data[] | undefined;
  #state: ConnectionState = "pending";
  /** What every connection of the relay shares: one field, not five. */
  #shared: SharedState;
  /** Since when sends have been dropped for backlog, or -1. */
  #backlogSince = -1;
  /** The close on its way while `closing` after a linger. */
  #closing: Closing | undefined;
  /**
   * The rate limit's token bucket (`limits.rate`, `limits.burst`), as two
   * numbers rather than a `TokenBucket` of its own: the tokens left at
   * `#tokensAt`.
   */
  #tokens: number;
  #tokensAt: number;

  constructor(
    shared: SharedState,
    socket: RelaySocket,
    identity: Identity,
    request: Request | undefined,
    id: string,
  ) {
    this.#shared = shared;
    this.socket = socket;
    this.identity = identity;
    this.admittedUser = identity.userId;
    this.request = request;
    this.id = id;
    const now = shared.context.clock.now();
    this.#tokens = shared.burst;
    this.#tokensAt = now;
    this.lastSeen = now;
    this.lastActive = now;
    this.openedAt = now;
  }

  /**
   * Takes a token for a frame at `now`; false when there is none (over the
   * rate). Always true when the rate limit is off. As `TokenBucket.take`.
   */
  takeToken(now: number): boolean {
    const { ratePerMs, burst } = this.#shared;
    if (ratePerMs <= 0) return true;
    if (now > this.#tokensAt) {
      this.#tokens = Math.min(
        burst,
        this.#tokens + (now - this.#tokensAt) * ratePerMs,
      );
      this.#tokensAt = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** The adapter's `RelayConnection.message`: an inbound frame. */
  message(data: Data): void {
    this.#shared.receive(this, data);
  }

  /** The adapter's `RelayConnection.closed`: see {@linkcode socketClosed}. */
  closed(code?: number): void {
    this.socketClosed(code);
  }

  /** The adapter's `RelayConnection.seen`: the peer was heard at `at`. */
  seen(at: number): void {
    if (at > this.lastSeen) this.lastSeen = at;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Whether frames from it are still handled (pending or open). */
  get serving(): boolean {
    return this.#state === "pending" || this.#state === "open";
  }

  /** Still pending past the hello timeout: closes it. */
  helloOverdue(): void {
    if (this.#state !== "pending") return;
    this.terminate(RelayCloseCode.heartbeatTimeout, "hello timeout", {
      bye: "timeout",
    });
  }

  /** pending → open: welcomed with session `id`, resumable with `resume`. */
  open(
    id: string,
    identity: Identity,
    profile: unknown,
    resume: string | undefined,
  ): void {
    if (this.#state !== "pending") return;
    this.id = id;
    this.resume = resume;
    this.identity = identity;
    this.profile = profile;
    this.holdsSession = true;
    this.request = undefined;
    this.#state = "open";
  }

  /**
   * Sends one frame; never throws. Returns whether it went out: over
   * `maxBufferedBytes` nothing goes out, and each frame not sent is a drop.
   */
  send(text: string): boolean {
    // The fan-out hot path: once per recipient of every message.
    const state = this.#state;
    if (state === "closing" || state === "closed") return false;
    const socket = this.socket;
    const shared = this.#shared;
    const buffered = socket.bufferedAmount;
    if (buffered !== undefined && buffered > shared.maxBufferedBytes) {
      this.#backlogged();
      return false;
    }
    let answer: unknown;
    try {
      answer = socket.send(text);
    } catch {
      shared.counters.drops++;
      return false;
    }
    if (answer === false) {
      // The runtime dropped it: its own backpressure limit.
      this.#backlogged();
      return false;
    }
    this.#backlogSince = -1;
    shared.counters.sent(text, 1);
    return true;
  }

  /**
   * Sends a volatile frame: the first to go, already over
   * `softBufferedBytes` (a drop); otherwise as {@linkcode send}.
   */
  sendVolatile(text: string): boolean {
    const buffered = this.socket.bufferedAmount;
    const shared = this.#shared;
    if (
      buffered !== undefined && buffered > shared.softBufferedBytes &&
      buffered <= shared.maxBufferedBytes && this.serving
    ) {
      shared.counters.drops++;
      return false;
    }
    return this.send(text);
  }

  /** A send dropped for backlog; too long backlogged, the connection closes. */
  #backlogged(): void {
    const { counters, context } = this.#shared;
    counters.drops++;
    const now = context.clock.now();
    const timeout = context.settings.slowConsumerTimeout;
    if (this.#backlogSince < 0) this.#backlogSince = now;
    else if (timeout > 0 && now - this.#backlogSince >= timeout) {
      // Not now: the caller may be iterating the channel this leaves.
      queueMicrotask(() => this.#closeSlow());
    }
  }

  /** Closes a slow consumer: `bye` with a retry hint, then 1013. */
  #closeSlow(): void {
    if (!this.serving) return;
    const { counters, context } = this.#shared;
    counters.slowConsumers++;
    context.log?.("warn", "slow_consumer_close", {
      session: this.id,
      bufferedAmount: this.socket.bufferedAmount,
    });
    this.terminate(RelayCloseCode.tryAgainLater, "slow consumer", {
      bye: "slow_consumer",
      retryAfter: context.settings.slowConsumerTimeout,
      linger: true,
    });
  }

  /** Acks request `ref` (nothing without a ref). */
  ack(ref: number | undefined, data?: unknown): void {
    if (ref !== undefined) this.send(encodeFrame(ackFrame(ref, data)));
  }

  /** An ack error when the frame had a ref, an error frame otherwise. */
  reply(ref: number | undefined, error: ErrorBody): void {
    this.#shared.counters.error(error.code);
    this.send(
      encodeFrame(
        ref === undefined ? errorFrame(error) : ackErrorFrame(ref, error),
      ),
    );
  }

  /** What an adapter persists to rebuild this connection after a wake. */
  snapshot(): ConnectionSnapshot {
    const snapshot: ConnectionSnapshot = {
      session: this.id,
      identity: this.identity,
      profile: this.profile,
      channels: [...this.channels.keys()],
    };
    if (this.resume !== undefined) snapshot.resume = this.resume;
    return snapshot;
  }

  /** Hands the socket a fresh snapshot, if it keeps one. */
  persist(): void {
    if (this.socket.persist === undefined || this.#state !== "open") return;
    try {
      this.socket.persist(this.snapshot());
    } catch (error) {
      this.#shared.context.report(error);
    }
  }

  /**
   * Ends the connection, the one way it is ever ended by the relay: says
   * `bye` if asked, stops serving it (it leaves its channels, its session is
   * parked, queued frames are dropped), then closes the socket with `code`,
   * now or after the linger. On a connection already closing, closes it now
   * unless `linger` is asked again; on a closed one, does nothing.
   */
  terminate(
    code: number,
    reason: string,
    options: TerminateOptions = {},
  ): void {
    if (this.#state === "closed") return;
    if (this.#state === "closing") {
      const closing = this.#closing!;
      if (!options.linger) this.#finish(closing.code, closing.reason);
      return;
    }
    if (options.bye !== undefined) {
      this.#sendBye(options.bye, options.retryAfter || undefined);
    }
    this.#shared.host.detach(this, options.dropped !== true);
    this.queue = undefined;
    if (!options.linger) {
      this.#finish(code, reason);
      return;
    }
    this.#state = "closing";
    const { clock, settings } = this.#shared.context;
    const closing: Closing = { code, reason, timer: undefined };
    this.#closing = closing;
    closing.timer = clock.setTimeout(() => {
      closing.timer = undefined;
      this.#finish(code, reason);
    }, settings.closeLinger);
  }

  /** Sends `bye`, past the backlog check. */
  #sendBye(reason: ByeReason, retryAfter: number | undefined): void {
    try {
      const text = encodeFrame(byeFrame(reason, retryAfter));
      if (this.socket.send(text) === false) {
        this.#shared.counters.drops++;
      } else this.#shared.counters.sent(text, 1);
    } catch {
      this.#shared.counters.drops++;
    }
  }

  /**
   * The socket closed (the peer, or us) with `code`: forget the connection.
   * Idempotent.
   */
  socketClosed(code?: number): void {
    if (this.#state === "closed") return;
    this.#clearLinger();
    const host = this.#shared.host;
    if (this.#state !== "closing") host.detach(this, code === 1000);
    this.#state = "closed";
    this.queue = undefined;
    host.forget(this);
  }

  #finish(code: number, reason: string): void {
    this.#clearLinger();
    this.#state = "closed";
    this.#shared.host.forget(this);
    try {
      this.socket.close(code, reason);
    } catch (error) {
      this.#shared.context.report(error);
    }
  }

  #clearLinger(): void {
    const timer = this.#closing?.timer;
    if (timer === undefined) return;
    this.#shared.context.clock.clearTimeout(timer);
    this.#closing!.timer = undefined;
  }
}
