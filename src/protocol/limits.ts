/**
 * The limits and heartbeat a relay enforces and announces in `welcome`, their
 * defaults, and the fixed limits of the protocol (event and id lengths).
 *
 * @module
 */

/**
 * The limits a relay enforces, announced in `welcome`; see
 * {@linkcode DEFAULT_LIMITS}.
 *
 * @example A frame over a smaller limit
 * ```ts
 * import { decodeClientFrame, DEFAULT_LIMITS, encodeFrame, type RelayLimits } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const limits: RelayLimits = { ...DEFAULT_LIMITS, frameBytes: 1024 };
 * const big = encodeFrame({ type: "pub", channel: "lobby", event: "chat", data: "x".repeat(2000) });
 * const result = decodeClientFrame(big, limits);
 * assert.equal(!result.ok && result.error.code, "too_large");
 * ```
 */
export interface RelayLimits {
  /** Largest frame the relay accepts, in bytes. */
  frameBytes: number;
  /** Most channels one connection may join. */
  channels: number;
  /**
   * Sustained messages per second per connection (token bucket refill); 0 =
   * unlimited. `ping` and the `hello` that opens the session take no token.
   */
  rate: number;
  /** Token bucket size: the burst of messages allowed at once. */
  burst: number;
  /** Largest member profile, in bytes of its JSON. */
  profileBytes: number;
  /** Longest channel name, in characters. */
  channelLength: number;
  /**
   * Deepest nesting of objects and arrays in a frame; the frame's own
   * object is level 1, so `data: {}` is level 2.
   */
  depth: number;
}

/**
 * The heartbeat the relay expects, announced in `welcome`; see
 * {@linkcode DEFAULT_HEARTBEAT}.
 *
 * @example How long a silent client lasts
 * ```ts
 * import { type Heartbeat } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const heartbeat: Heartbeat = { interval: 10_000, timeout: 5_000 };
 * // A client pings after `interval` ms of silence (e.g. a Keepalive's interval).
 * assert.equal(heartbeat.interval + heartbeat.timeout, 15_000);
 * ```
 */
export interface Heartbeat {
  /** Ms of silence after which a client should send `ping`. */
  interval: number;
  /**
   * Ms of grace past `interval`: a relay may drop a client that sent no frame
   * at all for `interval + timeout` ms. 0 = the relay never drops silent clients.
   */
  timeout: number;
}

/**
 * The limits a relay enforces unless configured otherwise.
 *
 * @example Reading the defaults
 * ```ts
 * import { DEFAULT_LIMITS } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LIMITS.frameBytes, 1024 * 1024);
 * assert.equal(DEFAULT_LIMITS.channels, 100);
 * assert.equal(DEFAULT_LIMITS.depth, 32);
 * ```
 */
export const DEFAULT_LIMITS: Readonly<RelayLimits> = Object.freeze({
  frameBytes: 1024 * 1024,
  channels: 100,
  rate: 100,
  burst: 200,
  profileBytes: 4096,
  channelLength: 128,
  depth: 32,
});

/**
 * The heartbeat a relay announces unless configured otherwise: clients ping
 * after 25 s of silence; the relay drops a client silent for 25 s + 20 s.
 *
 * @example Reading the defaults
 * ```ts
 * import { DEFAULT_HEARTBEAT } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_HEARTBEAT.interval, 25_000);
 * assert.equal(DEFAULT_HEARTBEAT.timeout, 20_000);
 * ```
 */
export const DEFAULT_HEARTBEAT: Readonly<Heartbeat> = Object.freeze({
  interval: 25_000,
  timeout: 20_000,
});

/**
 * Longest event name, in characters.
 *
 * @example The longest event name allowed
 * ```ts
 * import { isEventName, MAX_EVENT_LENGTH } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isEventName("e".repeat(MAX_EVENT_LENGTH)), true);
 * assert.equal(isEventName("e".repeat(MAX_EVENT_LENGTH + 1)), false);
 * ```
 */
export const MAX_EVENT_LENGTH = 128;
/**
 * The prefix of event names the protocol keeps for itself: clients name
 * presence `channel:join`, `channel:leave` and `channel:update`, so no
 * published event may start with it.
 *
 * @example A publish named like a presence event is refused
 * ```ts
 * import { decodeClientFrame, RESERVED_EVENT_PREFIX } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const event = `${RESERVED_EVENT_PREFIX}join`;
 * const result = decodeClientFrame(JSON.stringify({ type: "pub", channel: "lobby", event }));
 * assert.equal(!result.ok && result.error.code, "bad_event");
 * ```
 */
export const RESERVED_EVENT_PREFIX = "channel:";
/**
 * Longest session id or client message id (`mid`), in characters.
 *
 * @example A message id one character too long
 * ```ts
 * import { decodeClientFrame, encodeFrame, MAX_ID_LENGTH } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const mid = "m".repeat(MAX_ID_LENGTH + 1);
 * const result = decodeClientFrame(encodeFrame({ type: "pub", channel: "lobby", event: "chat", mid }));
 * assert.equal(!result.ok && result.error.code, "bad_frame");
 * ```
 */
export const MAX_ID_LENGTH = 128;
