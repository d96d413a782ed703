/**
 * The smallest complete relay server on Deno, as the README shows it:
 * `deno run -A examples/minimal_relay/deno.ts`. The code between the
 * `readme` markers is the README's, word for word (a test compares them).
 *
 * @module
 */

// #region readme
import { Relay } from "@lifeline/realtime/relay";
import { denoRelay } from "@lifeline/realtime/relay/deno";

const relay = new Relay({
  // Who a token is (look it up in your store); null refuses the upgrade (401).
  authenticate: (_request, token) =>
    token === "let-me-in" ? { userId: "alice" } : null,
});
const lifeline = denoRelay(relay);

const server = Deno.serve(
  { port: 8787 },
  (request) =>
    new URL(request.url).pathname === "/ws"
      ? lifeline.fetch(request)
      : new Response("lifeline relay"),
);

Deno.addSignalListener("SIGTERM", async () => {
  await lifeline.close(); // bye and 1012 to every client, then wait for them
  await server.shutdown();
});
// #endregion readme
