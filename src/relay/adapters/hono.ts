/**
 * The relay as a Hono route, over the `upgradeWebSocket` of the runtime
 * Hono runs on (`hono/deno`, `hono/bun`, `hono/cloudflare-workers`…). The
 * adapter needs the helper's `upgradeWebSocket(c, events, options)` form and
 * relies on it answering with `options.protocol`; Hono's Deno helper does.
 * A handshake the runtime refuses is answered 400 (`bad_request`): on Deno
 * that includes a subprotocol list joined with a bare "," (as Node's `ws`
 * sends it), which Hono's helper hands to `Deno.upgradeWebSocket` as is.
 * On Bun, `bunRelay` of `@lifeline/realtime/relay/bun` also gives native
 * fan-out.
 *
 * The Hono types are declared structurally: the package imports nothing
 * from npm.
 *
 * @example A relay route on a Hono app
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { honoRelay } from "@lifeline/realtime/relay/hono";
 * import assert from "node:assert/strict";
 *
 * // In an app: `import { upgradeWebSocket } from "hono/deno"` and
 * // `app.get("/ws", lifeline.handler)`.
 * const upgradeWebSocket = () => Promise.resolve(new Response(null, { status: 101 }));
 * const lifeline = honoRelay(new Relay(), upgradeWebSocket);
 * const c = { req: { raw: new Request("http://relay.test/ws") } };
 * assert.equal((await lifeline.handler(c)).status, 426);
 * await lifeline.close();
 * ```
 *
 * @module
 */

import type { Relay, RelayConnection, RelaySocket } from "../mod.ts";
import {
  AdapterCore,
  frameData,
  refusal,
  refused,
  type RelayAdapter,
} from "./_adapter.ts";

export type { RelayAdapter } from "./_adapter.ts";

/** The part of Hono's `Context` the adapter uses. */
export interface HonoContext {
  /** The request. */
  readonly req: { readonly raw: Request };
}

/** The part of Hono's `WSContext` the adapter uses. */
export interface HonoWSContext {
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** The runtime's socket: Deno's `WebSocket`, Bun's `ServerWebSocket`… */
  readonly raw?: unknown;
}

/** The events the adapter hands to `upgradeWebSocket` (Hono's `WSEvents`). */
export interface HonoWSEvents {
  /** The socket opened. */
  onOpen(event: unknown, ws: HonoWSContext): void;
  /** A frame arrived. */
  onMessage(event: { readonly data: unknown }, ws: HonoWSContext): void;
  /** The socket closed. */
  onClose(
    event: { readonly code?: number; readonly reason?: string },
    ws: HonoWSContext,
  ): void;
  /** The socket failed. */
  onError(event: unknown, ws: HonoWSContext): void;
}

/** Hono's `upgradeWebSocket(c, events, options)`, as the adapter calls it. */
export type HonoUpgradeWebSocket<C extends HonoContext> = (
  c: C,
  events: HonoWSEvents,
  options: { protocol?: string },
) => Promise<Response>;

/** The relay as a Hono handler; see {@linkcode honoRelay}. */
export interface HonoRelay<C extends HonoContext> extends RelayAdapter {
  /**
   * The route's handler: a refusal (403, 401, 426…) as JSON
   * `{ error: { code, message } }`, or Hono's upgrade response. Bound, so
   * it can be passed as is: `app.get("/ws", lifeline.handler)`.
   */
  handler(c: C): Promise<Response>;
}

/** A Hono `WSContext` as the relay sees it. */
class HonoRelaySocket implements RelaySocket {
  readonly #ws: HonoWSContext;

  constructor(ws: HonoWSContext) {
    this.#ws = ws;
  }

  send(data: string): void {
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }

  /** Deno's `bufferedAmount`, Bun's `getBufferedAmount()`. */
  get bufferedAmount(): number | undefined {
    const raw = this.#ws.raw as {
      bufferedAmount?: number;
      getBufferedAmount?: () => number;
    } | undefined;
    if (typeof raw?.getBufferedAmount === "function") {
      return raw.getBufferedAmount();
    }
    return raw?.bufferedAmount;
  }
}

/**
 * Serves `relay` on a Hono route through the runtime's `upgradeWebSocket`.
 *
 * @example Refusing a foreign origin
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { honoRelay } from "@lifeline/realtime/relay/hono";
 * import assert from "node:assert/strict";
 *
 * const relay = new Relay({ origins: ["https://app.test"] });
 * const lifeline = honoRelay(relay, () => Promise.reject(new Error("unreached")));
 * const request = new Request("http://relay.test/ws", {
 *   headers: { origin: "https://evil.test", upgrade: "websocket" },
 * });
 * const response = await lifeline.handler({ req: { raw: request } });
 * assert.equal(response.status, 403);
 * await lifeline.close();
 * ```
 */
export function honoRelay<C extends HonoContext>(
  relay: Relay,
  upgradeWebSocket: HonoUpgradeWebSocket<C>,
): HonoRelay<C> {
  if (typeof upgradeWebSocket !== "function") {
    throw new TypeError(
      `Cannot create honoRelay as 'upgradeWebSocket' must be a function: current value is ${
        String(upgradeWebSocket)
      }`,
    );
  }
  const core = new AdapterCore(relay);
  return core.adapter<HonoRelay<C>>({
    async handler(c: C): Promise<Response> {
      const request = c.req.raw;
      const admission = await core.admit(request);
      if (!admission.ok) return refusal(admission);
      let connection: RelayConnection | undefined;
      try {
        return await upgradeWebSocket(
          c,
          {
            onOpen(_event, ws) {
              connection = core.attach(
                new HonoRelaySocket(ws),
                admission.identity,
                request,
              );
            },
            onMessage(event) {
              connection?.message(frameData(event.data));
            },
            onClose(event) {
              connection?.closed(event.code, event.reason);
            },
            onError() {
              connection?.closed(1006, "socket error");
            },
          },
          admission.protocol === undefined
            ? {}
            : { protocol: admission.protocol },
        );
      } catch (error) {
        // The runtime refused the handshake: no key, a wrong version, or on
        // Deno a subprotocol list joined with a bare ",".
        return refusal(refused(400, "bad_request", String(error)));
      }
    },
  });
}
