/**
 * Channel and event names: which strings the protocol accepts.
 *
 * @module
 */

import {
  DEFAULT_LIMITS,
  MAX_EVENT_LENGTH,
  RESERVED_EVENT_PREFIX,
} from "./limits.ts";

const CHANNEL_CHARS = /^[A-Za-z0-9_\-.:@/]+$/;

/**
 * Whether `value` is a valid channel name: 1 to `maxLength` characters, each
 * a letter, a digit or one of `_ - . : @ /`.
 *
 * @example Checking names
 * ```ts
 * import { isChannelName } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isChannelName("room:42/chat"), true);
 * assert.equal(isChannelName("has space"), false);
 * assert.equal(isChannelName("a".repeat(129)), false);
 * ```
 */
export function isChannelName(
  value: unknown,
  maxLength: number = DEFAULT_LIMITS.channelLength,
): value is string {
  return typeof value === "string" && value.length > 0 &&
    value.length <= maxLength && CHANNEL_CHARS.test(value);
}

/**
 * Whether `value` is a valid event name: a non-empty string of at most
 * {@linkcode MAX_EVENT_LENGTH} characters that does not start with
 * {@linkcode RESERVED_EVENT_PREFIX} (`channel:`, the presence events).
 *
 * @example Checking names
 * ```ts
 * import { isEventName } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isEventName("chat message"), true);
 * assert.equal(isEventName("chat:message"), true);
 * assert.equal(isEventName(""), false);
 * assert.equal(isEventName("channel:join"), false);
 * ```
 */
export function isEventName(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 &&
    value.length <= MAX_EVENT_LENGTH &&
    !value.startsWith(RESERVED_EVENT_PREFIX);
}
