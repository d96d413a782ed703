/**
 * The options of {@linkcode RealtimeManager}: its own (echo, buffering,
 * rejoining, token, profile, ack timeout, queue size) and those of the
 * {@linkcode ReconnectingWebSocket} underneath, in one object. An unknown
 * key is a `TypeError` that suggests the nearest known option.
 *
 * @module
 */

import type { ReconnectingWebSocketOptions } from "../socket/reconnecting_websocket.ts";

/**
 * Gives the access token for the next connection attempt; `undefined` for
 * none. It is called before every attempt, so it can refresh an expired
 * token.
 *
 * @example A token fetched before each attempt, sent as a subprotocol
 * ```ts
 * import { RealtimeManager, type TokenProvider } from "@lifeline/realtime";
 * import { fakeWebSockets } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const fake = fakeWebSockets();
 * const token: TokenProvider = () => Promise.resolve("abc");
 * await using _manager = new RealtimeManager("ws://relay.test/ws", { token, WebSocket: fake.WebSocket });
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(fake.last.url, "ws://relay.test/ws"); // never in the URL
 * assert.deepEqual(fake.last.init, ["lifeline", "token.abc"]);
 * ```
 */
export type TokenProvider = () =>
  | string
  | undefined
  | Promise<string | undefined>;

/**
 * Options for {@linkcode RealtimeManager}. The socket options (`backoff`,
 * `timeout`, `maxRetries`, `keepalive`, `WebSocket`, `clock`, `random`,
 * `signal`, …) are handed to the {@linkcode ReconnectingWebSocket}
 * underneath; its send buffer is always off, since the manager keeps its own
 * ordered queue, so `buffer` is not an option here.
 *
 * The options are checked at construction: an unknown key is a `TypeError`
 * that suggests the nearest option (`retries`: did you mean `maxRetries`?),
 * a value of the wrong type a `TypeError` and one out of range a
 * `RangeError`, each naming the option.
 *
 * @example Rejecting publishes at once while disconnected
 * ```ts
 * import {
 *   RealtimeError,
 *   RealtimeManager,
 *   type RealtimeManagerOptions,
 * } from "@lifeline/realtime";
 * import { FakeWebSocket } from "@lifeline/realtime/testing";
 * import assert from "node:assert/strict";
 *
 * const options: RealtimeManagerOptions = {
 *   bufferMessages: false,
 *   echoMessages: false,
 *   ackTimeout: 5000,
 *   WebSocket: FakeWebSocket, // globalThis.WebSocket by default
 * };
 * await using manager = new RealtimeManager("ws://relay.test/ws", options);
 * assert.throws(
 *   () => new RealtimeManager("ws://relay.test/ws", { retries: 3 } as RealtimeManagerOptions),
 *   { name: "TypeError", message: /'retries' is not an option: did you mean 'maxRetries'\?/ },
 * );
 * await assert.rejects(
 *   manager.broadcast("news", { text: "hi" }),
 *   (error) => error instanceof RealtimeError && error.code === "not_connected",
 * );
 * ```
 */
export interface RealtimeManagerOptions<Profile = unknown>
  extends Omit<ReconnectingWebSocketOptions, "buffer"> {
  /**
   * Whether this client receives its own messages and presence events. Each
   * call's `echo` argument overrides it.
   * @default {true}
   */
  echoMessages?: boolean;
  /**
   * Whether publishes made while disconnected wait for the connection
   * (`true`) or reject at once with code `"not_connected"` (`false`).
   * @default {true}
   */
  bufferMessages?: boolean;
  /**
   * Whether the manager joins its channels again, and restores its profile,
   * after a reconnect. With `false`, the app joins again in `onConnect`.
   * @default {true}
   */
  autoJoinChannels?: boolean;
  /**
   * An access token, or a function that returns one before each connection
   * attempt. It is sent in `Sec-WebSocket-Protocol` (`lifeline,
   * token.<t>`), never in the URL, so it stays out of access logs and error
   * messages; the relay answers `lifeline`. It must consist of HTTP token
   * characters (base64url and JWTs do); an attempt with any other token
   * fails with code `"url_failed"`. A relay that wants `?token=` instead
   * gets it from a URL the app builds.
   */
  token?: string | TokenProvider;
  /** The member profile to start with, as others see it in presence events. */
  profile?: Profile;
  /**
   * Milliseconds to wait for the relay to acknowledge a request once sent,
   * before rejecting it with code `"timeout"`.
   * @default {10000}
   */
  ackTimeout?: number;
  /**
   * The most requests that may wait for a connection; more reject with code
   * `"buffer_full"`.
   * @default {1000}
   */
  maxQueued?: number;
  /**
   * Whether a channel joined again after a reconnect asks the relay for the
   * messages it missed (`join.since`) and delivers them, in order and once,
   * before any live message; a gap in live offsets is repaired the same
   * way. Where they cannot be recovered, `onResync` listeners hear it.
   * @default {true}
   */
  recover?: boolean;
}

/**
 * The options of a reliable {@linkcode RealtimeManager.send}, in place of
 * its `echo` argument.
 *
 * @example Publishing without echo
 * ```ts
 * import type { SendOptions } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const options: SendOptions = { echo: false };
 * assert.equal(options.echo, false);
 * ```
 */
export interface SendOptions {
  /** Whether this client receives its own message; defaults to `echoMessages`. */
  echo?: boolean;
}

/**
 * The options of a volatile {@linkcode RealtimeManager.send}: fire and
 * forget, for cursors and typing. The message is sent only if the channel
 * is joined on a live connection (never queued), gets no offset, is not
 * kept in the relay's history and is not acknowledged.
 *
 * @example Sending a cursor position
 * ```ts
 * import type { VolatileSendOptions } from "@lifeline/realtime";
 * import assert from "node:assert/strict";
 *
 * const options: VolatileSendOptions = { volatile: true, echo: false };
 * assert.equal(options.volatile, true);
 * ```
 */
export interface VolatileSendOptions extends SendOptions {
  /** Fire and forget. */
  volatile: true;
}
