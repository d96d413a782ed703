/**
 * Encoding a frame as the text to send.
 *
 * @module
 */

import type { ClientFrame } from "./client_frames.ts";
import type { RelayFrame } from "./relay_frames.ts";

/**
 * Encodes a frame as the text to send. Encode once and send the same string
 * to every recipient.
 *
 * @example Encoding a join
 * ```ts
 * import { encodeFrame } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   encodeFrame({ type: "join", ref: 1, channel: "lobby" }),
 *   '{"type":"join","ref":1,"channel":"lobby"}',
 * );
 * ```
 */
export function encodeFrame(frame: ClientFrame | RelayFrame): string {
  return JSON.stringify(frame);
}
