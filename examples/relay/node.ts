/**
 * The example relay server the Node way: a `node:http` server whose
 * `upgrade` event goes to the relay through the `ws` package, and whose
 * requests go to the HTTP routes through `@hono/node-server`. Run by Deno's
 * Node compatibility: `deno run -A examples/relay/node.ts`. Same settings and
 * output as `./deno.ts`.
 *
 * @module
 */

import { getRequestListener } from "@hono/node-server";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Relay } from "../../src/relay/mod.ts";
import { nodeRelay } from "../../src/relay/adapters/node.ts";
import { bootstrap } from "./bootstrap.ts";
import { createRoutes, RELAY_PATH } from "./routes.ts";

await bootstrap(async (config) => {
  const lifeline = nodeRelay(new Relay(config.relay), { WebSocketServer });
  const routes = createRoutes(lifeline.relay, config);
  routes.get(RELAY_PATH, (c) => lifeline.fetch(c.req.raw));
  const server = createServer(getRequestListener(routes.fetch));
  server.on("upgrade", (request, socket, head) => {
    const { pathname } = new URL(request.url ?? "/", "http://relay");
    if (pathname === RELAY_PATH) lifeline.upgrade(request, socket, head);
    // As the other servers answer: a client told the wrong path stops.
    else {
      socket.end(
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
      );
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(config.port, config.hostname, resolve)
  );
  const { address, port } = server.address() as AddressInfo;
  return {
    adapter: lifeline,
    hostname: address,
    port,
    shutdown: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
});
