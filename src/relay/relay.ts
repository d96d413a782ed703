/**
 * The relay core: a facade over its parts (admission, connections, the
 * frame pipeline and handlers, channels and presence, sessions, the
 * heartbeat) and its store. It uses no runtime API: an adapter hands it each
 * upgrade request ({@linkcode Relay.accept}) and each open socket
 * ({@linkcode Relay.open}), then feeds it the socket's frames.
 *
 * The file is over 500 lines only because every public method carries its
 * documentation and an asserted example; its code (about 300 lines) is
 * wiring and delegation to the parts.
 *
 * @module
 */

import { createLog } from "../core/_log.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import {
  type Heartbeat,
  type Member,
  RelayCloseCode,
  type RelayLimits,
} from "../protocol/mod.ts";
import { Admission } from "./_admission.ts";
import { Channels } from "./_channels.ts";
import { Delivery } from "./_delivery.ts";
import { Connection, SharedState } from "./_connection.ts";
import {
  background,
  type Context,
  Counters,
  createContext,
} from "./_context.ts";
import { FrameHandlers } from "./_handlers.ts";
import { Sweeper } from "./_heartbeat.ts";
import { FramePipeline } from "./_pipeline.ts";
import { storeListener } from "./_listener.ts";
import { Sessions } from "./_sessions.ts";
import { resolveSettings } from "./_settings.ts";
import { UserCap } from "./_user_cap.ts";
import type { Identity } from "./identity.ts";
import { MemoryStore } from "./memory_store.ts";
import type { RelayOptions } from "./options.ts";
import type { ConnectionSnapshot } from "./snapshot.ts";
import type { RelaySocket } from "./socket.ts";
import type { AcceptResult } from "./accept_result.ts";
import type { RelayConnection } from "./connection.ts";
import type { RelayStats } from "./stats.ts";
import type { RelayStore } from "./store.ts";
import { randomSessionId } from "./_ids.ts";

export { RelayCloseCode };

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
  #context: Context;
  #clock: Clock;
  #store: RelayStore;
  /** The store the relay made itself (no `store` option), cleared on close. */
  #ownStore: MemoryStore | undefined;
  #sessionId: () => string;
  #counters = new Counters();
  #connections = new Set<Connection>();
  /** What its connections share (one field each, not five). */
  #shared: SharedState;
  #admission: Admission;
  #sessions: Sessions;
  #channels: Channels;
  #delivery: Delivery;
  #pipeline: FramePipeline;
  #sweeper: Sweeper;
  #sweepTimer: boolean;
  #userCap: UserCap;

  /**
   * Makes a relay; throws `TypeError` for an unknown option or one of the
   * wrong type, `RangeError` for a negative limit or duration.
   */
  constructor(options: RelayOptions = {}) {
    const settings = resolveSettings(options);
    this.#clock = options.clock ?? systemClock;
    this.#sessionId = options.sessionId ?? randomSessionId;
    this.#ownStore = options.store === undefined
      ? new MemoryStore({
        dedupeSize: options.dedupeSize,
        dedupeTotal: options.dedupeTotal,
        resumableSessions: options.resumableSessions,
        historySize: options.historySize,
        historyTtl: options.historyTtl,
        clock: this.#clock,
      })
      : undefined;
    this.#store = options.store ?? this.#ownStore!;
    this.#context = createContext(
      settings,
      this.#clock,
      this.#store,
      options.fanout,
      this.#counters,
      options.onError,
      createLog(options.logger, false, this.#clock),
    );
    const context = this.#context;
    this.#admission = new Admission(options, context.report);
    this.#sessions = new Sessions(
      context,
      options.resumeToken ?? (() => crypto.randomUUID()),
    );
    this.#sweepTimer = options.sweepTimer ?? true;
    this.#delivery = new Delivery(context, this.#sessions.live);
    this.#channels = new Channels(context, this.#delivery, this.#sweepTimer);
    this.#pipeline = new FramePipeline(
      context,
      new FrameHandlers(
        context,
        this.#admission,
        this.#sessions,
        this.#channels,
        this.#delivery,
        options.authorize,
      ),
    );
    this.#userCap = new UserCap(settings.maxConnectionsPerUser);
    this.#sweeper = new Sweeper(context, this.#connections, this.#sweepTimer);
    this.#shared = new SharedState(context, {
      detach: (conn, leaveNow) => this.#detach(conn, leaveNow),
      forget: (conn) => {
        if (this.#connections.delete(conn)) {
          this.#userCap.remove(conn.admittedUser);
        }
        this.#sweeper.disarmIfIdle();
      },
    }, (conn, data) => this.#pipeline.receive(conn, data));
    this.#store.listen?.(
      storeListener(context, this.#channels, this.#delivery, this.#sessions),
    );
  }

  /** The limits this relay enforces (and announces in `welcome`). */
  get limits(): Readonly<RelayLimits> {
    return this.#context.settings.limits;
  }

  /** The heartbeat this relay announces and enforces. */
  get heartbeat(): Readonly<Heartbeat> {
    return this.#context.settings.heartbeat;
  }

  /** Whether {@linkcode Relay.close} was called. */
  get closed(): boolean {
    return this.#context.closed;
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
    if (this.#context.closed) {
      return {
        ok: false,
        status: 503,
        code: "internal",
        message: "The relay is closed",
      };
    }
    const result = await this.#admission.accept(request);
    if (result.ok && this.#userCap.full(result.identity.userId)) {
      return this.#refused({
        ok: false,
        status: 429,
        code: "too_many_connections",
        message: "Too many connections for this user",
      });
    }
    return result.ok ? result : this.#refused(result);
  }

  /** Logs a refused upgrade: why, never the token. */
  #refused(result: AcceptResult & { ok: false }): AcceptResult {
    const { status, code, message } = result;
    if (status === 401) {
      this.#context.log?.("warn", "auth_failed", { at: "upgrade", status });
    } else {
      this.#context.log?.("warn", "upgrade_refused", {
        status,
        code,
        reason: message,
      });
    }
    return result;
  }

  /**
   * Takes an open socket; returns the handle the adapter feeds frames and
   * the close to. `identity` is what `accept` returned (default anonymous);
   * `request` is the upgrade request, handed to `authenticate` again if the
   * `hello` carries a token. On a closed relay the socket is closed at once.
   * `openedAt` is when the socket was accepted, on the relay's clock, if
   * before now: a socket rebuilt after a wake, still waiting for its
   * `hello`, keeps its hello deadline.
   */
  open(
    socket: RelaySocket,
    identity: Identity = {},
    request?: Request,
    openedAt?: number,
  ): RelayConnection {
    const full = this.#userCap.full(identity.userId);
    const conn = this.#connect(socket, identity, request, this.#sessionId());
    if (openedAt !== undefined && openedAt < conn.openedAt) {
      conn.openedAt = openedAt;
    }
    if (full) {
      // Past `accept` in a race with another upgrade of the same user.
      conn.terminate(RelayCloseCode.tryAgainLater, "too many connections");
    } else if (!this.#context.closed) {
      this.#sweeper.arm(true); // by its hello deadline too
    }
    return this.#handle(conn);
  }

  /**
   * Rebuilds a welcomed connection from the snapshot its socket kept
   * ({@linkcode RelaySocket.persist}), for a relay that lost its memory
   * while the socket stayed open (a Durable Object waking from
   * hibernation). No `welcome` is sent and nobody hears a presence change:
   * the connection is open again with its session, identity, profile and
   * channels, and the store is expected to still hold them; it was last
   * heard at the snapshot's `heardAt`, if earlier than now. `request` is
   * handed to `authenticate` if a later frame needs it. Call it once per
   * socket, and keep the handle as {@linkcode Relay.open}'s is kept.
   *
   * @example Rebuilding after a wake
   * ```ts
   * import { MemoryStore, Relay } from "@lifeline/realtime/relay";
   * import assert from "node:assert/strict";
   *
   * const relay = new Relay({ store: new MemoryStore() });
   * const sent: string[] = [];
   * const snapshot = { session: "s1", identity: { userId: "u1" }, profile: null, channels: ["lobby"] };
   * const connection = relay.restore({ send: (t) => sent.push(t), close() {} }, snapshot);
   * assert.equal(connection.id, "s1");
   * connection.message('{"type":"pub","ref":1,"channel":"lobby","event":"chat"}');
   * assert.equal(JSON.parse(sent.at(-1)!).ok, true); // no hello needed
   * relay.close();
   * ```
   */
  restore(
    socket: RelaySocket,
    snapshot: ConnectionSnapshot,
    request?: Request,
  ): RelayConnection {
    const conn = this.#connect(
      socket,
      snapshot.identity,
      request,
      snapshot.session,
    );
    if (this.#context.closed) return this.#handle(conn);
    conn.open(
      snapshot.session,
      snapshot.identity,
      snapshot.profile,
      snapshot.resume,
    );
    if (snapshot.heardAt !== undefined && snapshot.heardAt < conn.lastSeen) {
      conn.lastSeen = snapshot.heardAt;
    }
    this.#sessions.add(conn);
    this.#channels.restore(conn, snapshot.channels);
    this.#sweeper.arm();
    return this.#handle(conn);
  }

  #connect(
    socket: RelaySocket,
    identity: Identity,
    request: Request | undefined,
    id: string,
  ): Connection {
    const conn = new Connection(
      this.#shared,
      socket,
      identity,
      request,
      id,
    );
    if (this.#context.closed) {
      conn.terminate(RelayCloseCode.serviceRestart, "relay is closed");
    } else {
      this.#connections.add(conn);
      this.#userCap.add(conn.admittedUser);
    }
    return conn;
  }

  /** The adapter's handle: the connection itself (no wrapper per socket). */
  #handle(conn: Connection): RelayConnection {
    return conn;
  }

  /**
   * Takes a connection out of every index and parks its session; a clean
   * close leaves its channels at once, a drop keeps it in them for the
   * presence grace.
   */
  #detach(conn: Connection, leaveNow: boolean): void {
    const open = conn.state === "open";
    if (open) this.#sessions.remove(conn);
    const closed = this.#context.closed;
    if (open && !closed && !leaveNow && this.#channels.suspend(conn)) return;
    this.#channels.leaveAll(conn, closed);
  }

  // ------------------------------------------------------------ heartbeat

  /**
   * Runs the heartbeat sweep now: closes every connection that sent nothing
   * for `heartbeat.interval + heartbeat.timeout` ms (`bye` timeout, then
   * 4408), and every socket that sent no `hello` within `helloTimeout`, and
   * forgets expired sessions. The relay runs it on its own timer
   * unless `sweepTimer` is false; then the host calls it, at
   * {@linkcode Relay.nextSweepAt} (a Durable Object's alarm).
   *
   * @example Sweeping from an alarm
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import { fromFakeTimers } from "@lifeline/realtime/testing";
   * import { createClock } from "@sinonjs/fake-timers";
   * import assert from "node:assert/strict";
   *
   * const clock = fromFakeTimers(createClock());
   * const relay = new Relay({ clock, sweepTimer: false, heartbeat: { interval: 10, timeout: 5 } });
   * const codes: (number | undefined)[] = [];
   * relay.open({ send() {}, close: (code) => codes.push(code) });
   * assert.equal(relay.nextSweepAt(), 16);
   * clock.tick(16);
   * relay.sweep();
   * assert.deepEqual(codes, [4408]);
   * assert.equal(relay.nextSweepAt(), undefined);
   * relay.close();
   * ```
   */
  sweep(): void {
    if (this.#context.closed) return;
    this.#sweeper.sweep();
    this.#channels.sweepGrace(this.#clock.now());
  }

  /**
   * When a sweep next has a connection to close: the time, on the relay's
   * clock, the least recently heard connection has been silent too long;
   * `undefined` when there is no connection to watch (or `heartbeat.timeout`
   * is 0). A host that drives {@linkcode Relay.sweep} itself sets its alarm
   * for this time.
   *
   * @example The next sweep of a fresh connection
   * ```ts
   * import { Relay } from "@lifeline/realtime/relay";
   * import { fromFakeTimers } from "@lifeline/realtime/testing";
   * import { createClock } from "@sinonjs/fake-timers";
   * import assert from "node:assert/strict";
   *
   * const clock = fromFakeTimers(createClock(1_000));
   * const relay = new Relay({ clock, sweepTimer: false, heartbeat: { interval: 100, timeout: 50 } });
   * assert.equal(relay.nextSweepAt(), undefined);
   * relay.open({ send() {}, close() {} });
   * assert.equal(relay.nextSweepAt(), 1_151);
   * relay.close();
   * ```
   */
  nextSweepAt(): number | undefined {
    if (this.#context.closed) return undefined;
    const sweep = this.#sweeper.nextAt();
    const grace = this.#channels.nextGraceEnd();
    if (grace === undefined || sweep === undefined) return sweep ?? grace;
    return Math.min(sweep, grace);
  }

  // ------------------------------------------------------------ server API

  /**
   * The current members of a channel connected to this relay, members in
   * their presence grace included (empty when nobody is in it here); with a
   * store shared by several relays, the store knows the others.
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
    return this.#channels.local.get(channel)?.memberList() ?? [];
  }

  /**
   * Sends a `user` frame to every welcomed connection of a user; returns how
   * many were sent (not dropped) by this relay. A store shared by several
   * relay processes (`toUser`) takes it to the user's connections on the
   * others too, uncounted.
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
    const sent = this.#sessions.toUser(userId, event, data);
    if (this.#store.toUser !== undefined) {
      background(this.#context, this.#store.toUser(userId, event, data));
    }
    return sent;
  }

  /**
   * Publishes from the server (`sender` null) to a channel's members, with
   * the next channel offset, or app-wide (with the next app-wide offset)
   * when `channel` is null. A channel
   * the store does not know (nobody joined it, or it was forgotten) gets
   * nothing; one kept empty for its history keeps the message there. Throws
   * `TypeError` for an invalid channel or event name.
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
   *   type: "msg", channel: null, offset: 1, event: "deploy", data: { version: 2 }, sender: null,
   * });
   * relay.close();
   * ```
   */
  publish(channel: string | null, event: string, data?: unknown): void {
    this.#delivery.checkNames(channel, event);
    if (this.#context.closed) return;
    background(
      this.#context,
      channel === null
        ? this.#delivery.broadcast(event, data, null)
        : this.#delivery.publish(channel, event, data),
    );
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
    const c = this.#counters;
    const counts = this.#store.counts?.();
    let members = 0;
    for (const channel of this.#channels.local.values()) {
      members += channel.members.size;
    }
    return {
      connections: this.#connections.size,
      sessions: this.#sessions.live.size,
      resumable: counts?.resumable ?? 0,
      dedupeIds: counts?.dedupeIds ?? 0,
      channels: this.#channels.local.size,
      messagesIn: c.messagesIn,
      messagesOut: c.messagesOut,
      drops: c.drops,
      badFrames: c.badFrames,
      rateLimited: c.rateLimited,
      duplicates: c.duplicates,
      slowConsumers: c.slowConsumers,
      members,
      resumes: c.resumes,
      takeovers: c.takeovers,
      framesIn: { ...c.framesIn },
      framesOut: { ...c.framesOut },
      deliveries: c.framesOut.msg + c.framesOut.user,
      errors: { ...c.errors },
      latency: c.latency.snapshot(),
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
    if (this.#context.closed) return;
    this.#context.closed = true;
    this.#context.log?.("info", "shutdown", {
      connections: this.#connections.size,
    });
    this.#sweeper.stop();
    for (const conn of [...this.#connections]) {
      conn.terminate(RelayCloseCode.serviceRestart, "service restart", {
        bye: "shutdown",
        retryAfter: this.#context.settings.restartHint,
      });
    }
    this.#connections.clear();
    this.#sessions.clear();
    this.#channels.clear();
    this.#ownStore?.clear();
  }

  /** Calls {@linkcode Relay.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
