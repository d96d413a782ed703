/**
 * A relay on `Deno.serve` in this process, through the shipped Deno
 * adapter, for tests that need the relay's hooks (a function cannot be
 * passed to a spawned server). It serves the WebSocket endpoint only.
 *
 * @module
 */

import { Relay, type RelayOptions } from "../../src/relay/mod.ts";
import { denoRelay } from "../../src/relay/adapters/deno.ts";

/** A relay listening on a free loopback port. */
export interface DenoRelayServer {
  /** The WebSocket endpoint, `ws://127.0.0.1:PORT/ws`. */
  url: string;
  /** Closes the relay (clients get `bye` and 1012), then the server. */
  stop(): Promise<void>;
}

/** Starts a relay with `options` on a free loopback port. */
export async function startDenoRelay(
  options: RelayOptions = {},
): Promise<DenoRelayServer> {
  const lifeline = denoRelay(new Relay(options));
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: listening.resolve,
  }, lifeline.fetch);
  const { port } = await listening.promise;
  let stopped: Promise<void> | undefined;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    stop() {
      stopped ??= (async () => {
        await lifeline.close();
        await server.shutdown();
      })();
      return stopped;
    },
  };
}
