/**
 * The WebSocket a `ReconnectingWebSocket` drives: the part of the standard
 * API it uses, the constructor it calls, and the shapes of what it sends
 * and receives. The global `WebSocket` of Deno, Bun, browsers and workers
 * fits; so do test doubles and other transports.
 *
 * @module
 */

import type { WebSocketData } from "../core/ring_buffer.ts";

/**
 * How binary messages are delivered: as `ArrayBuffer`s or `Blob`s.
 *
 * @example Receiving binary messages as Blobs
 * ```ts
 * import { type BinaryType, ReconnectingWebSocket } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const binaryType: BinaryType = "blob";
 * await using socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: FakeWebSocket,
 *   binaryType,
 * });
 * assert.equal(socket.binaryType, "blob");
 * ```
 */
export type BinaryType = "arraybuffer" | "blob";

/**
 * A received message: text, or binary as set by `binaryType`.
 *
 * @example Handling text and binary messages
 * ```ts
 * import type { MessageData } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * function describe(data: MessageData): string {
 *   if (typeof data === "string") return `text: ${data}`;
 *   if (data instanceof ArrayBuffer) return `${data.byteLength} bytes`;
 *   return `a blob of ${data.size} bytes`;
 * }
 * assert.equal(describe("hi"), "text: hi");
 * assert.equal(describe(new Uint8Array([1, 2]).buffer), "2 bytes");
 * assert.equal(describe(new Blob(["abc"])), "a blob of 3 bytes");
 * ```
 */
export type MessageData = string | ArrayBuffer | Blob;

/**
 * The part of the WebSocket API the client uses; the global `WebSocket` of
 * Deno, Bun, browsers and workers has it, and so does workerd's, whose
 * `protocol` and `extensions` may be `null`.
 *
 * @example Any WebSocket-shaped object fits, such as the published fake
 * ```ts
 * import type { WebSocketLike } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = new FakeWebSocket("wss://example.test");
 * const ws: WebSocketLike = fake;
 * fake.open();
 * ws.send("hi");
 * ws.close(1000);
 * assert.deepEqual(fake.sent, ["hi"]);
 * assert.equal(ws.readyState, 2); // closing, until the server's close arrives
 * ```
 */
export interface WebSocketLike extends EventTarget {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /**
   * The subprotocol the server chose; workerd's WebSocket reports `null`,
   * which the client reads as `""`.
   */
  readonly protocol: string | null;
  /** The extensions the server chose; `null` on workerd, as `protocol`. */
  readonly extensions: string | null;
  /** Bytes queued by `send` and not yet sent. */
  readonly bufferedAmount: number;
  /** How binary messages are delivered. */
  binaryType: string;
  /** Sends a message. */
  send(data: WebSocketData): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/**
 * The second constructor argument used when `headers` are set: the shape
 * Deno's and Bun's `WebSocket` accept.
 *
 * @example What a WebSocket constructor receives when headers are set
 * ```ts
 * import { ReconnectingWebSocket, type WebSocketInit } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * await using _socket = new ReconnectingWebSocket("wss://example.test", {
 *   WebSocket: fake.WebSocket,
 *   protocols: "chat.v1",
 *   headers: { authorization: "Bearer abc" },
 * });
 * const init: WebSocketInit = { protocols: "chat.v1", headers: { authorization: "Bearer abc" } };
 * assert.deepEqual(fake.last.init, init);
 * ```
 */
export interface WebSocketInit {
  /** The subprotocols to offer. */
  protocols?: string | string[];
  /** Extra handshake request headers. */
  headers?: HeadersInit;
}

/**
 * A `WebSocket` constructor. It is called as `new WebSocket(url)`,
 * `new WebSocket(url, protocols)`, or, when `headers` are set,
 * `new WebSocket(url, { protocols, headers })`.
 *
 * @example A constructor that records the URLs it is given
 * ```ts
 * import {
 *   ReconnectingWebSocket,
 *   type WebSocketConstructor,
 *   type WebSocketInit,
 * } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const urls: string[] = [];
 * const Recording: WebSocketConstructor = class extends FakeWebSocket {
 *   constructor(url: string, init?: string | string[] | WebSocketInit) {
 *     super(url, init);
 *     urls.push(url);
 *   }
 * };
 * await using _socket = new ReconnectingWebSocket("wss://example.test/a", { WebSocket: Recording });
 * assert.deepEqual(urls, ["wss://example.test/a"]);
 * ```
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[] | WebSocketInit,
) => WebSocketLike;
