/**
 * The relay core: sessions, channels, members, presence, app-wide and
 * per-user events, publish acks with dedupe, limits and hooks. It uses no
 * runtime API: an adapter hands it each upgrade request ({@linkcode
 * Relay.accept}) and each open socket ({@linkcode Relay.open}), then feeds it
 * the socket's frames.
 *
 * @module
 */

import { checkNumber, type NumberRange } from "../core/_options.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { isThenable } from "../core/_thenable.ts";
import {
  ackErrorFrame,
  ackFrame,
  byeFrame,
  type ClientFrame,
  decodeClientFrame,
  DEFAULT_HEARTBEAT,
  DEFAULT_LIMITS,
  encodeFrame,
  type ErrorBody,
  type ErrorCode,
  errorFrame,
  type Heartbeat,
  type HelloFrame,
  isChannelName,
  isEventName,
  type JoinAckData,
  type JoinFrame,
  type LeaveFrame,
  type Member,
  type MembersAckData,
  type MembersFrame,
  msgFrame,
  PING,
  PONG,
  presenceFrame,
  PROTOCOL_VERSION,
  type PubAckData,
  type PubFrame,
  RelayCloseCode,
  type RelayLimits,
  type UpdateFrame,
  userFrame,
  welcomeFrame,
} from "../protocol/mod.ts";
import { readToken } from "./auth_token.ts";
import { Channel } from "./_channel.ts";
import { Connection } from "./_connection.ts";
import { APP_TOPIC, type Fanout } from "./fanout.ts";
import type { Identity } from "./identity.ts";
import { Session } from "./_session.ts";
import type { RelaySocket } from "./socket.ts";
import { TokenBucket } from "./token_bucket.ts";

export { RelayCloseCode };

/**
 * What an `authorize` hook is asked about.
 *
 * @example A read-only channel
 * ```ts
 * import { type Identity, Relay, type RelayAction } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const authorize = (_who: Identity, action: RelayAction, channel: string | null) =>
 *   !(action === "publish" && channel === "announcements");
 * const relay = new Relay({ authorize });
 * const sent: string[] = [];
 * const client = relay.open({ send: (text) => sent.push(text), close() {} });
 * client.message('{"type":"hello","v":1}');
 * client.message('{"type":"join","channel":"announcements"}'); // joining is allowed
 * client.message('{"type":"pub","ref":1,"channel":"announcements","event":"chat"}');
 * assert.equal(JSON.parse(sent.at(-1)!).error.code, "forbidden");
 * relay.close();
 * ```
 */
export type RelayAction = "join" | "publish";

/**
 * Options for {@linkcode Relay}. Each duration is in milliseconds; every
 * field is optional.
 *
 * @example Tighter limits, a faster heartbeat and an origin list
 * ```ts
 * import { Relay, type RelayOptions } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const options: RelayOptions = {
 *   limits: { channels: 10, rate: 20, burst: 40 },
 *   heartbeat: { interval: 15_000 },
 *   origins: ["https://app.example"],
 * };
 * const relay = new Relay(options);
 * assert.equal(relay.limits.channels, 10);
 * assert.equal(relay.limits.frameBytes, 1024 * 1024); // the default
 * assert.equal(relay.heartbeat.interval, 15_000);
 * relay.close();
 * ```
 */
export interface RelayOptions {
  /** Limits, each defaulting to {@linkcode DEFAULT_LIMITS}. */
  limits?: Partial<RelayLimits>;
  /** The heartbeat announced in `welcome` and enforced; defaults to {@linkcode DEFAULT_HEARTBEAT}. */
  heartbeat?: Partial<Heartbeat>;
  /**
   * Decides who an upgrade request is. The token comes from
   * `Sec-WebSocket-Protocol` (`lifeline, token.<value>`) or `?token=`, and
   * later from a `hello` that carries one. Returning null or undefined, or
   * throwing, rejects (401). Default: everyone is anonymous (`{}`).
   */
  authenticate?(
    request: Request,
    token: string | undefined,
  ): Identity | null | undefined | Promise<Identity | null | undefined>;
  /**
   * Decides joins and publishes (`channel` null = app-wide broadcast);
   * anything but `true` is answered with the ack error `forbidden` (a throw
   * with `internal`). Default: allow.
   */
  authorize?(
    identity: Identity,
    action: RelayAction,
    channel: string | null,
  ): boolean | Promise<boolean>;
  /**
   * Allowed `Origin` header values, or a predicate. Absent: any origin.
   * Requests without an `Origin` header (non-browser clients) are allowed.
   */
  origins?: readonly string[] | ((origin: string) => boolean);
  /** Native fan-out; without it the relay sends to each socket itself. */
  fanout?: Fanout;
  /** The source of time. @default {systemClock} */
  clock?: Clock;
  /** Bad frames within `badFrameWindow` that close a connection with 1008. @default {10} */
  badFrameLimit?: number;
  /** The window `badFrameLimit` counts over. @default {10000} */
  badFrameWindow?: number;
  /** How long a connection closed for bad input lingers before the close frame goes out. @default {250} */
  closeLinger?: number;
  /** How long a closed session can be resumed. @default {120000} */
  resumeWindow?: number;
  /** Most closed sessions kept for resuming; the oldest go first. @default {10000} */
  resumableSessions?: number;
  /** Client message ids remembered per session for dedupe. @default {1024} */
  dedupeSize?: number;
  /** A socket with more bytes buffered than this misses messages (counted as drops). @default {4194304} */
  maxBufferedBytes?: number;
  /** A socket that keeps missing messages this long is closed with 1013; 0 = never. @default {10000} */
  slowConsumerTimeout?: number;
  /** Told about unexpected errors (a throwing hook, a bug); the relay goes on. */
  onError?(error: unknown): void;
}

/**
 * The outcome of {@linkcode Relay.accept}, discriminated on `ok`.
 *
 * @example Accepting a request with a token
 * ```ts
 * import { type AcceptResult, Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay({
 *   authenticate: (_request, token) => token === "abc" ? { userId: "u1" } : null,
 * });
 * const result: AcceptResult = await relay.accept(new Request("http://relay.test/ws?token=abc"));
 * assert.ok(result.ok);
 * assert.equal(result.identity.userId, "u1");
 * const refused = await relay.accept(new Request("http://relay.test/ws?token=nope"));
 * assert.equal(!refused.ok && refused.status, 401);
 * relay.close();
 * ```
 */
export type AcceptResult =
  | {
    ok: true;
    identity: Identity;
    /** The subprotocol to answer with, when the client offered `lifeline`. */
    protocol?: string;
  }
  | { ok: false; status: number; code: ErrorCode; message: string };

/**
 * Counters of a {@linkcode Relay}, as {@linkcode Relay.stats} returns them;
 * cheap to read.
 *
 * @example Counting a ping and its pong
 * ```ts
 * import { Relay, type RelayStats } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * relay.open({ send() {}, close() {} }).message("ping");
 * const stats: RelayStats = relay.stats();
 * assert.equal(stats.connections, 1);
 * assert.equal(stats.sessions, 0); // no hello yet
 * assert.deepEqual([stats.messagesIn, stats.messagesOut], [1, 1]);
 * relay.close();
 * ```
 */
export interface RelayStats {
  /** Open sockets, welcomed or not. */
  connections: number;
  /** Welcomed connections. */
  sessions: number;
  /** Closed sessions that can still be resumed. */
  resumable: number;
  /** Channels with at least one member. */
  channels: number;
  /** Frames received, `ping` included. */
  messagesIn: number;
  /** Frames sent (with a fan-out: handed to it, per recipient). */
  messagesOut: number;
  /** Frames not sent: a throwing `send` or a socket over the backlog bound. */
  drops: number;
  /** Frames answered with a decoding error, `hello_required` or `too_large`. */
  badFrames: number;
  /** Frames refused with `rate_limited`. */
  rateLimited: number;
  /** Publishes acked as duplicates of an earlier `mid`, not delivered. */
  duplicates: number;
}

/**
 * The handle of one connection, given to the adapter by {@linkcode Relay.open}.
 *
 * @example Feeding frames and reporting the close
 * ```ts
 * import { Relay, type RelayConnection } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const connection: RelayConnection = relay.open({ send() {}, close() {} });
 * connection.message('{"type":"hello","v":1}');
 * assert.equal(relay.stats().sessions, 1);
 * connection.closed(1000, "bye");
 * assert.equal(relay.stats().connections, 0);
 * relay.close();
 * ```
 */
export interface RelayConnection {
  /** The session id once welcomed; before that a provisional id. */
  readonly id: string;
  /** The adapter feeds every inbound frame here; never throws. */
  message(data: string | ArrayBuffer | Uint8Array): void;
  /** The adapter calls this when the socket closed (peer or us). Idempotent. */
  closed(code?: number, reason?: string): void;
}

/** Frames queued behind an async hook, per connection, before more are refused. */
const MAX_QUEUE = 1024;

type Verdict = boolean | undefined; // undefined: the hook failed

const POSITIVE: NumberRange = { positive: true };
const NON_NEGATIVE: NumberRange = { min: 0 };

/**
 * A runtime-neutral pub/sub relay. See PROTOCOL.md for the frames it speaks.
 *
 * @example Two clients in a channel
 * ```ts
 * import { Relay, type RelaySocket } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay();
 * const inbox = (sent: string[]): RelaySocket => ({
 *   send: (text) => sent.push(text),
 *   close() {},
 * });
 * const alice: string[] = [];
 * const bob: string[] = [];
 * const a = relay.open(inbox(alice));
 * const b = relay.open(inbox(bob));
 * for (const c of [a, b]) {
 *   c.message('{"type":"hello","v":1}');
 *   c.message('{"type":"join","channel":"lobby"}');
 * }
 * a.message('{"type":"pub","ref":1,"channel":"lobby","event":"chat","data":"hi"}');
 * assert.deepEqual(JSON.parse(bob.at(-1)!), {
 *   type: "msg", channel: "lobby", offset: 1, event: "chat", data: "hi", sender: a.id,
 * });
 * assert.deepEqual(JSON.parse(alice.at(-1)!), {
 *   type: "ack", ref: 1, ok: true, data: { offset: 1 },
 * });
 * relay.close();
 * ```
 */
export class Relay {
  #clock: Clock;
  #limits: RelayLimits;
  #heartbeat: Heartbeat;
  #options: RelayOptions;
  #fanout: Fanout | undefined;
  #badFrameLimit: number;
  #badFrameWindow: number;
  #closeLinger: number;
  #resumeWindow: number;
  #resumableSessions: number;
  #dedupeSize: number;
  #maxBuffered: number;
  #slowConsumerTimeout: number;

  #connections = new Set<Connection>();
  #sessions = new Map<string, Connection>();
  #parked = new Map<string, { session: Session; expires: number }>();
  #users = new Map<string, Set<Connection>>();
  #channels = new Map<string, Channel>();
  #sweep: TimerId | undefined;
  #closed = false;

  #messagesIn = 0;
  #messagesOut = 0;
  #drops = 0;
  #badFrames = 0;
  #rateLimited = 0;
  #duplicates = 0;

  /** Makes a relay; throws `RangeError` for a negative limit or duration. */
  constructor(options: RelayOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#fanout = options.fanout;
    const check = (name: string, value: number, range = NON_NEGATIVE) =>
      checkNumber("Relay", name, value, range);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    for (const [name, value] of Object.entries(limits)) {
      // A rate of 0 turns rate limiting off, and the burst then may be 0 too.
      const mayBeZero = name === "rate" || name === "burst";
      check(`limits.${name}`, value, mayBeZero ? NON_NEGATIVE : POSITIVE);
    }
    if (limits.rate > 0) check("limits.burst", limits.burst, { min: 1 });
    this.#limits = limits;
    const heartbeat = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
    check("heartbeat.interval", heartbeat.interval);
    check("heartbeat.timeout", heartbeat.timeout);
    this.#heartbeat = heartbeat;
    this.#badFrameLimit = check(
      "badFrameLimit",
      options.badFrameLimit ?? 10,
      POSITIVE,
    );
    this.#badFrameWindow = check(
      "badFrameWindow",
      options.badFrameWindow ?? 10_000,
    );
    this.#closeLinger = check("closeLinger", options.closeLinger ?? 250);
    this.#resumeWindow = check("resumeWindow", options.resumeWindow ?? 120_000);
    this.#resumableSessions = check(
      "resumableSessions",
      options.resumableSessions ?? 10_000,
    );
    this.#dedupeSize = check("dedupeSize", options.dedupeSize ?? 1024);
    this.#maxBuffered = check(
      "maxBufferedBytes",
      options.maxBufferedBytes ?? 4 * 1024 * 1024,
    );
    this.#slowConsumerTimeout = check(
      "slowConsumerTimeout",
      options.slowConsumerTimeout ?? 10_000,
    );
  }

  /** The limits this relay enforces (and announces in `welcome`). */
  get limits(): Readonly<RelayLimits> {
    return this.#limits;
  }

  /** The heartbeat this relay announces and enforces. */
  get heartbeat(): Readonly<Heartbeat> {
    return this.#heartbeat;
  }

  /** Whether {@linkcode Relay.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // ------------------------------------------------------------ adapter API

  /**
   * HTTP-level checks before the upgrade: origin (403), then the token and
   * `authenticate` (401). The adapter answers a failure with `status`, and
   * a success by upgrading with `protocol` as the subprotocol, if any.
   *
   * @example Checking an origin
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay({ origins: ["https://app.test"] });
   * const bad = await relay.accept(
   *   new Request("http://relay.test/ws", { headers: { origin: "https://evil.test" } }),
   * );
   * assert.equal(bad.ok, false);
   * assert.equal(!bad.ok && bad.status, 403);
   * relay.close();
   * ```
   */
  async accept(request: Request): Promise<AcceptResult> {
    if (this.#closed) {
      return {
        ok: false,
        status: 503,
        code: "internal",
        message: "The relay is closed",
      };
    }
    const origin = request.headers.get("origin");
    const origins = this.#options.origins;
    if (origin !== null && origins !== undefined) {
      let allowed: boolean;
      try {
        allowed = typeof origins === "function"
          ? origins(origin) === true
          : origins.includes(origin);
      } catch (error) {
        this.#report(error);
        allowed = false;
      }
      if (!allowed) {
        return {
          ok: false,
          status: 403,
          code: "forbidden",
          message: "Origin not allowed",
        };
      }
    }
    const { token, protocol, error } = readToken(request);
    if (error !== undefined) {
      return { ok: false, status: 400, code: "bad_frame", message: error };
    }
    let identity: Identity | null | undefined = {};
    const authenticate = this.#options.authenticate;
    if (authenticate !== undefined) {
      try {
        identity = await authenticate(request, token);
      } catch (error) {
        this.#report(error);
        identity = undefined;
      }
    }
    if (identity === null || identity === undefined) {
      return {
        ok: false,
        status: 401,
        code: "unauthorized",
        message: "Authentication failed",
      };
    }
    return protocol === undefined
      ? { ok: true, identity }
      : { ok: true, identity, protocol };
  }

  /**
   * Takes an open socket; returns the handle the adapter feeds frames and
   * the close to. `identity` is what `accept` returned (default anonymous);
   * `request` is the upgrade request, handed to `authenticate` again if the
   * `hello` carries a token. On a closed relay the socket is closed at once.
   */
  open(
    socket: RelaySocket,
    identity: Identity = {},
    request?: Request,
  ): RelayConnection {
    const now = this.#clock.now();
    const bucket = this.#limits.rate > 0
      ? new TokenBucket({
        rate: this.#limits.rate,
        burst: this.#limits.burst,
        now,
      })
      : undefined;
    const conn = new Connection(
      socket,
      identity,
      request,
      crypto.randomUUID(),
      bucket,
      now,
    );
    const handle: RelayConnection = {
      get id(): string {
        return conn.id;
      },
      message: (data) => this.#receive(conn, data),
      closed: () => this.#onClosed(conn),
    };
    if (this.#closed) {
      conn.state = "closed";
      this.#closeSocket(
        conn,
        RelayCloseCode.serviceRestart,
        "relay is closed",
      );
      return handle;
    }
    this.#connections.add(conn);
    this.#armSweep();
    return handle;
  }

  // ------------------------------------------------------------ server API

  /**
   * The current members of a channel (empty when nobody is in it).
   *
   * @example Listing members
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay();
   * const c = relay.open({ send() {}, close() {} });
   * c.message('{"type":"hello","v":1,"profile":{"name":"ann"}}');
   * c.message('{"type":"join","channel":"lobby"}');
   * assert.deepEqual(relay.members("lobby"), [{ id: c.id, data: { name: "ann" } }]);
   * relay.close();
   * ```
   */
  members(channel: string): Member[] {
    return this.#channels.get(channel)?.memberList() ?? [];
  }

  /**
   * Sends a `user` frame to every welcomed connection of a user; returns how
   * many were sent (not dropped).
   *
   * @example Reaching both tabs of a user
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay();
   * for (let i = 0; i < 2; i++) {
   *   relay.open({ send() {}, close() {} }, { userId: "u1" })
   *     .message('{"type":"hello","v":1}');
   * }
   * assert.equal(relay.sendToUser("u1", "notice", { n: 1 }), 2);
   * assert.equal(relay.sendToUser("nobody", "notice"), 0);
   * relay.close();
   * ```
   */
  sendToUser(userId: string, event: string, data?: unknown): number {
    const conns = this.#users.get(userId);
    if (conns === undefined) return 0;
    const text = encodeFrame(userFrame(event, data));
    let sent = 0;
    for (const conn of conns) if (this.#send(conn, text)) sent++;
    return sent;
  }

  /**
   * Publishes from the server (`sender` null) to a channel's members, with
   * the next channel offset, or app-wide when `channel` is null. A channel
   * nobody is in gets nothing. Throws `TypeError` for an invalid channel or
   * event name.
   *
   * @example An app-wide notice
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay();
   * const sent: string[] = [];
   * relay.open({ send: (t) => sent.push(t), close() {} })
   *   .message('{"type":"hello","v":1}');
   * relay.publish(null, "deploy", { version: 2 });
   * assert.deepEqual(JSON.parse(sent.at(-1)!), {
   *   type: "msg", channel: null, event: "deploy", data: { version: 2 }, sender: null,
   * });
   * relay.close();
   * ```
   */
  publish(channel: string | null, event: string, data?: unknown): void {
    if (
      channel !== null && !isChannelName(channel, this.#limits.channelLength)
    ) {
      throw new TypeError(
        `Cannot publish as 'channel' is not a valid channel name: current value is ${channel}`,
      );
    }
    if (!isEventName(event)) {
      throw new TypeError(
        `Cannot publish as 'event' is not a valid event name: current value is ${event}`,
      );
    }
    if (this.#closed) return;
    this.#deliver(channel, event, data, null, undefined);
  }

  /**
   * Counters, read when called.
   *
   * @example Counting connections
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay();
   * relay.open({ send() {}, close() {} }).message('{"type":"hello","v":1}');
   * assert.equal(relay.stats().connections, 1);
   * assert.equal(relay.stats().sessions, 1);
   * relay.close();
   * assert.equal(relay.stats().connections, 0);
   * ```
   */
  stats(): RelayStats {
    return {
      connections: this.#connections.size,
      sessions: this.#sessions.size,
      resumable: this.#parked.size,
      channels: this.#channels.size,
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
      drops: this.#drops,
      badFrames: this.#badFrames,
      rateLimited: this.#rateLimited,
      duplicates: this.#duplicates,
    };
  }

  /**
   * Says `bye` (reconnect: true) to everyone, closes every socket with 1012
   * (service restart) and stops every timer. Later upgrades get 503 and
   * later sockets are closed at once. Idempotent.
   *
   * @example Shutting down
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay();
   * const codes: (number | undefined)[] = [];
   * relay.open({ send() {}, close: (code) => codes.push(code) });
   * relay.close();
   * assert.deepEqual(codes, [1012]);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweep !== undefined) {
      this.#clock.clearTimeout(this.#sweep);
      this.#sweep = undefined;
    }
    const bye = encodeFrame(byeFrame("shutdown"));
    const conns = [...this.#connections];
    this.#connections.clear();
    this.#sessions.clear();
    this.#users.clear();
    this.#channels.clear();
    this.#parked.clear();
    for (const conn of conns) {
      if (conn.state === "closing") {
        this.#clock.clearTimeout(conn.linger);
        conn.state = "closed";
        this.#closeSocket(conn, conn.closeCode, conn.closeReason);
        continue;
      }
      this.#send(conn, bye);
      conn.state = "closed";
      conn.channels.clear();
      this.#closeSocket(
        conn,
        RelayCloseCode.serviceRestart,
        "service restart",
      );
    }
  }

  /** Calls {@linkcode Relay.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ------------------------------------------------------------ inbound

  #receive(conn: Connection, data: string | ArrayBuffer | Uint8Array): void {
    if (conn.state === "closing" || conn.state === "closed") return;
    this.#messagesIn++;
    conn.lastSeen = this.#clock.now();
    try {
      if (data === PING) {
        this.#send(conn, PONG);
        return;
      }
      if (conn.busy) {
        if (conn.queue.length < MAX_QUEUE) conn.queue.push(data);
        else {
          this.#rateLimited++;
          this.#reply(conn, undefined, {
            code: "rate_limited",
            message: "Too many frames waiting",
          });
        }
        return;
      }
      this.#process(conn, data);
    } catch (error) {
      this.#internal(conn, error);
    }
  }

  #process(conn: Connection, data: string | ArrayBuffer | Uint8Array): void {
    if (typeof data !== "string") {
      if (data.byteLength > this.#limits.frameBytes) this.#tooLarge(conn);
      else {
        this.#bad(conn, {
          code: "bad_frame",
          message: "Binary frames are not supported",
        });
      }
      return;
    }
    const result = decodeClientFrame(data, this.#limits);
    if (!result.ok) {
      if (result.error.code === "too_large") this.#tooLarge(conn);
      else if (result.error.code === "profile_too_large") {
        this.#reply(conn, result.error.ref, result.error);
      } else this.#bad(conn, result.error);
      return;
    }
    const frame = result.frame;
    // The handshake is not rate limited (nor is `ping`, answered above): a
    // client that spent its burst just before a reconnect must still get in.
    const handshake = frame.type === "hello" && conn.state === "pending";
    if (
      !handshake && conn.bucket !== undefined &&
      !conn.bucket.take(this.#clock.now())
    ) {
      this.#rateLimited++;
      this.#reply(conn, frame.ref, {
        code: "rate_limited",
        message: `More than ${this.#limits.rate} messages per second`,
      });
      return;
    }
    if (conn.state === "pending" && frame.type !== "hello") {
      this.#bad(conn, {
        code: "hello_required",
        message: "Send 'hello' first",
        ref: frame.ref,
      });
      return;
    }
    const pending = this.#handle(conn, frame);
    if (pending !== undefined) {
      conn.busy = true;
      pending.then(undefined, (error) => this.#internal(conn, error)).then(
        () => {
          conn.busy = false;
          this.#drain(conn);
        },
      );
    }
  }

  #drain(conn: Connection): void {
    while (
      !conn.busy && conn.queue.length > 0 &&
      (conn.state === "pending" || conn.state === "open")
    ) {
      try {
        this.#process(conn, conn.queue.shift()!);
      } catch (error) {
        this.#internal(conn, error);
      }
    }
    if (conn.state === "closing" || conn.state === "closed") {
      conn.queue.length = 0;
    }
  }

  #handle(conn: Connection, frame: ClientFrame): Promise<void> | void {
    switch (frame.type) {
      case "hello":
        return this.#hello(conn, frame);
      case "join":
        return this.#join(conn, frame);
      case "leave":
        return this.#leave(conn, frame);
      case "pub":
        return this.#pub(conn, frame);
      case "members":
        return this.#membersOf(conn, frame);
      case "update":
        return this.#update(conn, frame);
    }
  }

  // ------------------------------------------------------------ frames

  #hello(conn: Connection, frame: HelloFrame): Promise<void> | void {
    if (conn.state !== "pending") {
      this.#reply(conn, frame.ref, {
        code: "bad_frame",
        message: "Already welcomed",
      });
      return;
    }
    if (frame.v !== PROTOCOL_VERSION) {
      this.#reply(conn, frame.ref, {
        code: "unsupported_version",
        message: `This relay speaks protocol version ${PROTOCOL_VERSION}`,
      });
      this.#send(conn, encodeFrame(byeFrame("unsupported_version")));
      this.#shut(conn, RelayCloseCode.protocolError, "unsupported version");
      return;
    }
    const authenticate = this.#options.authenticate;
    if (frame.token === undefined || authenticate === undefined) {
      this.#welcome(conn, frame, conn.identity);
      return;
    }
    const request = conn.request ?? new Request("http://relay.invalid/");
    let identity: ReturnType<typeof authenticate>;
    try {
      identity = authenticate(request, frame.token);
    } catch (error) {
      this.#report(error);
      identity = undefined;
    }
    if (!isThenable(identity)) {
      this.#afterHelloAuth(conn, frame, identity);
      return;
    }
    return Promise.resolve(identity).then(
      (identity) => this.#afterHelloAuth(conn, frame, identity),
      (error) => {
        this.#report(error);
        this.#afterHelloAuth(conn, frame, undefined);
      },
    );
  }

  #afterHelloAuth(
    conn: Connection,
    frame: HelloFrame,
    identity: Identity | null | undefined,
  ): void {
    if (conn.state !== "pending") return;
    if (identity !== null && identity !== undefined) {
      this.#welcome(conn, frame, identity);
      return;
    }
    this.#reply(conn, frame.ref, {
      code: "unauthorized",
      message: "Authentication failed",
    });
    this.#send(conn, encodeFrame(byeFrame("unauthorized")));
    this.#shut(conn, RelayCloseCode.unauthorized, "unauthorized");
  }

  #welcome(conn: Connection, frame: HelloFrame, identity: Identity): void {
    conn.identity = identity;
    const userId = identity.userId;
    let session: Session | undefined;
    if (frame.session !== undefined) {
      const parked = this.#parked.get(frame.session);
      if (parked !== undefined) {
        if (parked.expires <= this.#clock.now()) {
          this.#parked.delete(frame.session);
        } else if (parked.session.userId === userId) {
          this.#parked.delete(frame.session);
          session = parked.session;
        }
      } else if (userId !== undefined) {
        // A live session of the same user: its old socket is likely dead
        // and not yet noticed. The new connection takes the session over.
        const live = this.#sessions.get(frame.session);
        if (live !== undefined && live.session?.userId === userId) {
          session = live.session;
          this.#send(live, encodeFrame(byeFrame("replaced")));
          live.session = undefined; // not parked: it moves to `conn`
          this.#detach(live);
          live.state = "closed";
          this.#connections.delete(live);
          this.#closeSocket(
            live,
            RelayCloseCode.sessionReplaced,
            "session replaced",
          );
        }
      }
    }
    session ??= new Session(conn.id, userId, this.#dedupeSize);
    conn.session = session;
    conn.id = session.id;
    conn.profile = frame.profile ?? null;
    conn.state = "open";
    this.#sessions.set(conn.id, conn);
    if (userId !== undefined) {
      const conns = this.#users.get(userId);
      if (conns === undefined) this.#users.set(userId, new Set([conn]));
      else conns.add(conn);
    }
    this.#fanout?.subscribe(conn.socket, APP_TOPIC);
    this.#send(
      conn,
      encodeFrame(
        welcomeFrame(conn.id, this.#limits, this.#heartbeat, frame.ref),
      ),
    );
  }

  #join(conn: Connection, frame: JoinFrame): Promise<void> | void {
    const existing = conn.channels.get(frame.channel);
    if (existing !== undefined) {
      this.#ack(conn, frame.ref, this.#joinAck(existing));
      return;
    }
    if (conn.channels.size >= this.#limits.channels) {
      this.#reply(conn, frame.ref, {
        code: "too_many_channels",
        message: `At most ${this.#limits.channels} channels per connection`,
      });
      return;
    }
    return this.#authorize(conn, "join", frame.channel, frame.ref, () => {
      let channel = this.#channels.get(frame.channel);
      if (channel === undefined) {
        channel = new Channel(frame.channel);
        this.#channels.set(frame.channel, channel);
      }
      channel.members.add(conn);
      conn.channels.set(channel.name, channel);
      this.#fanout?.subscribe(conn.socket, channel.name);
      channel.version++;
      this.#ack(conn, frame.ref, this.#joinAck(channel));
      this.#presence(channel, "join", conn, frame.echo ?? true);
    });
  }

  #joinAck(channel: Channel): JoinAckData {
    return {
      members: channel.memberList(),
      offset: channel.offset,
      version: channel.version,
    };
  }

  /** The channel `frame` names if `conn` joined it; else answers not_joined. */
  #joined(
    conn: Connection,
    frame: LeaveFrame | MembersFrame,
  ): Channel | undefined {
    const channel = conn.channels.get(frame.channel);
    if (channel === undefined) {
      this.#reply(conn, frame.ref, {
        code: "not_joined",
        message: `Not in channel '${frame.channel}'`,
      });
    }
    return channel;
  }

  #leave(conn: Connection, frame: LeaveFrame): void {
    const channel = this.#joined(conn, frame);
    if (channel === undefined) return;
    this.#ack(conn, frame.ref);
    this.#removeMember(conn, channel, frame.echo ?? true);
  }

  #pub(conn: Connection, frame: PubFrame): Promise<void> | void {
    const name = frame.channel;
    if (name !== null && !conn.channels.has(name)) {
      this.#reply(conn, frame.ref, {
        code: "not_joined",
        message: `Join '${name}' before publishing to it`,
      });
      return;
    }
    const session = conn.session!;
    if (frame.mid !== undefined) {
      const seen = session.seen(frame.mid);
      if (seen !== undefined) {
        this.#duplicates++;
        this.#ack(conn, frame.ref, seen);
        return;
      }
    }
    return this.#authorize(conn, "publish", name, frame.ref, () => {
      const except = frame.echo === false ? conn : undefined;
      const offset = this.#deliver(
        name,
        frame.event,
        frame.data,
        conn.id,
        except,
      );
      const ack: PubAckData = offset === undefined ? {} : { offset };
      if (frame.mid !== undefined) session.remember(frame.mid, ack);
      this.#ack(conn, frame.ref, ack);
    });
  }

  #membersOf(conn: Connection, frame: MembersFrame): void {
    const channel = this.#joined(conn, frame);
    if (channel === undefined) return;
    const data: MembersAckData = {
      members: channel.memberList(),
      version: channel.version,
    };
    this.#ack(conn, frame.ref, data);
  }

  #update(conn: Connection, frame: UpdateFrame): void {
    conn.profile = frame.profile;
    this.#ack(conn, frame.ref);
    const echo = frame.echo ?? true;
    for (const channel of conn.channels.values()) {
      channel.version++;
      this.#presence(channel, "update", conn, echo);
    }
  }

  // ------------------------------------------------------------ delivery

  /** Sends a `msg`; returns the channel offset it got, if a channel message. */
  #deliver(
    name: string | null,
    event: string,
    data: unknown,
    sender: string | null,
    except: Connection | undefined,
  ): number | undefined {
    if (name === null) {
      const text = encodeFrame(msgFrame(null, undefined, event, data, sender));
      if (this.#fanout !== undefined) {
        this.#fanout.publish(APP_TOPIC, text, except?.socket);
        this.#messagesOut += this.#sessions.size - (except ? 1 : 0);
      } else {
        for (const conn of this.#sessions.values()) {
          if (conn !== except) this.#send(conn, text);
        }
      }
      return undefined;
    }
    const channel = this.#channels.get(name);
    if (channel === undefined) return undefined;
    const offset = ++channel.offset;
    const text = encodeFrame(msgFrame(name, offset, event, data, sender));
    this.#toChannel(channel, text, except);
    return offset;
  }

  #presence(
    channel: Channel,
    action: "join" | "leave" | "update",
    conn: Connection,
    echo: boolean,
  ): void {
    const text = encodeFrame(
      presenceFrame(
        channel.name,
        action,
        { id: conn.id, data: conn.profile },
        channel.version,
      ),
    );
    this.#toChannel(channel, text, echo ? undefined : conn);
    // A leaver is no longer a member: it hears its own leave directly.
    if (echo && action === "leave") this.#send(conn, text);
  }

  #toChannel(
    channel: Channel,
    text: string,
    except: Connection | undefined,
  ): void {
    if (this.#fanout !== undefined) {
      const skip = except !== undefined && channel.members.has(except);
      this.#fanout.publish(
        channel.name,
        text,
        skip ? except.socket : undefined,
      );
      this.#messagesOut += channel.members.size - (skip ? 1 : 0);
      return;
    }
    for (const conn of channel.members) {
      if (conn !== except) this.#send(conn, text);
    }
  }

  /** Sends one frame to one socket; never throws. Returns whether it went out. */
  #send(conn: Connection, text: string): boolean {
    if (conn.state === "closed" || conn.state === "closing") return false;
    const socket = conn.socket;
    const buffered = socket.bufferedAmount;
    if (buffered !== undefined && buffered > this.#maxBuffered) {
      this.#drops++;
      const now = this.#clock.now();
      if (conn.backlogSince < 0) conn.backlogSince = now;
      else if (
        this.#slowConsumerTimeout > 0 &&
        now - conn.backlogSince >= this.#slowConsumerTimeout
      ) {
        // Not now: the caller may be iterating the channel this leaves.
        queueMicrotask(() =>
          this.#shut(conn, RelayCloseCode.tryAgainLater, "slow consumer")
        );
      }
      return false;
    }
    conn.backlogSince = -1;
    try {
      socket.send(text);
    } catch {
      this.#drops++;
      return false;
    }
    this.#messagesOut++;
    return true;
  }

  #ack(conn: Connection, ref: number | undefined, data?: unknown): void {
    if (ref === undefined) return;
    this.#send(conn, encodeFrame(ackFrame(ref, data)));
  }

  /** An ack error when the frame had a ref, an error frame otherwise. */
  #reply(
    conn: Connection,
    ref: number | undefined,
    body: ErrorBody & { ref?: number },
  ): void {
    this.#send(
      conn,
      encodeFrame(
        ref === undefined ? errorFrame(body) : ackErrorFrame(ref, body),
      ),
    );
  }

  #authorize(
    conn: Connection,
    action: RelayAction,
    channel: string | null,
    ref: number | undefined,
    allowed: () => void,
  ): Promise<void> | void {
    const decide = (verdict: Verdict): void => {
      if (conn.state !== "open") return;
      if (verdict === true) allowed();
      else {
        this.#reply(
          conn,
          ref,
          verdict === false
            ? { code: "forbidden", message: `Not allowed to ${action}` }
            : { code: "internal", message: "Authorization failed" },
        );
      }
    };
    const hook = this.#options.authorize;
    if (hook === undefined) return decide(true);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = hook(conn.identity, action, channel);
    } catch (error) {
      this.#report(error);
      return decide(undefined);
    }
    if (!isThenable<boolean>(verdict)) return decide(verdict === true);
    return Promise.resolve(verdict).then(
      (verdict) => decide(verdict === true),
      (error) => {
        this.#report(error);
        decide(undefined);
      },
    );
  }

  // ------------------------------------------------------------ bad input and closing

  #bad(conn: Connection, error: ErrorBody & { ref?: number }): void {
    this.#badFrames++;
    this.#reply(conn, error.ref, error);
    const now = this.#clock.now();
    const times = conn.badTimes;
    times.push(now);
    if (times.length > this.#badFrameLimit) times.shift();
    if (
      times.length === this.#badFrameLimit &&
      now - times[0] <= this.#badFrameWindow
    ) {
      this.#shut(conn, RelayCloseCode.policyViolation, "too many bad frames");
    }
  }

  #tooLarge(conn: Connection): void {
    this.#badFrames++;
    this.#reply(conn, undefined, {
      code: "too_large",
      message: `Frame exceeds ${this.#limits.frameBytes} bytes`,
    });
    this.#shut(conn, RelayCloseCode.messageTooBig, "frame too large");
  }

  #internal(conn: Connection, error: unknown): void {
    this.#report(error);
    this.#reply(conn, undefined, {
      code: "internal",
      message: "Internal relay error",
    });
  }

  /**
   * Stops serving a connection at once (it leaves its channels and gets
   * nothing more) and closes it after the linger, so the close code reaches
   * a peer that is still sending.
   */
  #shut(conn: Connection, code: number, reason: string): void {
    if (conn.state === "closing" || conn.state === "closed") return;
    this.#detach(conn);
    conn.state = "closing";
    conn.queue.length = 0;
    conn.closeCode = code;
    conn.closeReason = reason;
    conn.linger = this.#clock.setTimeout(() => {
      conn.linger = undefined;
      if (conn.state !== "closing") return;
      conn.state = "closed";
      this.#connections.delete(conn);
      this.#closeSocket(conn, code, reason);
      this.#disarmSweepIfIdle();
    }, this.#closeLinger);
  }

  #onClosed(conn: Connection): void {
    if (conn.state === "closed") return;
    if (conn.linger !== undefined) {
      this.#clock.clearTimeout(conn.linger);
      conn.linger = undefined;
    }
    if (conn.state !== "closing") this.#detach(conn);
    conn.state = "closed";
    conn.queue.length = 0;
    this.#connections.delete(conn);
    this.#disarmSweepIfIdle();
  }

  /** Takes a connection out of every channel, index and topic; parks its session. */
  #detach(conn: Connection): void {
    if (conn.state === "open") {
      if (this.#sessions.get(conn.id) === conn) this.#sessions.delete(conn.id);
      const userId = conn.identity.userId;
      if (userId !== undefined) {
        const conns = this.#users.get(userId);
        conns?.delete(conn);
        if (conns?.size === 0) this.#users.delete(userId);
      }
      this.#fanout?.unsubscribe(conn.socket, APP_TOPIC);
      if (conn.session !== undefined && !this.#closed) {
        this.#park(conn.session);
      }
    }
    // Leave presence goes to the others only: the connection is going away.
    for (const channel of [...conn.channels.values()]) {
      this.#removeMember(conn, channel, false);
    }
  }

  #removeMember(conn: Connection, channel: Channel, echo: boolean): void {
    channel.members.delete(conn);
    conn.channels.delete(channel.name);
    this.#fanout?.unsubscribe(conn.socket, channel.name);
    channel.version++;
    this.#presence(channel, "leave", conn, echo);
    if (channel.members.size === 0) this.#channels.delete(channel.name);
  }

  #park(session: Session): void {
    if (this.#resumeWindow <= 0 || this.#resumableSessions <= 0) return;
    const now = this.#clock.now();
    this.#parked.delete(session.id);
    this.#parked.set(session.id, {
      session,
      expires: now + this.#resumeWindow,
    });
    this.#pruneParked(now);
  }

  #pruneParked(now: number): void {
    // Insertion order is expiry order: the window is the same for all.
    for (const [id, entry] of this.#parked) {
      if (
        entry.expires > now && this.#parked.size <= this.#resumableSessions
      ) break;
      this.#parked.delete(id);
    }
  }

  #closeSocket(conn: Connection, code: number, reason: string): void {
    try {
      conn.socket.close(code, reason);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // The error reporter failed too; there is nobody left to tell.
    }
  }

  // ------------------------------------------------------------ heartbeat

  #armSweep(): void {
    if (this.#sweep !== undefined || this.#heartbeat.timeout <= 0) return;
    this.#sweep = this.#clock.setTimeout(
      () => this.#runSweep(),
      this.#heartbeat.timeout,
    );
  }

  #disarmSweepIfIdle(): void {
    if (this.#sweep !== undefined && this.#connections.size === 0) {
      this.#clock.clearTimeout(this.#sweep);
      this.#sweep = undefined;
    }
  }

  #runSweep(): void {
    this.#sweep = undefined;
    const now = this.#clock.now();
    const silence = this.#heartbeat.interval + this.#heartbeat.timeout;
    const bye = encodeFrame(byeFrame("timeout"));
    for (const conn of [...this.#connections]) {
      if (conn.state === "closing" || now - conn.lastSeen <= silence) continue;
      this.#send(conn, bye);
      this.#detach(conn);
      conn.state = "closed";
      this.#connections.delete(conn);
      this.#closeSocket(
        conn,
        RelayCloseCode.heartbeatTimeout,
        "heartbeat timeout",
      );
    }
    this.#pruneParked(now);
    if (this.#connections.size > 0) this.#armSweep();
  }
}
