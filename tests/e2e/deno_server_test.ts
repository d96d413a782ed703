/**
 * The conformance suite against `examples/relay/deno.ts`, spawned as its own
 * Deno process. A restart ends the process and spawns a new one on the same
 * port.
 *
 * @module
 */

import { conformance } from "./conformance.ts";
import { type RunningServer, spawnDenoRelay } from "./_servers.ts";

conformance("deno", async (env) => {
  let server: RunningServer = await spawnDenoRelay(env);
  const port = new URL(server.httpUrl).port;
  return {
    url: server.url,
    httpUrl: server.httpUrl,
    stop: () => server.stop(),
    async restart() {
      await server.stop();
      server = await spawnDenoRelay({ ...env, PORT: port });
    },
  };
});
