/**
 * A coded failure: the body `ack` and `error` frames carry, and the error
 * class for code that prefers throwing.
 *
 * @module
 */

import { CodedError } from "../core/coded_error.ts";
import type { ErrorCode } from "./codes.ts";

export { CodedError } from "../core/coded_error.ts";

/**
 * A coded failure, as carried by `ack` and `error` frames.
 *
 * @example The body of a decoding failure, as an error
 * ```ts
 * import { decodeClientFrame, type ErrorBody, ProtocolError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const result = decodeClientFrame("not json");
 * assert.ok(!result.ok);
 * const body: ErrorBody = result.error;
 * assert.equal(body.code, "bad_frame");
 * assert.equal(ProtocolError.from(body).message, body.message);
 * ```
 */
export interface ErrorBody {
  /** The stable code to switch on. */
  code: ErrorCode;
  /** A human-readable explanation; may change between versions. */
  message: string;
}

/**
 * A coded protocol failure, for code that prefers throwing to results: the
 * client rejects a request whose ack failed with one of these.
 *
 * @example Turning an error body into an error
 * ```ts
 * import { ProtocolError } from "@lifeline/realtime/protocol";
 * import assert from "node:assert/strict";
 *
 * const error = ProtocolError.from({ code: "forbidden", message: "no" });
 * assert.equal(error.name, "ProtocolError");
 * assert.equal(error.code, "forbidden");
 * ```
 */
export class ProtocolError extends CodedError<ErrorCode> {
  /** The `ref` of the request that failed, when there was one. */
  readonly ref?: number;

  /** Makes an error with a code, a message and optionally the failed `ref`. */
  constructor(
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { ref?: number },
  ) {
    super(code, message, options);
    this.name = "ProtocolError";
    if (options?.ref !== undefined) this.ref = options.ref;
  }

  /** Makes an error from the body of an `ack` or `error` frame. */
  static from(body: ErrorBody & { ref?: number }): ProtocolError {
    return new ProtocolError(body.code, body.message, { ref: body.ref });
  }
}
