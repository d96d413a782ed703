/**
 * What `ReconnectingWebSocket.send` did with a message.
 *
 * @module
 */

/**
 * What {@linkcode ReconnectingWebSocket.send} did with a message: `"sent"`
 * it on the open socket, `"queued"` it in the buffer for the next
 * connection, or `"dropped"` it (the buffer refused it, buffering is off, or
 * the client is closed).
 *
 * @example Without a buffer, a message sent while disconnected is dropped
 * ```ts
 * import { ReconnectingWebSocket, type SendResult } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket,
 *   buffer: false,
 * });
 * const result: SendResult = socket.send("hello");
 * assert.equal(result, "dropped");
 * ```
 */
export type SendResult = "sent" | "queued" | "dropped";
