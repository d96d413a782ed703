/**
 * The conformance suite against `examples/relay/bun.ts`, spawned as a Bun
 * process. A restart ends the process and spawns a new one on the same port.
 *
 * @module
 */

import { conformance } from "./conformance.ts";
import { type RunningServer, spawnBunRelay } from "./_servers.ts";

conformance("bun", async (env) => {
  let server: RunningServer = await spawnBunRelay(env);
  const port = new URL(server.httpUrl).port;
  return {
    url: server.url,
    httpUrl: server.httpUrl,
    stop: () => server.stop(),
    async restart() {
      await server.stop();
      server = await spawnBunRelay({ ...env, PORT: port });
    },
  };
});
