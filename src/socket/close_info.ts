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

/**
 * The default reconnect policy: reconnect after every close and every
 * failure except a close with code 1008 (policy violation), the server's
 * way of saying "not you, not again".
 *
 * @example Refusing a policy violation
 * ```ts
 * import { defaultShouldReconnect } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * assert.equal(defaultShouldReconnect({ code: 1008, reason: "banned", wasClean: true }), false);
 * assert.equal(defaultShouldReconnect({ code: 1001, reason: "", wasClean: true }), true);
 * assert.equal(defaultShouldReconnect({ code: 0, reason: "", wasClean: false }), true);
 * ```
 */
export function defaultShouldReconnect(info: CloseInfo): boolean {
  return info.code !== policyViolation;
}
