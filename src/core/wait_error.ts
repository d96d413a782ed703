/**
 * The error a wait rejects with when it gives up: `StateStream.until` and
 * `ReconnectingWebSocket.ready` use it.
 *
 * @module
 */

import { CodedError } from "./coded_error.ts";

// Re-exported so that `export *` of this module publishes the base too.
export { CodedError } from "./coded_error.ts";

/**
 * Why a wait gave up:
 *
 * - `"timeout"`: its `timeout` elapsed first.
 * - `"aborted"`: its `signal` was aborted; `cause` is the signal's reason.
 * - `"closed"`: the stream it waited on was closed.
 *
 * @example Switching on the code of an aborted wait
 * ```ts
 * import { ReconnectingWebSocket, WaitError, type WaitErrorCode } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", { WebSocket: FakeWebSocket });
 * const code: WaitErrorCode | undefined = await socket.ready({ signal: AbortSignal.abort() }).then(
 *   () => undefined,
 *   (error) => error instanceof WaitError ? error.code : undefined,
 * );
 * assert.equal(code, "aborted");
 * ```
 */
export type WaitErrorCode = "timeout" | "aborted" | "closed";

/**
 * Rejects a wait that ended before what it waited for happened. Switch on
 * {@linkcode CodedError.code}, not on the message.
 *
 * @example Telling a timeout from an abort
 * ```ts
 * import { WaitError } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const error = new WaitError("timeout", "Timed out after 100 ms");
 * assert.equal(error.name, "WaitError");
 * assert.equal(error.code, "timeout");
 * assert.ok(error instanceof Error);
 * ```
 */
export class WaitError extends CodedError<WaitErrorCode> {
  /**
   * Creates a wait error.
   *
   * @param code Why the wait gave up.
   * @param message A human-readable explanation.
   * @param options Standard error options; `cause` carries an abort reason.
   */
  constructor(code: WaitErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = "WaitError";
  }
}
