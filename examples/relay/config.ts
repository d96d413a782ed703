/**
 * The example relay server's settings, read from environment variables so
 * the Deno and Bun entry points (and the tests that spawn them) configure it
 * the same way.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `PORT` | TCP port; `0` picks a free one | `8787` |
 * | `LIFELINE_HOST` | interface to listen on | `127.0.0.1` |
 * | `LIFELINE_RATE` | messages per second per connection; `0` = unlimited | relay default |
 * | `LIFELINE_BURST` | messages allowed at once (token bucket size) | relay default |
 * | `LIFELINE_MAX_CHANNELS` | channels one connection may join | relay default |
 * | `LIFELINE_FRAME_BYTES` | largest accepted frame, in bytes | relay default |
 * | `LIFELINE_PROFILE_BYTES` | largest member profile, in bytes of JSON | relay default |
 * | `LIFELINE_MAX_DEPTH` | deepest JSON nesting of a frame (`limits.depth`) | relay default |
 * | `LIFELINE_MAX_CONNECTIONS_PER_USER` | connections one user id may hold; `0` = no cap | relay default |
 * | `LIFELINE_IDLE_TIMEOUT` | ms a connection may send nothing but pings; `0` = off | relay default |
 * | `LIFELINE_HISTORY_SIZE` | messages kept per channel for recovery; `0` = none | relay default |
 * | `LIFELINE_HISTORY_TTL` | how long a message is kept for recovery, ms; `0` = none | relay default |
 * | `LIFELINE_PRESENCE_GRACE` | how long a dropped member stays in its channels, ms; `0` = none | relay default |
 * | `LIFELINE_JOIN_MEMBERS` | members a join ack lists before it only counts them | relay default |
 * | `LIFELINE_PRESENCE_BATCH` | ms a big channel's presence changes wait to go out as one `diff`; `0` = off | relay default |
 * | `LIFELINE_PRESENCE_OFF` | comma list of channel-name prefixes whose channels have no presence (`presence` option) | presence everywhere |
 * | `LIFELINE_BACKLOG_BYTES` | a socket's backlog past which it misses every frame | relay default |
 * | `LIFELINE_SLOW_TIMEOUT` | ms a socket may stay past it before 1013; `0` = never | relay default |
 * | `LIFELINE_ORIGINS` | comma list of allowed `Origin` values | any origin |
 * | `LIFELINE_TOKENS` | comma list of `token:userId` (or bare `token`) | anonymous allowed |
 * | `LIFELINE_ADMIN_TOKEN` | bearer token for `POST /users/:id/events` and, with `LIFELINE_TOKENS`, `GET /stats` | route off (404) |
 * | `LIFELINE_BROADCAST` | `off`: clients may not publish app-wide (`forbidden`) | `on` |
 * | `LIFELINE_REDIS_URL` | share the relay's state through this Redis (`./redis.ts`) | memory, one process |
 * | `LIFELINE_REDIS_HEARTBEAT` | with Redis: ms between a node's heartbeats | `2000` |
 *
 * @module
 */

import process from "node:process";
import type { Identity, RelayOptions } from "../../src/relay/mod.ts";
import type { RelayLimits } from "../../src/protocol/mod.ts";
import { lineLogger, type LogFormat, type LogSetting } from "./log.ts";
import { readNumber } from "./read_number.ts";

/** Where the server listens and how its relay is configured. */
export interface ServerConfig {
  /** Interface to listen on. */
  hostname: string;
  /** TCP port; 0 lets the system pick one. */
  port: number;
  /** Options for the relay, from the `LIFELINE_*` variables. */
  relay: RelayOptions;
  /** The bearer token of the admin routes; absent turns them off. */
  adminToken?: string;
  /** The server's log: `LIFELINE_LOG` and `LIFELINE_LOG_FORMAT`. */
  log: { level: LogSetting; format: LogFormat };
}

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

const LIMIT_VARIABLES: ReadonlyArray<readonly [string, keyof RelayLimits]> = [
  ["LIFELINE_RATE", "rate"],
  ["LIFELINE_BURST", "burst"],
  ["LIFELINE_MAX_CHANNELS", "channels"],
  ["LIFELINE_FRAME_BYTES", "frameBytes"],
  ["LIFELINE_PROFILE_BYTES", "profileBytes"],
  ["LIFELINE_MAX_DEPTH", "depth"],
];

/**
 * Reads the server settings from `env` (default: the process environment).
 * A malformed number throws a `RangeError` naming the variable, so a typo
 * stops the server at start rather than running it with a surprise limit.
 */
export function readConfig(env: Env = process.env): ServerConfig {
  const limits: Partial<RelayLimits> = {};
  for (const [variable, limit] of LIMIT_VARIABLES) {
    const value = readNumber(env, variable);
    if (value !== undefined) limits[limit] = value;
  }
  const relay: RelayOptions = { limits };
  const historySize = readNumber(env, "LIFELINE_HISTORY_SIZE");
  if (historySize !== undefined) relay.historySize = historySize;
  const historyTtl = readNumber(env, "LIFELINE_HISTORY_TTL");
  if (historyTtl !== undefined) relay.historyTtl = historyTtl;
  const perUser = readNumber(env, "LIFELINE_MAX_CONNECTIONS_PER_USER");
  if (perUser !== undefined) relay.maxConnectionsPerUser = perUser;
  const idleTimeout = readNumber(env, "LIFELINE_IDLE_TIMEOUT");
  if (idleTimeout !== undefined) relay.idleTimeout = idleTimeout;
  const presenceGrace = readNumber(env, "LIFELINE_PRESENCE_GRACE");
  if (presenceGrace !== undefined) relay.presenceGrace = presenceGrace;
  const joinMembers = readNumber(env, "LIFELINE_JOIN_MEMBERS");
  if (joinMembers !== undefined) relay.joinMembers = joinMembers;
  const presenceBatch = readNumber(env, "LIFELINE_PRESENCE_BATCH");
  if (presenceBatch !== undefined) relay.presenceBatch = presenceBatch;
  const presenceOff = readList(env, "LIFELINE_PRESENCE_OFF");
  if (presenceOff) {
    relay.presence = (channel) =>
      !presenceOff.some((prefix) => channel.startsWith(prefix));
  }
  const maxBuffered = readNumber(env, "LIFELINE_BACKLOG_BYTES");
  if (maxBuffered !== undefined) relay.maxBufferedBytes = maxBuffered;
  const slowTimeout = readNumber(env, "LIFELINE_SLOW_TIMEOUT");
  if (slowTimeout !== undefined) relay.slowConsumerTimeout = slowTimeout;
  const origins = readList(env, "LIFELINE_ORIGINS");
  if (origins) relay.origins = origins;
  const tokens = readList(env, "LIFELINE_TOKENS");
  if (tokens) relay.authenticate = tokenAuthenticator(tokens);
  if (!readSwitch(env, "LIFELINE_BROADCAST")) {
    relay.authorize = (_identity, action, channel) =>
      action !== "publish" || channel !== null;
  }
  const log = {
    level: readChoice(env, "LIFELINE_LOG", LOG_SETTINGS, "info"),
    format: readChoice(env, "LIFELINE_LOG_FORMAT", LOG_FORMATS, "text"),
  };
  const logger = lineLogger(log.level, log.format);
  if (logger) relay.logger = logger;
  const config: ServerConfig = {
    hostname: env.LIFELINE_HOST || "127.0.0.1",
    port: readNumber(env, "PORT") ?? 8787,
    relay,
    log,
  };
  const adminToken = readAdminToken(env);
  if (adminToken !== undefined) config.adminToken = adminToken;
  return config;
}

/** What a bearer token may consist of (RFC 6750's `b64token`). */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * The admin token, when set. One that could never be sent as a bearer token
 * throws a `RangeError` rather than leaving the route unusable.
 */
function readAdminToken(env: Env): string | undefined {
  const token = env.LIFELINE_ADMIN_TOKEN?.trim();
  if (!token) return undefined;
  if (!BEARER_TOKEN.test(token)) {
    throw new RangeError(
      "Cannot read LIFELINE_ADMIN_TOKEN as it must consist of letters, digits and '-._~+/' (then '=' padding): current value has other characters",
    );
  }
  return token;
}

/**
 * Accepts exactly the listed tokens. `secret:alice` maps the token `secret`
 * to the user id `alice`; a bare `secret` is accepted without a user id.
 */
function tokenAuthenticator(
  entries: readonly string[],
): (request: Request, token: string | undefined) => Identity | undefined {
  const users = new Map<string, Identity>();
  for (const entry of entries) {
    const colon = entry.indexOf(":");
    if (colon === -1) users.set(entry, {});
    else users.set(entry.slice(0, colon), { userId: entry.slice(colon + 1) });
  }
  return (_request, token) =>
    token === undefined ? undefined : users.get(token);
}

const LOG_SETTINGS = ["debug", "info", "warn", "error", "off"] as const;
const LOG_FORMATS = ["text", "json"] as const;

/** One of `allowed` (any case); unset is `fallback`. */
function readChoice<T extends string>(
  env: Env,
  variable: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const text = env[variable]?.trim().toLowerCase();
  if (!text) return fallback;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new RangeError(
    `Cannot read ${variable} as it must be ${
      allowed.map((a) => JSON.stringify(a)).join(", ")
    }: current value is ${JSON.stringify(text)}`,
  );
}

/** An `on`/`off` variable; unset is on. */
function readSwitch(env: Env, variable: string): boolean {
  const text = env[variable]?.trim().toLowerCase();
  if (!text || text === "on") return true;
  if (text === "off") return false;
  throw new RangeError(
    `Cannot read ${variable} as it must be "on" or "off": current value is ${
      JSON.stringify(text)
    }`,
  );
}

function readList(env: Env, variable: string): string[] | undefined {
  const list = env[variable]?.split(",").map((item) => item.trim()).filter(
    Boolean,
  );
  return list?.length ? list : undefined;
}
