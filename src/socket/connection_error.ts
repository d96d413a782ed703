/**
 * The error that says why a `ReconnectingWebSocket` lost or could not make a
 * connection. It appears as `error` in the `disconnected` state and in the
 * close details handed to `shouldReconnect`.
 *
 * @module
 */

import { CodedError } from "../core/coded_error.ts";

/**
 * What went wrong:
 *
 * - `"url_failed"`: the URL provider threw or rejected (`cause`).
 * - `"connect_failed"`: the WebSocket constructor threw, or the socket
 *   reported an error before it opened (`cause`).
 * - `"connect_timeout"`: the attempt did not open within `timeout`.
 * - `"socket_error"`: an open socket reported an error (`cause`).
 * - `"send_failed"`: the socket threw while sending (`cause`).
 * - `"keepalive_timeout"`: the server did not answer a ping in time.
 * - `"disconnected"`: the client stopped while `ready()` waited.
 *
 * @example Deciding whether a failure is worth retrying
 * ```ts
 * import { ConnectionError, type ConnectionErrorCode } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const permanent: ConnectionErrorCode[] = ["url_failed", "disconnected"];
 * const retryable = (error: ConnectionError) => !permanent.includes(error.code);
 * assert.equal(retryable(new ConnectionError("connect_timeout", "Timed out")), true);
 * assert.equal(retryable(new ConnectionError("url_failed", "No token")), false);
 * ```
 */
export type ConnectionErrorCode =
  | "url_failed"
  | "connect_failed"
  | "connect_timeout"
  | "socket_error"
  | "send_failed"
  | "keepalive_timeout"
  | "disconnected";

/**
 * Why a connection failed. Switch on {@linkcode CodedError.code}; the
 * underlying error, if any, is the `cause`.
 *
 * @example Inspecting a connection error
 * ```ts
 * import { ConnectionError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const error = new ConnectionError("url_failed", "The URL provider failed", {
 *   cause: new Error("no token"),
 * });
 * assert.equal(error.name, "ConnectionError");
 * assert.equal(error.code, "url_failed");
 * assert.equal((error.cause as Error).message, "no token");
 * ```
 */
export class ConnectionError extends CodedError<ConnectionErrorCode> {
  /**
   * Creates a connection error.
   *
   * @param code What went wrong.
   * @param message A human-readable explanation.
   * @param options Standard error options; `cause` is the underlying error.
   */
  constructor(
    code: ConnectionErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = "ConnectionError";
  }
}
