/**
 * The error every {@linkcode RealtimeManager} and {@linkcode RealtimeChannel}
 * promise rejects with: a relay's refusal, carried over from its `ack`, or a
 * failure on the client's side of the connection.
 *
 * @module
 */

import { CodedError } from "../core/coded_error.ts";
import type { ErrorCode } from "../protocol/mod.ts";

export { CodedError } from "../core/coded_error.ts";

/**
 * Why a realtime request failed. The relay's codes (see `ErrorCode` in the
 * protocol module and PROTOCOL.md), such as `"forbidden"`,
 * `"too_many_channels"`, `"bad_channel"` and `"rate_limited"`, plus the
 * client's own:
 *
 * - `"not_connected"`: a publish while disconnected with `bufferMessages`
 *   off.
 * - `"closed"`: the manager was closed, or gave up reconnecting, before the
 *   relay answered.
 * - `"timeout"`: the relay did not answer within `ackTimeout`.
 * - `"buffer_full"`: too many requests are already waiting for a connection.
 * - `"bad_response"`: the relay answered with something this client does not
 *   understand.
 *
 * @example Deciding whether to retry a failed request
 * ```ts
 * import { RealtimeError, type RealtimeErrorCode } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const transient: RealtimeErrorCode[] = ["rate_limited", "timeout", "not_connected"];
 * const shouldRetry = (error: RealtimeError) => transient.includes(error.code);
 * assert.equal(shouldRetry(new RealtimeError("rate_limited", "Slow down")), true);
 * assert.equal(shouldRetry(new RealtimeError("forbidden", "No")), false);
 * ```
 */
export type RealtimeErrorCode =
  | ErrorCode
  | "not_connected"
  | "closed"
  | "timeout"
  | "buffer_full"
  | "bad_response";

/**
 * A failed realtime request. Switch on {@linkcode RealtimeError.code}, not on
 * the message.
 *
 * @example Telling a refusal from a timeout
 * ```ts
 * import { RealtimeError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const error = new RealtimeError("forbidden", "You may not join 'admins'");
 * assert.equal(error.name, "RealtimeError");
 * assert.equal(error.code, "forbidden");
 * assert.ok(error instanceof Error);
 * ```
 */
export class RealtimeError extends CodedError<RealtimeErrorCode> {
  /**
   * Creates a realtime error.
   *
   * @param code Why the request failed; see {@linkcode RealtimeErrorCode}.
   * @param message A human-readable explanation.
   * @param options Standard error options; `cause` is the underlying error.
   */
  constructor(
    code: RealtimeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = "RealtimeError";
  }
}
