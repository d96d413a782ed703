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
 * - `"invalid_url"`: the URL is not a `ws:`, `wss:`, `http:` or `https:`
 *   URL. Fatal by default.
 * - `"url_failed"`: the URL or protocols provider threw or rejected
 *   (`cause`).
 * - `"handshake_failed"`: the server answered the upgrade with an HTTP
 *   status other than 101, in `status`. 401, 403 and 404 are fatal by
 *   default. Deno and Bun say which status; browsers do not, and report
 *   `"connect_failed"`.
 * - `"connection_refused"`: nothing accepted the TCP connection (Bun also
 *   reports a DNS failure this way).
 * - `"dns_failed"`: the host name did not resolve (Deno).
 * - `"connect_failed"`: the WebSocket constructor threw, or the socket
 *   reported an error before it opened that says no more (`cause`).
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
 * const permanent: ConnectionErrorCode[] = ["invalid_url", "disconnected"];
 * const retryable = (error: ConnectionError) => !permanent.includes(error.code);
 * assert.equal(retryable(new ConnectionError("connect_timeout", "Timed out")), true);
 * assert.equal(retryable(new ConnectionError("invalid_url", "Not ws:")), false);
 * ```
 */
export type ConnectionErrorCode =
  | "invalid_url"
  | "url_failed"
  | "handshake_failed"
  | "connection_refused"
  | "dns_failed"
  | "connect_failed"
  | "connect_timeout"
  | "socket_error"
  | "send_failed"
  | "keepalive_timeout"
  | "disconnected";

/**
 * Options for {@linkcode ConnectionError}: the standard error options and
 * the HTTP status of a refused handshake.
 *
 * @example A handshake the server refused with 401
 * ```ts
 * import { ConnectionError, type ConnectionErrorOptions } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectionErrorOptions = { status: 401 };
 * const error = new ConnectionError("handshake_failed", "Refused", options);
 * assert.equal(error.status, 401);
 * ```
 */
export interface ConnectionErrorOptions extends ErrorOptions {
  /** The HTTP status of the handshake's response, when known. */
  status?: number;
}

/**
 * Why a connection failed. Switch on {@linkcode CodedError.code}; the
 * underlying error, if any, is the `cause`, and a refused handshake's HTTP
 * status, where the runtime reports it, is `status`.
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
  /** The HTTP status of a refused handshake (`"handshake_failed"`), when known. */
  readonly status?: number;

  /**
   * Creates a connection error.
   *
   * @param code What went wrong.
   * @param message A human-readable explanation.
   * @param options Standard error options (`cause` is the underlying
   * error) and the handshake's `status`.
   */
  constructor(
    code: ConnectionErrorCode,
    message: string,
    options?: ConnectionErrorOptions,
  ) {
    super(code, message, options);
    this.name = "ConnectionError";
    if (options?.status !== undefined) this.status = options.status;
  }
}
