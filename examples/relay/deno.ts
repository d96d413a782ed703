/**
 * The example relay server on Deno: `deno task relay`. Settings come from
 * environment variables (see `./config.ts`); `./bootstrap.ts` prints the
 * banner and stops gracefully on SIGINT or SIGTERM.
 *
 * @module
 */

import { Relay } from "../../src/relay/mod.ts";
import { denoRelay } from "../../src/relay/adapters/deno.ts";
import { bootstrap } from "./bootstrap.ts";
import { createRoutes, isRelayRequest } from "./routes.ts";

await bootstrap(async (config) => {
  const lifeline = denoRelay(new Relay(config.relay));
  const routes = createRoutes(lifeline.relay, config);
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve(
    {
      hostname: config.hostname,
      port: config.port,
      onListen: listening.resolve,
    },
    (request) =>
      isRelayRequest(request) ? lifeline.fetch(request) : routes.fetch(request),
  );
  const { hostname, port } = await listening.promise;
  return {
    adapter: lifeline,
    hostname,
    port,
    shutdown: () => server.shutdown(),
  };
});
