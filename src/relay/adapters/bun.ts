/**
 * The relay on `Bun.serve`, with Bun's native topics for fan-out: each
 * channel is a topic, and a channel message is published once, not sent
 * socket by socket. Bun.serve takes the adapter's `fetch` (for the upgrade)
 * and its `websocket` handlers.
 *
 * The types here are the little of Bun's API the adapter uses, declared
 * structurally, so the package needs no `bun-types`.
 *
 * @example The `Bun.serve` options of a relay server
 * ```ts
 * import { bunRelay } from "@lifeline/realtime/relay/bun";
 * import assert from "node:assert/strict";
 *
 * const lifeline = bunRelay({ limits: { channels: 20 } });
 * const options = {
 *   port: 8787,
 *   fetch: lifeline.fetch, // route other paths before it
 *   websocket: lifeline.websocket,
 * };
 * assert.equal(typeof options.websocket.message, "function");
 * assert.equal(lifeline.relay.stats().connections, 0);
 * await lifeline.close();
 * ```
 *
 * @module
 */

import type {
  Fanout,
  Identity,
  RelayConnection,
  RelayOptions,
  RelaySocket,
} from "../mod.ts";
import { Relay } from "../mod.ts";
import { DEFAULT_MAX_BUFFERED_BYTES } from "../_settings.ts";
import {
  AdapterCore,
  refusal,
  refused,
  type RelayAdapter,
} from "./_adapter.ts";

export type { RelayAdapter } from "./_adapter.ts";

/** What the adapter keeps on each Bun socket, as its `data`. */
export interface BunSocketData {
  /** Who the connection is, as `relay.accept` decided. */
  readonly identity: Identity;
  /**
   * The upgrade request, until the socket opens: the relay keeps it for a
   * `hello` token, and the adapter lets go of it.
   */
  request: Request | undefined;
  /** The relay's handle of the connection, once open. */
  connection?: RelayConnection;
}

/** The part of Bun's `ServerWebSocket` the adapter uses. */
export interface BunServerWebSocket {
  /** What the adapter passed to `server.upgrade`. */
  readonly data: BunSocketData;
  /** 1 while open. */
  readonly readyState: number;
  /** Sends a text frame. */
  send(data: string): number;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet sent. */
  getBufferedAmount(): number;
  /** Joins a topic. */
  subscribe(topic: string): void;
  /** Leaves a topic. */
  unsubscribe(topic: string): void;
  /** Sends to every subscriber of `topic` but this socket. */
  publish(topic: string, data: string): number;
}

/** The part of Bun's `Server` the adapter uses. */
export interface BunServer {
  /** Upgrades a request to a WebSocket; false when it cannot. */
  upgrade(
    request: Request,
    options: { data: BunSocketData; headers?: HeadersInit },
  ): boolean;
  /** Sends to every subscriber of `topic`. */
  publish(topic: string, data: string): number;
}

/**
 * The `websocket` handlers and options of `Bun.serve` that the adapter
 * provides.
 */
export interface BunWebSocketHandler {
  /**
   * Bytes Bun buffers per socket before it drops what is sent or published
   * to it: the relay's `maxBufferedBytes` plus `limits.frameBytes` (room for
   * the last frame the relay lets through, and its `bye`).
   */
  readonly backpressureLimit: number;
  /** `false`: past the limit Bun drops, and the relay closes slow consumers itself (1013). */
  readonly closeOnBackpressureLimit: false;
  /** A socket opened. */
  open(ws: BunServerWebSocket): void;
  /** A frame arrived. */
  message(ws: BunServerWebSocket, message: string | Uint8Array): void;
  /** A socket closed. */
  close(ws: BunServerWebSocket, code: number, reason: string): void;
}

/** The relay as `Bun.serve` options; see {@linkcode bunRelay}. */
export interface BunRelay extends RelayAdapter {
  /**
   * Answers an upgrade request: a refusal (403, 401, 426…) as JSON
   * `{ error: { code, message } }`, or `undefined` once Bun has taken the
   * request over, as `Bun.serve`'s `fetch` may. Route other paths before
   * calling it. Bound, so it can be passed as is.
   */
  fetch(request: Request, server: BunServer): Promise<Response | undefined>;
  /** The handlers for `Bun.serve({ websocket })`. */
  readonly websocket: BunWebSocketHandler;
}

/**
 * A Bun socket as the relay sees it, and its `data`: one object per socket
 * (made at the upgrade; `ws` set when it opens).
 */
class BunRelaySocket implements RelaySocket, BunSocketData {
  readonly identity: Identity;
  request: Request | undefined;
  connection?: RelayConnection;
  ws!: BunServerWebSocket;

  constructor(identity: Identity, request: Request) {
    this.identity = identity;
    this.request = request;
  }

  /** `false` when Bun dropped the frame (past its `backpressureLimit`). */
  send(data: string): boolean {
    return this.ws.send(data) !== 0;
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }
}

const OPEN = 1;

/**
 * Makes a relay with `options` that fans out through Bun's topics, and the
 * `fetch` and `websocket` handlers that serve it. `options.fanout` is the
 * adapter's own, so passing one is a `TypeError`.
 *
 * @example Refusing a request that is not an upgrade
 * ```ts
 * import { type BunServer, bunRelay } from "@lifeline/realtime/relay/bun";
 * import assert from "node:assert/strict";
 *
 * const lifeline = bunRelay();
 * const server: BunServer = { upgrade: () => true, publish: () => 0 };
 * const response = await lifeline.fetch(new Request("http://relay.test/ws"), server);
 * assert.equal(response?.status, 426);
 * await lifeline.close();
 * ```
 */
export function bunRelay(options: RelayOptions = {}): BunRelay {
  if (options.fanout !== undefined) {
    throw new TypeError(
      "Cannot create bunRelay as 'fanout' is not an option: the adapter fans out through Bun's topics",
    );
  }
  let server: BunServer | undefined;
  const fanout: Fanout = {
    subscribe(socket, topic) {
      (socket as BunRelaySocket).ws.subscribe(topic);
    },
    unsubscribe(socket, topic) {
      // Bun drops a closed socket's topics itself.
      const { ws } = socket as BunRelaySocket;
      if (ws.readyState === OPEN) ws.unsubscribe(topic);
    },
    publish(topic, frame, except) {
      // Bun answers -1 (held back) or 0 (dropped, or nobody subscribed)
      // when any subscriber's copy did not go out at once.
      const sent = except
        ? (except as BunRelaySocket).ws.publish(topic, frame)
        : server?.publish(topic, frame);
      return sent === undefined || sent > 0;
    },
  };
  const relay = new Relay({ ...options, fanout });
  const backpressureLimit = (options.maxBufferedBytes ??
    DEFAULT_MAX_BUFFERED_BYTES) + relay.limits.frameBytes;
  const core = new AdapterCore(relay);
  return core.adapter<BunRelay>({
    async fetch(request, bunServer) {
      const admission = await core.admit(request);
      if (!admission.ok) return refusal(admission);
      server = bunServer;
      const { identity, protocol } = admission;
      // Without the header Bun answers the first subprotocol offered,
      // which may be the `token.…` entry.
      const headers = protocol === undefined
        ? undefined
        : { "sec-websocket-protocol": protocol };
      if (
        bunServer.upgrade(request, {
          data: new BunRelaySocket(identity, request),
          headers,
        })
      ) {
        return undefined;
      }
      return refusal(refused(400, "bad_request", "WebSocket upgrade failed"));
    },
    websocket: {
      backpressureLimit,
      closeOnBackpressureLimit: false,
      open(ws) {
        const data = ws.data as BunRelaySocket;
        data.ws = ws;
        data.connection = core.open(data, data.identity, data.request);
        data.request = undefined; // the relay has it while it needs it
      },
      message(ws, message) {
        ws.data.connection?.message(message);
      },
      close(ws, code, reason) {
        // Bun calls it once per socket; the relay's handle is let go of
        // first, so a second call could not count it twice.
        const data = ws.data;
        const connection = data.connection;
        if (connection === undefined) return;
        data.connection = undefined;
        connection.closed(code, reason);
        core.released();
      },
    },
  });
}
