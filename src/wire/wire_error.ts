/**
 * The error the wire layer's `connect`, `accept` and `ping` reject with.
 *
 * @module
 */

import { CodedError } from "../core/coded_error.ts";

/**
 * What went wrong opening a connection:
 * - `bad_handshake`: the peer's handshake broke RFC 6455 (a status other
 *   than 101, a wrong `Sec-WebSocket-Accept`, a subprotocol not offered…);
 *   on the server side, `status` is the HTTP status it was answered with.
 * - `connect_failed`: the byte stream could not be opened, or ended before
 *   the handshake did.
 * - `aborted`: the `signal` was aborted first.
 * - `unsupported`: the runtime offers no TCP (or no TLS) connect here; pass
 *   a `dial` function.
 * - `closed`: a `ping()` or a write to `writable` met a closed connection.
 *
 * @example Switching on the code
 * ```ts
 * import { WireError } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const error = new WireError("bad_handshake", "Refused", { status: 426 });
 * assert.equal(error.code, "bad_handshake");
 * assert.equal(error.status, 426);
 * assert.equal(error.name, "WireError");
 * ```
 */
export class WireError extends CodedError<
  "bad_handshake" | "connect_failed" | "aborted" | "unsupported" | "closed"
> {
  /** The HTTP status of a refused handshake, when there was one. */
  readonly status: number | undefined;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message A human-readable explanation.
   * @param options The standard error options and the HTTP `status`.
   */
  constructor(
    code: WireError["code"],
    message: string,
    options: ErrorOptions & { status?: number } = {},
  ) {
    super(code, message, options);
    this.name = "WireError";
    this.status = options.status;
  }
}
