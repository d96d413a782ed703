/**
 * The options of a `Relay`, and what its `authorize` hook is asked.
 *
 * @module
 */

import type { Logger } from "../core/log.ts";
import type { Clock } from "../core/clock.ts";
import type { Heartbeat, RelayLimits } from "../protocol/mod.ts";
import type { Fanout } from "./fanout.ts";
import type { Identity } from "./identity.ts";
import type { RelayStore } from "./store.ts";

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
 * Options for `Relay`. Each duration is in milliseconds; every
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
  /** Limits, each defaulting to `DEFAULT_LIMITS`. */
  limits?: Partial<RelayLimits>;
  /** The heartbeat announced in `welcome` and enforced; defaults to `DEFAULT_HEARTBEAT`. */
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
  /**
   * Where sessions, channel members, presence versions and offsets are
   * kept. @default {a new MemoryStore with `dedupeSize` and `resumableSessions`}
   */
  store?: RelayStore;
  /**
   * The source of session ids: each call answers a new, unique id of at
   * most 128 characters. Session ids are public (member ids, `sender`s).
   * @default {16 base64url characters from 96 random bits}
   */
  sessionId?: () => string;
  /**
   * The source of resume tokens: each call answers a new secret of at most
   * 128 characters that nobody can guess. A session's token goes to its
   * owner alone, in `welcome.resume`, and a `hello` must carry it to resume
   * the session (session ids are public: they are member ids).
   * @default {crypto.randomUUID}
   */
  resumeToken?: () => string;
  /**
   * Whether the relay runs the heartbeat sweep on its own timer. `false`:
   * it sets no timer, and the host calls `Relay.sweep` when
   * `Relay.nextSweepAt` says (a Durable Object's alarm).
   * @default {true}
   */
  sweepTimer?: boolean;
  /** Bad frames within `badFrameWindow` that close a connection with 1008. @default {10} */
  badFrameLimit?: number;
  /** The window `badFrameLimit` counts over. @default {10000} */
  badFrameWindow?: number;
  /**
   * Frames refused with `rate_limited` within `badFrameWindow` that close
   * a connection (a persistent violator): `bye` (`rate_limited`, retry
   * hint `badFrameWindow`), then 1013; 0 = never.
   * @default {1000}
   */
  rateRefusalLimit?: number;
  /**
   * How long a socket may stay open without sending `hello`; then it gets
   * `bye` (`timeout`) and close 4408. 0 = no limit.
   * @default {10000}
   */
  helloTimeout?: number;
  /** How long a connection closed for bad input lingers before the close frame goes out. @default {250} */
  closeLinger?: number;
  /** How long a closed session can be resumed. @default {120000} */
  resumeWindow?: number;
  /**
   * How long a member whose connection dropped (not a clean close) stays in
   * its channels, in milliseconds: back within it, with its session, the
   * others see no leave and no join; not back, they see one leave when it
   * ends. 0 = leave at once.
   * @default {10000}
   */
  presenceGrace?: number;
  /**
   * Whether channel `channel` has presence. Its members hear each other's
   * joins, leaves and updates, and a join's ack lists them. A channel
   * without presence (a town hall, a broadcast) sends none of them: its join
   * ack carries `presence: false` and no member list, so joining costs the
   * same whatever its size. A `members` request (the client's `getMembers`)
   * still answers the full list. Asked once when the channel gets its first
   * member on this relay; a throw counts as `true`. Default: every channel
   * has presence.
   */
  presence?(channel: string): boolean;
  /**
   * The most members a `join` ack lists. Past it (a big channel) the ack
   * carries `"members": []` and their number in `count`, so that a join
   * costs the same whatever the channel's size; the members come on
   * request (`members`, the client's `getMembers`).
   * @default {100}
   */
  joinMembers?: number;
  /**
   * The presence batch window of big channels, in milliseconds. In a
   * channel with more than `joinMembers` members here, the joins, leaves and
   * updates within this window go to the members as one `diff` frame (each
   * member's own change still comes to it at once, in a `presence` frame);
   * smaller channels hear each change at once. 0 turns batching off; so does
   * `sweepTimer: false` (no timers).
   * @default {50}
   */
  presenceBatch?: number;
  /**
   * The retry hint, in milliseconds, of the `bye` (shutdown) the relay says
   * when it closes: clients wait at least this long, plus jitter, before
   * they come back: a few seconds at most for 10,000 clients, spread so no
   * 100 ms holds more than a small share of them (`deno task bench:storm`).
   * @default {1000}
   */
  restartHint?: number;
  /** Most closed sessions kept for resuming; the oldest go first. Configures the default store only. @default {10000} */
  resumableSessions?: number;
  /** Client message ids remembered per session for dedupe. Configures the default store only. @default {1024} */
  dedupeSize?: number;
  /** Client message ids remembered across all sessions; past it the session that published least recently forgets its oldest. Configures the default store only. @default {100000} */
  dedupeTotal?: number;
  /** Messages kept per channel for recovery (`join.since`); 0 = none. Configures the default store only. @default {1000} */
  historySize?: number;
  /** How long a message is kept for recovery, in milliseconds; 0 = none. Configures the default store only. @default {120000} */
  historyTtl?: number;
  /**
   * The hard backlog limit: a socket with more bytes buffered than this
   * misses every frame (counted as drops). On Bun it is also the socket's
   * `backpressureLimit`, plus `limits.frameBytes`. @default {4194304}
   */
  maxBufferedBytes?: number;
  /**
   * The soft backlog limit: a socket with more bytes buffered than this
   * misses volatile messages (counted as drops), and a native fan-out
   * (Bun's topics) stops sending to it, the relay sending to it frame by
   * frame until it is back under half of it. @default {1048576}
   */
  softBufferedBytes?: number;
  /**
   * A socket that keeps missing messages past `maxBufferedBytes` this long
   * gets `bye` (`slow_consumer`, with a retry hint) and is closed with
   * 1013; 0 = never. @default {10000}
   */
  slowConsumerTimeout?: number;
  /**
   * How long a welcomed connection may send nothing but `ping`; then it
   * gets `bye` (`idle`) and close 4408. A client that only listens is idle
   * by this measure, hence off by default; the heartbeat sweep checks it.
   * 0 = no limit.
   * @default {0}
   */
  idleTimeout?: number;
  /**
   * Connections one user (an identity with a `userId`, as `accept` gave
   * it) may hold at once, pending or welcomed; past it the upgrade is
   * refused with HTTP 429 (`too_many_connections`), and a socket that got
   * past the upgrade in a race is closed at once with 1013. Anonymous
   * connections are not counted. 0 = no limit.
   * @default {100}
   */
  maxConnectionsPerUser?: number;
  /** Told about unexpected errors (a throwing hook, a bug); the relay goes on. */
  onError?(error: unknown): void;
  /**
   * Receives a {@linkcode LogEntry} for each notable event, one entry each:
   * `upgrade_refused` (`status`, `code`, `reason`), `auth_failed` (`at`:
   * `upgrade` or `hello`), `rate_limited` (the first refusal of a window:
   * `session`), `rate_limit_close`, `bad_frames_close`, `too_large_close`
   * and `slow_consumer_close` (`session`), `resume` and `takeover`
   * (`session`), and `shutdown` (`connections`). Never a token, a resume
   * token or the data of a message. Silent by default.
   */
  logger?: Logger;
}
