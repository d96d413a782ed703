/**
 * The example relay server on Bun: `npx -y bun@1 examples/relay/bun.ts`
 * (after `deno install`, which puts `hono` in `node_modules/`). Same
 * settings and output as `./deno.ts`; channel fan-out uses Bun's native
 * topics.
 *
 * This file is type-checked by Deno too, so it declares the little of Bun's
 * API it uses instead of depending on `bun-types`.
 *
 * @module
 */

import {
  bunRelay,
  type BunServer,
  type BunWebSocketHandler,
} from "../../src/relay/adapters/bun.ts";
import { bootstrap } from "./bootstrap.ts";
import { createRoutes, isRelayRequest } from "./routes.ts";

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(
      request: Request,
      server: BunServer,
    ): Promise<Response | undefined> | Response;
    websocket: BunWebSocketHandler;
  }): { hostname: string; port: number; stop(): Promise<void> };
};

await bootstrap((config) => {
  const lifeline = bunRelay(config.relay);
  const routes = createRoutes(lifeline.relay, config);
  const server = Bun.serve({
    hostname: config.hostname,
    port: config.port,
    fetch: (request, bunServer) =>
      isRelayRequest(request)
        ? lifeline.fetch(request, bunServer)
        : routes.fetch(request),
    websocket: lifeline.websocket,
  });
  const { hostname, port } = server;
  return { adapter: lifeline, hostname, port, shutdown: () => server.stop() };
});
