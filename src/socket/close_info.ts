/**
 * How a connection or a connection attempt ended, and the default policy
 * that decides, from that, whether a `ReconnectingWebSocket` tries again.
 *
 * @module
 */

import type { ConnectionError } from "./connection_error.ts";
import { policyViolation } from "../core/status.ts";

/**
 * How a connection or an attempt ended, as passed to
 * {@linkcode ReconnectingWebSocketOptions.shouldReconnect}. When no close
 * frame was received (a network error, a timeout, a dead keepalive) `code`
 * is 1006 and `error` says what happened. Deno reports a refused connection
 * as an error, then a close with code 0.
 *
 * @example A reconnect policy that also stops on an application close code
 * ```ts
 * import { type CloseInfo, ConnectionError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const shouldReconnect = (info: CloseInfo) => info.code !== 1008 && info.code !== 4001;
 * assert.equal(shouldReconnect({ code: 4001, reason: "unauthorized", wasClean: true }), false);
 * const timeout = new ConnectionError("connect_timeout", "Timed out");
 * assert.equal(shouldReconnect({ code: 1006, reason: "", wasClean: false, error: timeout }), true);
 * ```
 */
export interface CloseInfo {
  /** The close code. */
  readonly code: number;
  /** The close reason; empty if none. */
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** What went wrong, if the connection failed rather than closed. */
  readonly error?: ConnectionError;
}

// Statuses that a retry would get again: unauthorized, forbidden, not found.
const FATAL_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/**
 * The default reconnect policy: reconnect after every close and every
 * failure except those a retry would meet again:
 *
 * - a close with code 1008 (policy violation), the server's way of saying
 *   "not you, not again";
 * - an invalid URL (`"invalid_url"`);
 * - a handshake refused with HTTP 401, 403 or 404 (`"handshake_failed"`),
 *   where the runtime reports the status (Deno and Bun do; browsers do not,
 *   so there these retry as any failed attempt).
 *
 * A refused connection, a DNS failure, a timeout and any other status
 * (such as 502 or 503 during a deploy) are retried.
 *
 * @example Refusing a policy violation and a 401
 * ```ts
 * import { ConnectionError, defaultShouldReconnect } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultShouldReconnect({ code: 1008, reason: "banned", wasClean: true }), false);
 * assert.equal(defaultShouldReconnect({ code: 1001, reason: "", wasClean: true }), true);
 * assert.equal(defaultShouldReconnect({ code: 0, reason: "", wasClean: false }), true);
 * const refused = (status: number) => ({
 *   code: 1006, reason: "", wasClean: false,
 *   error: new ConnectionError("handshake_failed", "Refused", { status }),
 * });
 * assert.equal(defaultShouldReconnect(refused(401)), false);
 * assert.equal(defaultShouldReconnect(refused(503)), true);
 * ```
 */
export function defaultShouldReconnect(info: CloseInfo): boolean {
  if (info.code === policyViolation) return false;
  const { error } = info;
  if (error?.code === "invalid_url") return false;
  return !(error?.code === "handshake_failed" &&
    error.status !== undefined && FATAL_STATUSES.has(error.status));
}
