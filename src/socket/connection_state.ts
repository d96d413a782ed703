/**
 * The states a `ReconnectingWebSocket` goes through, as its `connection`
 * stream reports them.
 *
 * @module
 */

import type { ConnectionError } from "./connection_error.ts";

/**
 * The state of a {@linkcode ReconnectingWebSocket}, discriminated on `type`:
 *
 * - `connecting`: the first attempt (of the client, or after `reconnect()`).
 * - `connected`: that attempt opened.
 * - `reconnecting`: retry number `attempt` (counting from 1) is scheduled in
 *   `delay` ms; the state lasts through the wait and the attempt. `error`
 *   says why the connection or the previous attempt failed (absent after a
 *   close frame). Each failed attempt emits a new `reconnecting` state, so
 *   a listener hears every failure, as socket.io's `connect_error`.
 * - `reconnected`: a retry opened.
 * - `disconnecting`: `close()` was called; waiting for the socket to close.
 * - `disconnected`: the client has stopped, after `close()`, a refusal by
 *   `shouldReconnect`, or when `maxRetries` ran out; `error` says why it
 *   failed, if it did. Never the state while a retry is pending.
 *
 * @example Narrowing a state on its type
 * ```ts
 * import type { ConnectionState } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * function label(state: ConnectionState): string {
 *   switch (state.type) {
 *     case "reconnecting":
 *       return `retry ${state.attempt} in ${state.delay} ms`;
 *     case "disconnected":
 *       return `offline (${state.error?.code ?? state.code ?? "closed"})`;
 *     default:
 *       return state.type;
 *   }
 * }
 * assert.equal(label({ type: "reconnecting", attempt: 2, delay: 1000 }), "retry 2 in 1000 ms");
 * assert.equal(label({ type: "disconnected", code: 1000 }), "offline (1000)");
 * assert.equal(label({ type: "connected" }), "connected");
 * ```
 */
export type ConnectionState =
  | { readonly type: "connecting" }
  | { readonly type: "connected" }
  | {
    readonly type: "reconnecting";
    readonly attempt: number;
    readonly delay: number;
    readonly error?: ConnectionError;
  }
  | { readonly type: "reconnected" }
  | { readonly type: "disconnecting" }
  | {
    readonly type: "disconnected";
    readonly code?: number;
    readonly reason?: string;
    readonly error?: ConnectionError;
  };
