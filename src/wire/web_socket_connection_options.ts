/**
 * The options of a `WebSocketConnection`, and the shapes its two faces
 * report: what `opened` and `closed` resolve to, and its typed events.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { Role } from "./_frame_decoder.ts";
import type { WireLimits } from "./limits.ts";

/**
 * Options of {@linkcode WebSocketConnection}, with the {@linkcode WireLimits}.
 *
 * @example A server-side connection with a small frame limit
 * ```ts
 * import type { WebSocketConnectionOptions } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const options: WebSocketConnectionOptions = { role: "server", maxPayload: 65536 };
 * assert.equal(options.role, "server");
 * ```
 */
export interface WebSocketConnectionOptions extends WireLimits {
  /**
   * Which end this is: a client masks what it sends, a server requires
   * masked frames.
   * @default {"client"}
   */
  role?: Role;
  /** The URL reported by `url`. @default {""} */
  url?: string;
  /**
   * Messages `readable` and `writable` queue before they push back.
   * @default {16}
   */
  highWaterMark?: number;
  /**
   * Milliseconds to wait for the peer's close frame after sending ours;
   * then the stream is dropped and the close is unclean (1006).
   * @default {5000}
   */
  closeTimeout?: number;
  /** Time for the close timeout. @default {systemClock} */
  clock?: Clock;
}

/**
 * What `opened` resolves to: the `WebSocketStream` face.
 *
 * @example Reading and writing messages as streams
 * ```ts
 * import type { WebSocketStreamOpened } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const describe = (o: WebSocketStreamOpened) => `${o.protocol || "none"}`;
 * assert.equal(describe({
 *   readable: new ReadableStream(),
 *   writable: new WritableStream(),
 *   protocol: "",
 *   extensions: "",
 * }), "none");
 * ```
 */
export interface WebSocketStreamOpened {
  /** The messages received: text as strings, binary as `Uint8Array`s. */
  readable: ReadableStream<string | Uint8Array>;
  /** Messages to send: strings as text, bytes as binary. */
  writable: WritableStream<string | BufferSource>;
  /** The subprotocol agreed, `""` for none. */
  protocol: string;
  /** The extensions agreed, `""` for none. */
  extensions: string;
}

/**
 * What `closed` resolves to, however the connection ended: 1006 when it
 * ended without a close frame.
 *
 * @example A normal close
 * ```ts
 * import type { WebSocketCloseInfo } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const info: WebSocketCloseInfo = { closeCode: 1000, reason: "", wasClean: true };
 * assert.equal(info.closeCode, 1000);
 * ```
 */
export interface WebSocketCloseInfo {
  /** The close code. */
  closeCode: number;
  /** The close reason. */
  reason: string;
  /** Whether both close frames were exchanged. */
  wasClean: boolean;
}

/**
 * The events of a {@linkcode WebSocketConnection}, as on a `WebSocket`.
 *
 * @example Typed listeners
 * ```ts
 * import type { WebSocketConnectionEventMap } from "@lifeline/realtime/wire";
 * import assert from "node:assert/strict";
 *
 * const onClose = (event: WebSocketConnectionEventMap["close"]) => event.code;
 * assert.equal(onClose(new CloseEvent("close", { code: 1000 })), 1000);
 * ```
 */
export interface WebSocketConnectionEventMap {
  /** The handshake is done. */
  open: Event;
  /** A message: `data` is a string, or binary as `binaryType` says. */
  message: MessageEvent;
  /** The connection failed; a `close` event follows. */
  error: Event;
  /** The connection is closed. */
  close: CloseEvent;
}
