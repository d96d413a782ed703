/**
 * Checks a relay's options and fills in the defaults. Internal.
 *
 * @module
 */

import {
  checkBoolean,
  checkFunction,
  checkKeys,
  checkMethods,
  checkNumber,
  type NumberRange,
} from "../core/_options.ts";
import { DEFAULT_HEARTBEAT, DEFAULT_LIMITS } from "../protocol/mod.ts";
import type { Settings } from "./_context.ts";
import type { RelayOptions } from "./options.ts";
import type { RelayStore } from "./store.ts";

const POSITIVE: NumberRange = { positive: true };

/** The default of `maxBufferedBytes`: 4 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const NON_NEGATIVE: NumberRange = { min: 0 };

const KNOWN_OPTIONS: readonly (keyof RelayOptions)[] = [
  "limits",
  "heartbeat",
  "authenticate",
  "authorize",
  "origins",
  "fanout",
  "clock",
  "store",
  "sessionId",
  "resumeToken",
  "sweepTimer",
  "badFrameLimit",
  "badFrameWindow",
  "rateRefusalLimit",
  "helloTimeout",
  "closeLinger",
  "resumeWindow",
  "presenceGrace",
  "presence",
  "joinMembers",
  "presenceBatch",
  "restartHint",
  "resumableSessions",
  "dedupeSize",
  "dedupeTotal",
  "historySize",
  "historyTtl",
  "maxBufferedBytes",
  "softBufferedBytes",
  "slowConsumerTimeout",
  "idleTimeout",
  "maxConnectionsPerUser",
  "onError",
  "logger",
];

/** The methods every {@linkcode RelayStore} has; `counts`, `listen`, `volatile` and `toUser` are optional. */
export const STORE_METHODS: readonly Exclude<
  keyof RelayStore,
  "counts" | "listen" | "volatile" | "toUser"
>[] = [
  "createSession",
  "resumeSession",
  "parkSession",
  "endSession",
  "prune",
  "seen",
  "remember",
  "join",
  "leave",
  "update",
  "channel",
  "append",
  "history",
];

/**
 * The checked settings of `options`; throws `TypeError` for an unknown
 * option or a wrong type, `RangeError` for a negative limit or duration.
 */
export function resolveSettings(options: RelayOptions): Settings {
  checkKeys("Relay", options, KNOWN_OPTIONS);
  const check = (name: string, value: unknown, range = NON_NEGATIVE) =>
    checkNumber("Relay", name, value, range);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    // A rate of 0 turns rate limiting off, and the burst then may be 0 too.
    const mayBeZero = name === "rate" || name === "burst";
    check(`limits.${name}`, value, mayBeZero ? NON_NEGATIVE : POSITIVE);
  }
  if (limits.rate > 0) check("limits.burst", limits.burst, { min: 1 });
  const heartbeat = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
  check("heartbeat.interval", heartbeat.interval);
  check("heartbeat.timeout", heartbeat.timeout);
  for (
    const name of [
      "authenticate",
      "authorize",
      "sessionId",
      "resumeToken",
      "onError",
      "logger",
      "presence",
    ]
  ) {
    checkFunction("Relay", name, options[name as keyof RelayOptions], true);
  }
  if (options.store !== undefined) {
    checkMethods("Relay", "store", options.store, STORE_METHODS);
  }
  if (options.sweepTimer !== undefined) {
    checkBoolean("Relay", "sweepTimer", options.sweepTimer);
  }
  check("resumableSessions", options.resumableSessions ?? 10_000);
  check("dedupeSize", options.dedupeSize ?? 1024);
  check("dedupeTotal", options.dedupeTotal ?? 100_000);
  check("historySize", options.historySize ?? 1000);
  check("historyTtl", options.historyTtl ?? 120_000);
  return {
    limits,
    heartbeat,
    badFrameLimit: check(
      "badFrameLimit",
      options.badFrameLimit ?? 10,
      POSITIVE,
    ),
    badFrameWindow: check("badFrameWindow", options.badFrameWindow ?? 10_000),
    rateRefusalLimit: check(
      "rateRefusalLimit",
      options.rateRefusalLimit ?? 1_000,
    ),
    helloTimeout: check("helloTimeout", options.helloTimeout ?? 10_000),
    closeLinger: check("closeLinger", options.closeLinger ?? 250),
    resumeWindow: check("resumeWindow", options.resumeWindow ?? 120_000),
    presenceGrace: check("presenceGrace", options.presenceGrace ?? 10_000),
    restartHint: check("restartHint", options.restartHint ?? 1_000),
    maxBufferedBytes: check(
      "maxBufferedBytes",
      options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    ),
    softBufferedBytes: check(
      "softBufferedBytes",
      options.softBufferedBytes ?? 1024 * 1024,
    ),
    slowConsumerTimeout: check(
      "slowConsumerTimeout",
      options.slowConsumerTimeout ?? 10_000,
    ),
    idleTimeout: check("idleTimeout", options.idleTimeout ?? 0),
    maxConnectionsPerUser: check(
      "maxConnectionsPerUser",
      options.maxConnectionsPerUser ?? 100,
    ),
    joinMembers: check("joinMembers", options.joinMembers ?? 100),
    presenceBatch: check("presenceBatch", options.presenceBatch ?? 50),
    presence: options.presence,
  };
}
