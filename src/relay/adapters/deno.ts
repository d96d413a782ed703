/**
 * The relay on `Deno.serve`: a request handler that runs the relay's checks
 * and upgrades with `Deno.upgradeWebSocket`.
 *
 * @example A relay server in a few lines
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { denoRelay } from "@lifeline/realtime/relay/deno";
 * import assert from "node:assert/strict";
 *
 * const lifeline = denoRelay(new Relay());
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   lifeline.fetch,
 * );
 * const refused = await fetch(`http://127.0.0.1:${server.addr.port}/ws`);
 * assert.equal(refused.status, 426); // not a WebSocket upgrade
 * await refused.body?.cancel();
 * await lifeline.close();
 * await server.shutdown();
 * ```
 *
 * @module
 */

import { checkFunction, checkKeys } from "../../core/_options.ts";
import type { Relay } from "../mod.ts";
import {
  AdapterCore,
  feed,
  refusal,
  refused,
  type RelayAdapter,
} from "./_adapter.ts";

export type { RelayAdapter } from "./_adapter.ts";

/** `Deno.upgradeWebSocket`, as the adapter calls it. */
export type DenoUpgradeWebSocket = (
  request: Request,
  options: { protocol?: string },
) => { socket: WebSocket; response: Response };

/** Options of {@linkcode denoRelay}. */
export interface DenoRelayOptions {
  /**
   * Upgrades a request; for runtimes that copy Deno's API under another
   * name, or a test.
   *
   * @default {Deno.upgradeWebSocket}
   */
  upgradeWebSocket?: DenoUpgradeWebSocket;
}

/** The relay as a `Deno.serve` handler; see {@linkcode denoRelay}. */
export interface DenoRelay extends RelayAdapter {
  /**
   * Answers an upgrade request: a refusal (403, 401, 426…) as JSON
   * `{ error: { code, message } }`, or the switch to the WebSocket. Route
   * other paths before calling it. Bound, so it can be passed as is.
   */
  fetch(request: Request): Promise<Response>;
}

const KNOWN_OPTIONS = ["upgradeWebSocket"] as const;

/**
 * Serves `relay` over `Deno.serve`: each accepted request is upgraded, and
 * the socket's frames and close go to the relay.
 *
 * @example Refusing a request without the relay's token
 * ```ts
 * import { Relay } from "@lifeline/realtime/relay";
 * import { denoRelay } from "@lifeline/realtime/relay/deno";
 * import assert from "node:assert/strict";
 *
 * const lifeline = denoRelay(new Relay({ authenticate: () => null }));
 * const response = await lifeline.fetch(new Request("http://relay.test/ws"));
 * assert.equal(response.status, 401);
 * assert.equal((await response.json()).error.code, "unauthorized");
 * await lifeline.close();
 * ```
 */
export function denoRelay(
  relay: Relay,
  options: DenoRelayOptions = {},
): DenoRelay {
  checkKeys("denoRelay", options, KNOWN_OPTIONS);
  const upgrade = checkFunction(
    "denoRelay",
    "upgradeWebSocket",
    options.upgradeWebSocket ?? denoUpgradeWebSocket(),
  ) as DenoUpgradeWebSocket;
  const core = new AdapterCore(relay);
  return core.adapter<DenoRelay>({
    async fetch(request: Request): Promise<Response> {
      const admission = await core.admit(request);
      if (!admission.ok) return refusal(admission);
      let upgraded: { socket: WebSocket; response: Response };
      try {
        upgraded = upgradeTo(upgrade, request, admission.protocol);
      } catch (error) {
        // A malformed handshake (no key, wrong version).
        return refusal(refused(400, "bad_request", String(error)));
      }
      const { socket, response } = upgraded;
      socket.binaryType = "arraybuffer";
      socket.addEventListener("open", () => {
        feed(socket, core.attach(socket, admission.identity, request));
      }, { once: true });
      return response;
    },
  });
}

/** The runtime's `Deno.upgradeWebSocket`, reached without Deno's types. */
function denoUpgradeWebSocket(): DenoUpgradeWebSocket | undefined {
  const deno = (globalThis as {
    Deno?: { upgradeWebSocket?: DenoUpgradeWebSocket };
  }).Deno;
  return deno?.upgradeWebSocket;
}

/**
 * Upgrades `request`, choosing `protocol` when there is one. Deno reads the
 * offered list split on ", " only, so it refuses a protocol offered in a
 * list joined with a bare "," (as Node's `ws` sends it), which RFC 7230
 * allows; the relay has already found it in the list, so then the upgrade
 * goes ahead without Deno's check and the answer names the protocol.
 */
function upgradeTo(
  upgrade: DenoUpgradeWebSocket,
  request: Request,
  protocol: string | undefined,
): { socket: WebSocket; response: Response } {
  if (protocol === undefined) return upgrade(request, {});
  try {
    return upgrade(request, { protocol });
  } catch (error) {
    const offered = request.headers.get("sec-websocket-protocol") ?? "";
    if (offered.includes(", ") || !offered.includes(",")) throw error;
    const upgraded = upgrade(request, {});
    upgraded.response.headers.set("sec-websocket-protocol", protocol);
    return upgraded;
  }
}
