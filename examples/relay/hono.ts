/**
 * The example relay server as one Hono app on Deno, with the relay route
 * served through Hono's `upgradeWebSocket` (`hono/deno`):
 * `deno run -A examples/relay/hono.ts`. Same settings and output as
 * `./deno.ts`.
 *
 * @module
 */

import { upgradeWebSocket } from "hono/deno";
import { Relay } from "../../src/relay/mod.ts";
import { honoRelay } from "../../src/relay/adapters/hono.ts";
import { bootstrap } from "./bootstrap.ts";
import { createRoutes, RELAY_PATH } from "./routes.ts";

await bootstrap(async (config) => {
  const lifeline = honoRelay(new Relay(config.relay), upgradeWebSocket);
  const app = createRoutes(lifeline.relay, config);
  app.get(RELAY_PATH, lifeline.handler);
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: config.hostname,
    port: config.port,
    onListen: listening.resolve,
  }, app.fetch);
  const { hostname, port } = await listening.promise;
  return {
    adapter: lifeline,
    hostname,
    port,
    shutdown: () => server.shutdown(),
  };
});
