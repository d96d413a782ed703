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
 * | `LIFELINE_ORIGINS` | comma list of allowed `Origin` values | any origin |
 * | `LIFELINE_TOKENS` | comma list of `token:userId` (or bare `token`) | anonymous allowed |
 *
 * @module
 */

import process from "node:process";
import type { Identity, RelayOptions } from "../../src/relay/mod.ts";
import type { RelayLimits } from "../../src/protocol.ts";

/** Where the server listens and how its relay is configured. */
export interface ServerConfig {
  /** Interface to listen on. */
  hostname: string;
  /** TCP port; 0 lets the system pick one. */
  port: number;
  /** Options for the relay, from the `LIFELINE_*` variables. */
  relay: RelayOptions;
}

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

const LIMIT_VARIABLES: ReadonlyArray<readonly [string, keyof RelayLimits]> = [
  ["LIFELINE_RATE", "rate"],
  ["LIFELINE_BURST", "burst"],
  ["LIFELINE_MAX_CHANNELS", "channels"],
  ["LIFELINE_FRAME_BYTES", "frameBytes"],
  ["LIFELINE_PROFILE_BYTES", "profileBytes"],
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
  const origins = readList(env, "LIFELINE_ORIGINS");
  if (origins) relay.origins = origins;
  const tokens = readList(env, "LIFELINE_TOKENS");
  if (tokens) relay.authenticate = tokenAuthenticator(tokens);
  return {
    hostname: env.LIFELINE_HOST || "127.0.0.1",
    port: readNumber(env, "PORT") ?? 8787,
    relay,
  };
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

function readNumber(env: Env, variable: string): number | undefined {
  const text = env[variable]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot read ${variable} as it must be a non-negative number: current value is ${
        JSON.stringify(text)
      }`,
    );
  }
  return value;
}

function readList(env: Env, variable: string): string[] | undefined {
  const list = env[variable]?.split(",").map((item) => item.trim()).filter(
    Boolean,
  );
  return list?.length ? list : undefined;
}
