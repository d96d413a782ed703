/**
 * A Deno relay that admits a connection only by a handshake header
 * (`x-edge-key`) or the `deno` token, for the client-in-a-Worker test: a
 * Worker's client reaches it only if its headers went through. It prints
 * `listening on http://HOST:PORT` and, on SIGTERM, says bye (with a 100 ms
 * retry hint, so the test's clients come back quickly) and exits 0.
 *
 * @module
 */

import { Relay } from "../../src/relay/mod.ts";
import { denoRelay } from "../../src/relay/adapters/deno.ts";

const lifeline = denoRelay(
  new Relay({
    restartHint: 100,
    authenticate(request, token) {
      if (request.headers.get("x-edge-key") === "edge-secret") {
        return { userId: "edge" };
      }
      return token === "deno" ? { userId: "deno" } : null;
    },
  }),
);
const listening = Promise.withResolvers<Deno.NetAddr>();
const server = Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 0),
    onListen: listening.resolve,
  },
  lifeline.fetch,
);
Deno.addSignalListener("SIGTERM", async () => {
  await lifeline.close(1_000);
  await server.shutdown();
  Deno.exit(0);
});
const { hostname, port } = await listening.promise;
console.log(`listening on http://${hostname}:${port}`);
