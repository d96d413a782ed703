/**
 * Who a relay connection is, as decided by the `authenticate` hook.
 *
 * @module
 */

/**
 * Who a connection is. The relay reads `userId` (for `sendToUser` and for
 * matching a resumed session to its owner) and hands the whole identity to
 * the `authorize` hook.
 *
 * @example An authenticated identity
 * ```ts
 * import type { Identity } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const identity: Identity = { userId: "u1", claims: { role: "admin" } };
 * assert.equal(identity.userId, "u1");
 * ```
 */
export interface Identity {
  /** The user id, for events addressed to a user (`sendToUser`); optional. */
  userId?: string;
  /** Anything the app wants to keep (claims, roles), passed to `authorize`. */
  claims?: unknown;
}
