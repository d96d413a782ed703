/**
 * The smallest complete relay server on Bun, as the README shows it. The
 * code between the `readme` markers is the README's, word for word (a test
 * compares them); Deno type-checks it against the declaration of the little
 * of Bun's API it uses.
 *
 * @module
 */

import type {
  BunServer,
  BunWebSocketHandler,
} from "@lifeline/realtime/relay/bun";

declare const Bun: {
  serve(options: {
    port: number;
    fetch(
      request: Request,
      server: BunServer,
    ): Promise<Response | undefined> | Response;
    websocket: BunWebSocketHandler;
  }): { stop(): Promise<void> };
};

// #region readme
import process from "node:process";
import { bunRelay } from "@lifeline/realtime/relay/bun";

const lifeline = bunRelay({
  // Who a token is (look it up in your store); null refuses the upgrade (401).
  authenticate: (_request, token) =>
    token === "let-me-in" ? { userId: "alice" } : null,
});

const server = Bun.serve({
  port: 8787,
  fetch: (request, server) =>
    new URL(request.url).pathname === "/ws"
      ? lifeline.fetch(request, server)
      : new Response("lifeline relay"),
  websocket: lifeline.websocket, // channels fan out through Bun's topics
});

process.on("SIGTERM", async () => {
  await lifeline.close(); // bye and 1012 to every client, then wait for them
  await server.stop();
});
// #endregion readme
