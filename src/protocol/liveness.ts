/**
 * Liveness: the literal text frames `ping` and `pong`, outside JSON, so a
 * Durable Object can answer them with its auto-response without waking.
 *
 * @module
 */

/**
 * The liveness request, a literal text frame; the relay answers {@linkcode PONG}.
 * It is not JSON, so check for it before decoding.
 *
 * @example Answering a ping before decoding
 * ```ts
 * import { decodeClientFrame, PING, PONG } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const reply = (text: string) => text === PING ? PONG : undefined;
 * assert.equal(reply("ping"), "pong");
 * assert.equal(decodeClientFrame(PING).ok, false);
 * ```
 */
export const PING = "ping";
/**
 * The liveness answer, a literal text frame. It is not JSON, so check for it
 * before decoding.
 *
 * @example Swallowing pongs on the client
 * ```ts
 * import { decodeRelayFrame, PONG } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const isPong = (data: unknown) => data === PONG;
 * assert.equal(isPong("pong"), true);
 * assert.equal(decodeRelayFrame(PONG).ok, false);
 * ```
 */
export const PONG = "pong";
