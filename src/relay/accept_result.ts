/**
 * What `Relay.accept` answers an upgrade request with.
 *
 * @module
 */

import type { ErrorCode } from "../protocol/mod.ts";
import type { Identity } from "./identity.ts";

/**
 * The outcome of `Relay.accept`, discriminated on `ok`.
 *
 * @example Accepting a request with a token
 * ```ts
 * import { type AcceptResult, Relay } from "@lifeline/realtime/relay";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay({
 *   authenticate: (_request, token) => token === "abc" ? { userId: "u1" } : null,
 * });
 * const result: AcceptResult = await relay.accept(new Request("http://relay.test/ws?token=abc"));
 * assert.ok(result.ok);
 * assert.equal(result.identity.userId, "u1");
 * const refused = await relay.accept(new Request("http://relay.test/ws?token=nope"));
 * assert.equal(!refused.ok && refused.status, 401);
 * relay.close();
 * ```
 */
export type AcceptResult =
  | {
    ok: true;
    identity: Identity;
    /** The subprotocol to answer with, when the client offered `lifeline`. */
    protocol?: string;
  }
  | { ok: false; status: number; code: ErrorCode; message: string };
