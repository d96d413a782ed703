/**
 * The conformance suite against the example Hono relay on `Deno.serve` in
 * this process. A restart closes the relay and the server and starts fresh
 * ones on the same port.
 *
 * @module
 */

import { upgradeWebSocket } from "hono/deno";
import { createApp } from "../../examples/relay/app.ts";
import { readConfig } from "../../examples/relay/config.ts";
import { Relay } from "../../src/relay/mod.ts";
import { conformance } from "./conformance.ts";

conformance("in-process", async (env) => {
  const config = readConfig({ ...env, PORT: "0" });
  let relay: Relay;
  let server: Deno.HttpServer;
  const listen = async (port: number): Promise<number> => {
    relay = new Relay(config.relay);
    const app = createApp({
      relay,
      upgradeWebSocket,
      adminToken: config.adminToken,
    });
    const { promise, resolve } = Promise.withResolvers<number>();
    server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: (addr) => resolve(addr.port),
    }, app.fetch);
    return await promise;
  };
  const stop = async (): Promise<void> => {
    relay.close();
    await server.shutdown();
  };
  const port = await listen(0);
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      await listen(port);
    },
  };
});
