/**
 * The bounds a WebSocket endpoint of the wire layer puts on what a peer may
 * send, and the close code each one answers with. Whatever a peer sends, the
 * memory held for one message stays under `maxMessage` bytes (plus one
 * reference per fragment, at most `maxFragments`).
 *
 * @example Tighter limits for a small-message protocol
 * ```ts
 * import { DEFAULT_LIMITS, type WireLimits } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const limits: WireLimits = { maxPayload: 64 * 1024, maxMessage: 256 * 1024 };
 * assert.ok(limits.maxMessage! < DEFAULT_LIMITS.maxMessage);
 * ```
 *
 * @module
 */

import { checkNumber } from "../core/_options.ts";

/**
 * Limits on what a peer may send. A frame or message over a size limit, or a
 * message in more fragments than allowed, closes the connection with 1009
 * (`messageTooBig`): each is a message too big to process. Protocol errors
 * close with 1002 (`protocolError`), text that is not UTF-8 with 1007
 * (`invalidFramePayloadData`).
 *
 * @example Accepting only small frames
 * ```ts
 * import type { WireLimits } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const limits: WireLimits = { maxPayload: 4096 };
 * assert.equal(limits.maxPayload, 4096);
 * ```
 */
export interface WireLimits {
  /**
   * The largest payload of one frame, in bytes; a bigger frame closes with
   * 1009 before any of its payload is held.
   * @default {16777216} (16 MiB)
   */
  maxPayload?: number;
  /**
   * The largest message, all its fragments together, in bytes; a message
   * that would grow past it closes with 1009.
   * @default {67108864} (64 MiB)
   */
  maxMessage?: number;
  /**
   * The most frames one message may be split into; one more closes with
   * 1009.
   * @default {65536}
   */
  maxFragments?: number;
}

/**
 * The limits used when none are given.
 *
 * @example The defaults
 * ```ts
 * import { DEFAULT_LIMITS } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LIMITS.maxPayload, 16 * 1024 * 1024);
 * assert.equal(DEFAULT_LIMITS.maxFragments, 65536);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<Required<WireLimits>> = Object.freeze({
  maxPayload: 16 * 1024 * 1024,
  maxMessage: 64 * 1024 * 1024,
  maxFragments: 65536,
});

const KEYS = ["maxPayload", "maxMessage", "maxFragments"] as const;

/** The limits with their defaults, each checked. Internal. */
export function resolveLimits(
  owner: string,
  limits: WireLimits = {},
): Required<WireLimits> {
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of KEYS) {
    const value = limits[key];
    if (value === undefined) continue;
    resolved[key] = checkNumber(owner, key, value, {
      positive: true,
      integer: true,
      allowInfinity: true,
    });
  }
  return resolved;
}

/** The option names of {@linkcode WireLimits}, for `checkKeys`. Internal. */
export const LIMIT_KEYS: readonly string[] = KEYS;
